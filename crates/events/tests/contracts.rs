//! The checked-in contracts under `events-schema/` stay true to the types.
//! `UPDATE_SCHEMAS=1 cargo test -p events --test contracts` (`make schema`)
//! rewrites the schemas from the types.

use events::{BusEvent, EventKind, SagaEvent};
use std::path::PathBuf;

fn contracts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events-schema")
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn example(kind: EventKind) -> String {
    read(
        &contracts_dir()
            .join("examples")
            .join(format!("{}.json", kind.slug())),
    )
}

#[test]
fn every_checked_in_schema_matches_the_rust_types() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut drifted = Vec::new();
    for &kind in EventKind::ALL {
        let path = contracts_dir()
            .join("schemas")
            .join(format!("{}.json", kind.slug()));
        let generated = serde_json::to_string_pretty(&kind.schema()).unwrap() + "\n";
        if update {
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            drifted.push(path.display().to_string());
        }
    }
    assert!(
        drifted.is_empty(),
        "schemas drifted from the types (run `make schema`): {drifted:?}"
    );
}

#[test]
fn every_example_round_trips_through_its_type() {
    for &kind in EventKind::ALL {
        let text = example(kind);
        let bus = BusEvent::from_json(&text).unwrap();
        let saga = bus
            .to_saga()
            .unwrap_or_else(|e| panic!("{}: {e}", kind.slug()));
        assert_eq!(saga.kind(), kind);
        let again: serde_json::Value = serde_json::from_str(&saga.detail_json()).unwrap();
        assert_eq!(again, bus.detail, "{} changed in a round trip", kind.slug());
    }
}

#[test]
fn every_example_validates_against_its_checked_in_schema() {
    for &kind in EventKind::ALL {
        let schema_path = contracts_dir()
            .join("schemas")
            .join(format!("{}.json", kind.slug()));
        let schema: serde_json::Value = serde_json::from_str(&read(&schema_path)).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let instance: serde_json::Value = serde_json::from_str(&example(kind)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", kind.slug());
    }
}

#[test]
fn an_example_of_one_type_is_rejected_by_another_types_schema() {
    let schema_path = contracts_dir().join("schemas/order-placed.json");
    let schema: serde_json::Value = serde_json::from_str(&read(&schema_path)).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let other: serde_json::Value =
        serde_json::from_str(&example(EventKind::PaymentFailed)).unwrap();
    assert!(!validator.is_valid(&other));
}

#[test]
fn an_unknown_detail_type_is_an_error_naming_it() {
    let err =
        SagaEvent::parse("shop.orders", "Order Teleported", serde_json::json!({})).unwrap_err();
    assert!(err.to_string().contains("Order Teleported"));
}

#[test]
fn a_detail_with_an_unknown_field_is_rejected() {
    let mut bus = BusEvent::from_json(&example(EventKind::OrderConfirmed)).unwrap();
    bus.detail["data"]["surprise"] = serde_json::json!(1);
    assert!(bus.to_saga().is_err());
}

#[test]
fn an_order_placed_with_zero_quantity_is_rejected() {
    let mut bus = BusEvent::from_json(&example(EventKind::OrderPlaced)).unwrap();
    bus.detail["data"]["lines"][0]["quantity"] = serde_json::json!(0);
    let err = bus.to_saga().unwrap_err().to_string();
    assert!(err.contains("quantity"), "{err}");
}
