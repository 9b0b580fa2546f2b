//! Each rule of the gate, on the saga's real contracts with one change
//! made to them.

use super::*;
use serde_json::json;

fn contract(file: &str) -> Value {
    let path = format!(
        "{}/../../events-schema/schemas/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The published Order Placed, and a copy changed by `edit`.
fn order_placed(edit: impl FnOnce(&mut Value)) -> (Value, Value) {
    let published = contract("order-placed.json");
    let mut current = published.clone();
    edit(&mut current);
    (published, current)
}

fn def<'a>(schema: &'a mut Value, name: &str) -> &'a mut Value {
    &mut schema["$defs"][name]
}

fn shown(changes: &[Change]) -> Vec<String> {
    changes.iter().map(ToString::to_string).collect()
}

#[test]
fn an_unchanged_contract_and_an_added_optional_field_pass_in_every_mode() {
    let (old, new) = order_placed(|s| {
        def(s, "OrderPlaced")["properties"]["giftWrap"] = json!({"type": "boolean"});
        def(s, "OrderLine")["properties"]["note"] = json!({"type": ["string", "null"]});
    });
    for mode in [Mode::Full, Mode::Backward, Mode::Forward] {
        assert_eq!(breaking(&old, &old, mode), vec![]);
        assert_eq!(breaking(&old, &new, mode), vec![], "{mode}");
    }
}

#[test]
fn a_removed_field_fails_naming_it() {
    let (old, new) = order_placed(|s| {
        let data = def(s, "OrderPlaced");
        data["properties"]
            .as_object_mut()
            .unwrap()
            .remove("paymentToken");
        data["required"] = json!(["orderId", "customerId", "lines", "shipTo"]);
    });
    let changes = breaking(&old, &new, Mode::Full);
    assert_eq!(
        shown(&changes),
        [
            "detail.data.paymentToken: field removed (or renamed) (breaks consumers of the published contract reading new events)"
        ]
    );
    assert_eq!(
        breaking(&old, &new, Mode::Backward),
        vec![],
        "a new reader ignores it"
    );
}

#[test]
fn a_renamed_field_fails_naming_the_old_name_and_guessing_the_new_one() {
    let (old, new) = order_placed(|s| {
        let data = def(s, "OrderPlaced");
        let props = data["properties"].as_object_mut().unwrap();
        let schema = props.remove("customerId").unwrap();
        props.insert("customerRef".into(), schema);
        data["required"] = json!(["orderId", "customerRef", "lines", "shipTo", "paymentToken"]);
    });
    let changes = shown(&breaking(&old, &new, Mode::Full));
    assert!(
        changes[0].starts_with("detail.data.customerId: field removed: renamed to `customerRef`?"),
        "{changes:?}"
    );
    assert!(
        changes[1].starts_with("detail.data.customerRef: required field added"),
        "{changes:?}"
    );
}

#[test]
fn a_changed_type_fails_at_any_depth() {
    let (old, new) = order_placed(|s| {
        def(s, "Quantity")["type"] = json!("string");
    });
    let changes = breaking(&old, &new, Mode::Backward);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].path, "detail.data.lines[].quantity");
    assert_eq!(changes[0].what, "type changed from integer to string");
    assert_eq!(changes[0].breaks, Breaks::Both);
}

#[test]
fn an_optional_field_made_required_fails_for_new_readers_of_published_events() {
    let (old, new) = order_placed(|s| {
        def(s, "OrderPlaced")["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("promotionCode"));
    });
    let changes = breaking(&old, &new, Mode::Full);
    assert_eq!(
        shown(&changes),
        [
            "detail.data.promotionCode: optional field made required (breaks consumers of the new contract reading published events)"
        ]
    );
    assert_eq!(breaking(&old, &new, Mode::Forward), vec![]);
}

#[test]
fn a_new_required_field_fails_and_a_nullable_one_made_non_null_fails() {
    let (old, new) = order_placed(|s| {
        def(s, "ShippingAddress")["properties"]["phone"] = json!({"type": "string"});
        def(s, "ShippingAddress")["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("phone"));
        def(s, "ShippingAddress")["properties"]["line2"] = json!({"type": "string"});
    });
    let changes = breaking(&old, &new, Mode::Backward);
    let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        ["detail.data.shipTo.line2", "detail.data.shipTo.phone"],
        "{changes:?}"
    );
    assert_eq!(
        changes[0].what,
        "type changed from null or string to string"
    );
}

#[test]
fn a_removed_enum_value_fails_for_new_readers_and_an_added_one_for_published_readers() {
    let published = contract("order-cancelled.json");
    let mut removed = published.clone();
    removed["$defs"]["ReasonCode"]["enum"] =
        json!(["OUT_OF_STOCK", "UNKNOWN_SKU", "PAYMENT_DECLINED"]);
    let changes = breaking(&published, &removed, Mode::Full);
    assert_eq!(
        shown(&changes),
        [
            "detail.data.reason.code: value \"SHIPMENT_FAILED\" removed (breaks consumers of the new contract reading published events)"
        ]
    );
    let mut added = published.clone();
    added["$defs"]["ReasonCode"]["enum"]
        .as_array_mut()
        .unwrap()
        .push(json!("FRAUD_SUSPECTED"));
    assert_eq!(breaking(&published, &added, Mode::Backward), vec![]);
    let changes = breaking(&published, &added, Mode::Full);
    assert_eq!(changes[0].what, "value \"FRAUD_SUSPECTED\" added");
    assert_eq!(changes[0].breaks, Breaks::Forward);
}

#[test]
fn a_narrowed_range_fails_and_a_widened_one_fails_only_for_published_readers() {
    let (old, narrowed) = order_placed(|s| {
        def(s, "Quantity")["minimum"] = json!(1);
        def(s, "Quantity")["maximum"] = json!(100);
    });
    let changes = shown(&breaking(&old, &narrowed, Mode::Backward));
    assert_eq!(
        changes,
        [
            "detail.data.lines[].quantity: range narrowed: minimum 0 to 1 (breaks consumers of the new contract reading published events)",
            "detail.data.lines[].quantity: range narrowed: maximum none to 100 (breaks consumers of the new contract reading published events)",
        ]
    );
    let widened = breaking(&narrowed, &old, Mode::Full);
    assert!(
        widened.iter().all(|c| c.breaks == Breaks::Forward),
        "{widened:?}"
    );
    assert_eq!(breaking(&narrowed, &old, Mode::Backward), vec![]);
}

#[test]
fn a_changed_format_or_const_fails_both_ways() {
    let (old, new) = order_placed(|s| {
        def(s, "OrderId")["format"] = json!("uri");
        s["properties"]["source"]["const"] = json!("shop.checkout");
    });
    let changes = breaking(&old, &new, Mode::Full);
    let shown: Vec<(String, Breaks)> = changes.iter().map(|c| (c.path.clone(), c.breaks)).collect();
    assert!(
        shown.contains(&("detail.data.orderId".into(), Breaks::Both)),
        "{changes:?}"
    );
    assert!(
        shown.contains(&("source".into(), Breaks::Backward)),
        "{changes:?}"
    );
    assert!(
        shown.contains(&("source".into(), Breaks::Forward)),
        "{changes:?}"
    );
}

/// Why Shipment Scheduled's restructured tracking is a new major and not a
/// revision of major 1: the gate refuses it.
#[test]
fn shipment_scheduled_major_2_is_not_a_compatible_revision_of_major_1() {
    let v1 = contract("shipment-scheduled.json");
    let v2 = contract("shipment-scheduled.v2.json");
    let changes = breaking(&v1, &v2, Mode::Full);
    let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
    assert!(paths.contains(&"detail.data.carrier"), "{changes:?}");
    assert!(paths.contains(&"detail.data.trackingNumber"), "{changes:?}");
    assert!(paths.contains(&"detail.data.tracking"), "{changes:?}");
    assert!(
        paths.contains(&"detail.metadata.version"),
        "the pinned major differs: {changes:?}"
    );
}
