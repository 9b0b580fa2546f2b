//! Timeline entries of the example events: short, and never a payment token
//! or a street address.

mod common;

use common::*;
use events::EventKind;
use orders::TimelineEntry;

#[test]
fn every_example_event_has_a_summary_without_token_or_street() {
    for kind in EventKind::ALL {
        let entry = TimelineEntry::of(&example(*kind));
        assert_eq!(entry.detail_type, kind.detail_type());
        assert!(!entry.summary.is_empty());
        for secret in ["tok_", "Analytical", "Ada"] {
            assert!(!entry.summary.contains(secret), "{}", entry.summary);
        }
    }
}

#[test]
fn an_order_placed_summary_counts_lines_and_units() {
    let entry = TimelineEntry::of(&example(EventKind::OrderPlaced));
    assert_eq!(
        entry.summary,
        "placed by cust-42: 2 lines, 3 units, shipping to GB, promotion WELCOME10"
    );
}

#[test]
fn a_cancellation_summary_names_the_reason_code() {
    let entry = TimelineEntry::of(&example(EventKind::InventoryReleased));
    assert_eq!(
        entry.summary,
        "released 2 lines, 3 units: SHIPMENT_FAILED: no carrier serves AQ"
    );
}

#[test]
fn sort_keys_order_by_time() {
    let mut a = TimelineEntry::of(&example(EventKind::OrderPlaced));
    let b = TimelineEntry::of(&example(EventKind::ShipmentScheduled));
    assert!(a.sort_key() < b.sort_key());
    a.occurred_at = b.occurred_at + chrono::Duration::nanoseconds(1);
    assert!(a.sort_key() > b.sort_key());
}
