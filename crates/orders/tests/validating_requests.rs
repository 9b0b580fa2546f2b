//! Parsing `POST /orders` bodies into valid orders, and the status machine.

mod common;

use common::*;
use orders::domain::{OrderStatus, RequestError, Step, parse_place_order, step};
use serde_json::json;

fn field_of(body: &serde_json::Value) -> String {
    match parse_place_order(body.to_string().as_bytes()) {
        Err(RequestError::Invalid(e)) => e.field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn a_valid_request_parses_into_a_new_order() {
    let order = parse_place_order(valid_body().to_string().as_bytes()).unwrap();
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.ship_to.country.as_str(), "GB");
    assert_eq!(order.promotion_code.unwrap().as_str(), "WELCOME10");
}

#[test]
fn a_missing_nested_field_is_named_by_its_path() {
    let mut body = valid_body();
    body["shipTo"].as_object_mut().unwrap().remove("city");
    assert_eq!(field_of(&body), "shipTo.city");
    let mut body = valid_body();
    body.as_object_mut().unwrap().remove("customerId");
    assert_eq!(field_of(&body), "customerId");
}

#[test]
fn an_unknown_field_is_named_by_its_path() {
    let mut body = valid_body();
    body["lines"][1]["unitPrice"] = json!(1);
    assert_eq!(field_of(&body), "lines[1].unitPrice");
}

#[test]
fn a_wrongly_typed_field_is_named_by_its_path() {
    let mut body = valid_body();
    body["lines"][0]["quantity"] = json!("two");
    assert_eq!(field_of(&body), "lines[0].quantity");
    assert_eq!(field_of(&json!(["cust-42"])), "$");
    let mut body = valid_body();
    body["shipTo"] = json!(["Ada", "12 Analytical Row", null, "London", "N1", "GB"]);
    assert_eq!(field_of(&body), "shipTo");
    let mut body = valid_body();
    body["lines"][1] = json!(["KB-002", 1]);
    assert_eq!(field_of(&body), "lines[1]");
}

#[test]
fn invalid_values_are_named_by_their_path() {
    let mut body = valid_body();
    body["shipTo"]["line1"] = json!("  ");
    assert_eq!(field_of(&body), "shipTo.line1");
    let mut body = valid_body();
    body["lines"][1]["sku"] = json!("kb 1");
    assert_eq!(field_of(&body), "lines[1].sku");
    let mut body = valid_body();
    body["paymentToken"] = json!("visa");
    assert_eq!(field_of(&body), "paymentToken");
    let mut body = valid_body();
    body["promotionCode"] = json!("x");
    assert_eq!(field_of(&body), "promotionCode");
}

#[test]
fn an_order_without_lines_is_refused() {
    let mut body = valid_body();
    body["lines"] = json!([]);
    assert_eq!(field_of(&body), "lines");
}

#[test]
fn trailing_data_after_the_object_is_malformed() {
    let body = format!("{} x", valid_body());
    assert!(matches!(
        parse_place_order(body.as_bytes()),
        Err(RequestError::Malformed(_))
    ));
}

#[test]
fn the_request_hash_ignores_formatting_but_not_content() {
    let compact = parse_place_order(valid_body().to_string().as_bytes()).unwrap();
    let pretty = serde_json::to_string_pretty(&valid_body()).unwrap();
    let pretty = parse_place_order(pretty.as_bytes()).unwrap();
    assert_eq!(compact.request_hash(), pretty.request_hash());
    let mut other = valid_body();
    other["lines"][0]["quantity"] = json!(3);
    let other = parse_place_order(other.to_string().as_bytes()).unwrap();
    assert_ne!(compact.request_hash(), other.request_hash());
    assert_eq!(compact.request_hash().len(), 64);
}

#[test]
fn a_pending_order_moves_and_a_final_one_absorbs_or_refuses() {
    use OrderStatus::*;
    assert_eq!(step(Pending, Confirmed), Ok(Step::Apply));
    assert_eq!(step(Pending, Cancelled), Ok(Step::Apply));
    assert_eq!(step(Confirmed, Confirmed), Ok(Step::Absorb));
    assert_eq!(step(Cancelled, Cancelled), Ok(Step::Absorb));
    assert!(step(Confirmed, Cancelled).is_err());
    assert!(step(Cancelled, Confirmed).is_err());
}

#[test]
fn statuses_round_trip_through_their_names() {
    for s in [
        OrderStatus::Pending,
        OrderStatus::Confirmed,
        OrderStatus::Cancelled,
    ] {
        assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
    }
    assert!(OrderStatus::Cancelled.is_final() && !OrderStatus::Pending.is_final());
}
