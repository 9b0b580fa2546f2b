//! An order's timeline: one entry per saga event seen for it, with a short
//! summary. Summaries never carry a payment token or a street address.

use chrono::{DateTime, SecondsFormat, Utc};
use events::{EventId, Money, Quantity, Reason, SagaEvent};
use serde::{Deserialize, Serialize};

/// Summaries are cut to this many characters.
pub const MAX_SUMMARY: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    pub detail_type: String,
    pub source: String,
    pub event_id: EventId,
    pub occurred_at: DateTime<Utc>,
    pub summary: String,
}

impl TimelineEntry {
    pub fn of(event: &SagaEvent) -> Self {
        let metadata = event.metadata();
        Self {
            detail_type: event.detail_type().to_owned(),
            source: event.source().to_owned(),
            event_id: metadata.event_id,
            occurred_at: metadata.occurred_at,
            summary: truncate(summary(event)),
        }
    }

    /// Sorts entries by time, then event id: fixed-width UTC time, so text
    /// order is time order (a DynamoDB sort key, an SQLite index).
    pub fn sort_key(&self) -> String {
        format!(
            "{}#{}",
            self.occurred_at.to_rfc3339_opts(SecondsFormat::Nanos, true),
            self.event_id
        )
    }
}

fn truncate(text: String) -> String {
    match text.char_indices().nth(MAX_SUMMARY) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

fn units<'a>(quantities: impl Iterator<Item = &'a Quantity>) -> String {
    let (lines, units) = quantities.fold((0, 0), |(l, u), q| (l + 1, u + q.get()));
    let s = |n: u32| if n == 1 { "" } else { "s" };
    format!("{lines} line{}, {units} unit{}", s(lines), s(units))
}

fn reason(r: &Reason) -> String {
    let code = serde_json::to_value(r.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{code}: {}", r.message)
}

fn amount(m: &Money) -> String {
    m.to_string()
}

fn summary(event: &SagaEvent) -> String {
    match event {
        SagaEvent::OrderPlaced(e) => {
            let d = &e.data;
            let promotion = d
                .promotion_code
                .as_ref()
                .map(|p| format!(", promotion {p}"))
                .unwrap_or_default();
            format!(
                "placed by {}: {}, shipping to {}{promotion}",
                d.customer_id,
                units(d.lines.iter().map(|l| &l.quantity)),
                d.ship_to.country
            )
        }
        SagaEvent::InventoryReserved(e) => format!(
            "reserved {}, {}",
            units(e.data.lines.iter().map(|l| &l.quantity)),
            amount(&e.data.amount)
        ),
        SagaEvent::InventoryReservationFailed(e) => {
            format!("not reserved: {}", reason(&e.data.reason))
        }
        SagaEvent::InventoryReleased(e) => format!(
            "released {}: {}",
            units(e.data.lines.iter().map(|l| &l.quantity)),
            reason(&e.data.reason)
        ),
        SagaEvent::PaymentAuthorized(e) => format!(
            "authorized {} (payment {})",
            amount(&e.data.amount),
            e.data.payment_id
        ),
        SagaEvent::PaymentFailed(e) => format!(
            "{} not authorized: {}",
            amount(&e.data.amount),
            reason(&e.data.reason)
        ),
        SagaEvent::PaymentRefunded(e) => format!(
            "refunded {} (payment {}): {}",
            amount(&e.data.amount),
            e.data.payment_id,
            reason(&e.data.reason)
        ),
        SagaEvent::ShipmentScheduled(e) => format!(
            "shipment {} with {}, tracking {}",
            e.data.shipment_id, e.data.tracking.carrier, e.data.tracking.number
        ),
        SagaEvent::ShipmentFailed(e) => format!("not shipped: {}", reason(&e.data.reason)),
        SagaEvent::OrderConfirmed(e) => format!(
            "confirmed for {}, tracking {}",
            amount(&e.data.amount),
            e.data.tracking_number
        ),
        SagaEvent::OrderCancelled(e) => format!("cancelled: {}", reason(&e.data.reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_summaries_are_cut() {
        let long = "é".repeat(MAX_SUMMARY + 10);
        assert_eq!(truncate(long).chars().count(), MAX_SUMMARY + 1);
    }
}
