//! The checked-in contracts under `events-schema/` stay true to the types.
//! `UPDATE_SCHEMAS=1 cargo test -p events --test contracts` (`make schema`)
//! rewrites the schemas from the types.

use events::{BusEvent, EventError, EventKind, SagaEvent};
use serde_json::json;
use std::path::PathBuf;

fn contracts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events-schema")
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn example(kind: EventKind) -> String {
    example_of(kind, 1)
}

fn example_of(kind: EventKind, major: u32) -> String {
    read(&contracts_dir().join("examples").join(kind.file_name(major)))
}

/// Every (type, major) this build reads.
fn contracts() -> impl Iterator<Item = (EventKind, u32)> {
    EventKind::ALL
        .iter()
        .flat_map(|&kind| kind.majors().iter().map(move |&major| (kind, major)))
}

#[test]
fn every_checked_in_schema_matches_the_rust_types() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut drifted = Vec::new();
    for (kind, major) in contracts() {
        let path = contracts_dir().join("schemas").join(kind.file_name(major));
        let generated = serde_json::to_string_pretty(&kind.schema(major)).unwrap() + "\n";
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
fn every_example_round_trips_through_its_type_in_its_own_major() {
    for (kind, major) in contracts() {
        let text = example_of(kind, major);
        let bus = BusEvent::from_json(&text).unwrap();
        let saga = bus
            .to_saga()
            .unwrap_or_else(|e| panic!("{}: {e}", kind.file_name(major)));
        assert_eq!(saga.kind(), kind);
        assert_eq!(saga.metadata().version, major);
        let again: serde_json::Value = serde_json::from_str(&saga.detail_json()).unwrap();
        assert_eq!(
            again,
            bus.detail,
            "{} changed in a round trip",
            kind.file_name(major)
        );
    }
}

fn validator(kind: EventKind, major: u32) -> jsonschema::Validator {
    let path = contracts_dir().join("schemas").join(kind.file_name(major));
    let schema: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn every_example_validates_against_its_checked_in_schema() {
    for (kind, major) in contracts() {
        let instance: serde_json::Value = serde_json::from_str(&example_of(kind, major)).unwrap();
        let errors: Vec<String> = validator(kind, major)
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", kind.file_name(major));
    }
}

#[test]
fn an_example_of_one_major_is_rejected_by_the_other_majors_schema() {
    let kind = EventKind::ShipmentScheduled;
    let v1: serde_json::Value = serde_json::from_str(&example_of(kind, 1)).unwrap();
    let v2: serde_json::Value = serde_json::from_str(&example_of(kind, 2)).unwrap();
    assert!(!validator(kind, 2).is_valid(&v1));
    assert!(!validator(kind, 1).is_valid(&v2));
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

/// A tolerant reader: producers add optional fields before consumers know
/// them, so a field a consumer does not know is ignored wherever it is.
#[test]
fn unknown_fields_in_data_metadata_and_nested_objects_are_ignored_and_the_rest_is_read() {
    for kind in [EventKind::OrderPlaced, EventKind::InventoryReserved] {
        let mut bus = BusEvent::from_json(&example(kind)).unwrap();
        let plain = bus.to_saga().unwrap();
        let d = &mut bus.detail;
        d["giftWrap"] = json!(true);
        d["metadata"]["traceparent"] = json!("00-abc-def-01");
        d["metadata"]["tenant"] = json!({ "id": 7, "tier": ["gold"] });
        d["data"]["giftWrap"] = json!({ "paper": "red", "note": null });
        d["data"]["lines"][0]["giftWrap"] = json!(true);
        d["data"]["shipTo"]["instructions"] = json!("leave with neighbour");
        if kind == EventKind::InventoryReserved {
            d["data"]["amount"]["taxIncluded"] = json!(true);
            d["data"]["lines"][0]["unitPrice"]["exponent"] = json!(2);
        }
        let instance = serde_json::to_value(&bus).unwrap();
        assert!(
            validator(kind, 1).is_valid(&instance),
            "the published contract allows fields it does not name"
        );
        let extended = bus
            .to_saga()
            .unwrap_or_else(|e| panic!("{}: {e}", kind.slug()));
        assert_eq!(extended, plain, "every known field read as before");
    }
}

#[test]
fn a_field_the_consumer_reads_is_still_validated_when_unknown_fields_surround_it() {
    let mut bus = BusEvent::from_json(&example(EventKind::OrderPlaced)).unwrap();
    bus.detail["data"]["giftWrap"] = json!(true);
    bus.detail["data"]["lines"][0]["quantity"] = json!("two");
    let err = bus.to_saga().unwrap_err().to_string();
    assert!(err.contains("invalid type: string"), "{err}");

    let mut bus = BusEvent::from_json(&example(EventKind::OrderPlaced)).unwrap();
    bus.detail["metadata"]["traceparent"] = json!("x");
    bus.detail["data"]["shipTo"]
        .as_object_mut()
        .unwrap()
        .remove("city");
    let err = bus.to_saga().unwrap_err().to_string();
    assert!(err.contains("missing field `city`"), "{err}");
}

#[test]
fn an_event_of_a_major_the_consumer_does_not_read_is_refused_naming_its_type_and_version() {
    let cases = [
        (EventKind::OrderPlaced, 2, "reads version 1)"),
        (
            EventKind::ShipmentScheduled,
            3,
            "reads version 1, version 2)",
        ),
        (EventKind::PaymentFailed, 0, "reads version 1)"),
    ];
    for (kind, version, known) in cases {
        let mut bus = BusEvent::from_json(&example(kind)).unwrap();
        bus.detail["metadata"]["version"] = json!(version);
        let err = bus.to_saga().unwrap_err();
        assert!(matches!(err, EventError::UnknownVersion { .. }), "{err:?}");
        let shown = err.to_string();
        assert!(
            shown.contains(&format!("`{}` version {version} ", kind.detail_type())),
            "{shown}"
        );
        assert!(shown.contains(known), "{shown}");
    }
}

#[test]
fn a_version_that_is_not_a_number_is_a_contract_error_not_a_major() {
    let mut bus = BusEvent::from_json(&example(EventKind::OrderPlaced)).unwrap();
    bus.detail["metadata"]["version"] = json!("1");
    let err = bus.to_saga().unwrap_err();
    assert!(matches!(err, EventError::Detail { .. }), "{err:?}");
}

#[test]
fn both_majors_of_shipment_scheduled_read_as_the_same_shipment() {
    let kind = EventKind::ShipmentScheduled;
    let v1 = BusEvent::from_json(&example_of(kind, 1)).unwrap();
    let v2 = BusEvent::from_json(&example_of(kind, 2)).unwrap();
    let (SagaEvent::ShipmentScheduled(a), SagaEvent::ShipmentScheduled(b)) =
        (v1.to_saga().unwrap(), v2.to_saga().unwrap())
    else {
        panic!("both are Shipment Scheduled");
    };
    assert_eq!(a.data, b.data);
    assert_eq!(a.data.tracking.number, "SP000000001GB");
    assert_eq!((a.metadata.version, b.metadata.version), (1, 2));
}

#[test]
fn an_order_placed_with_zero_quantity_is_rejected() {
    let mut bus = BusEvent::from_json(&example(EventKind::OrderPlaced)).unwrap();
    bus.detail["data"]["lines"][0]["quantity"] = serde_json::json!(0);
    let err = bus.to_saga().unwrap_err().to_string();
    assert!(err.contains("quantity"), "{err}");
}

#[test]
fn a_copy_also_published_in_a_newer_major_this_build_reads_is_superseded_and_no_other() {
    let kind = EventKind::ShipmentScheduled;
    let with = |major: u32, also: serde_json::Value| {
        let mut bus = BusEvent::from_json(&example_of(kind, major)).unwrap();
        bus.detail["metadata"]["alsoPublishedAs"] = also;
        bus.to_saga().unwrap()
    };
    assert!(with(1, json!([2])).superseded());
    assert!(
        !with(1, json!([2])).superseded_for(&[1]),
        "a consumer of major 1 only handles the major 1 copy"
    );
    assert!(
        !with(2, json!([1])).superseded(),
        "the newer copy is handled"
    );
    assert!(
        !with(1, json!([3])).superseded(),
        "a major this build does not read supersedes nothing"
    );
    assert!(
        !BusEvent::from_json(&example_of(kind, 1))
            .unwrap()
            .to_saga()
            .unwrap()
            .superseded()
    );
}
