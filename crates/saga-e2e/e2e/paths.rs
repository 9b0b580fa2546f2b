use saga_e2e::{TestApp, order};
use serde_json::json;

#[tokio::test]
async fn the_happy_path_confirms_the_order_and_ships_its_stock() {
    let app = TestApp::spawn().await;
    let id = app
        .place(&order(
            json!([{"sku": "KB-001", "quantity": 1}, {"sku": "MOUSE-002", "quantity": 2}]),
        ))
        .await;
    app.settle().await;
    assert_eq!(app.status_of(&id).await, "CONFIRMED");
    let timeline = app.timeline(&id).await;
    for step in [
        "Order Placed",
        "Inventory Reserved",
        "Payment Authorized",
        "Shipment Scheduled",
        "Order Confirmed",
    ] {
        assert!(
            timeline.iter().any(|t| t == step),
            "{step} missing from {timeline:?}"
        );
    }
    let mouse = app
        .runtime
        .services
        .inventory
        .all_items()
        .unwrap()
        .into_iter()
        .find(|i| i.sku.as_str() == "MOUSE-002")
        .unwrap();
    assert_eq!(
        (mouse.available, mouse.reserved, mouse.shipped),
        (998, 0, 2)
    );
    app.assert_invariants().await;
}

#[tokio::test]
async fn an_out_of_stock_order_is_cancelled_with_the_reason() {
    let app = TestApp::spawn().await;
    let id = app
        .place(&order(json!([{"sku": "SOLD-OUT-001", "quantity": 1}])))
        .await;
    app.settle().await;
    let (_, body) = app.get_order(&id).await;
    assert_eq!(body["status"], "CANCELLED");
    assert!(body.to_string().contains("OUT_OF_STOCK"), "{body}");
    app.assert_invariants().await;
}

#[tokio::test]
async fn a_declined_payment_releases_the_inventory_and_cancels() {
    let app = TestApp::spawn().await;
    let mut body = order(json!([{"sku": "KB-001", "quantity": 3}]));
    body["paymentToken"] = json!("tok_declined");
    let id = app.place(&body).await;
    app.settle().await;
    assert_eq!(app.status_of(&id).await, "CANCELLED");
    let timeline = app.timeline(&id).await;
    assert!(
        timeline.contains(&"Payment Failed".to_owned())
            && timeline.contains(&"Inventory Released".to_owned()),
        "{timeline:?}"
    );
    let kb = app
        .runtime
        .services
        .inventory
        .all_items()
        .unwrap()
        .into_iter()
        .find(|i| i.sku.as_str() == "KB-001")
        .unwrap();
    assert_eq!((kb.available, kb.reserved), (1000, 0));
    app.assert_invariants().await;
}

#[tokio::test]
async fn a_failed_shipment_refunds_the_payment_then_releases_the_inventory() {
    let app = TestApp::spawn().await;
    let mut body = order(json!([{"sku": "MON-27", "quantity": 1}]));
    body["shipTo"]["country"] = json!("AQ");
    let id = app.place(&body).await;
    app.settle().await;
    assert_eq!(app.status_of(&id).await, "CANCELLED");
    let timeline = app.timeline(&id).await;
    let at = |t: &str| {
        timeline
            .iter()
            .position(|x| x == t)
            .unwrap_or_else(|| panic!("{t} missing from {timeline:?}"))
    };
    assert!(at("Shipment Failed") < at("Payment Refunded"));
    assert!(at("Payment Refunded") < at("Inventory Released"));
    app.assert_invariants().await;
}

#[tokio::test]
async fn a_bad_order_is_a_400_naming_the_field_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .post_order(&order(json!([{"sku": "KB-001", "quantity": 0}])), None)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "lines[0].quantity");
    app.settle().await;
    app.assert_invariants().await;
}
