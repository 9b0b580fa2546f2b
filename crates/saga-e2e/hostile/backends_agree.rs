//! Where the local server and the Lambda behind API Gateway could answer
//! differently, a test runs both on the same request.

use saga_e2e::{TestApp, order};
use serde_json::{Value, json};

/// The orders Lambda's answer to `POST /orders` with this key's bytes,
/// over the same store as the local server.
async fn lambda_post(app: &TestApp, key: &[u8], body: &str) -> (u16, Value) {
    use lambda_http::http;
    let request = http::Request::builder()
        .method("POST")
        .uri("https://api.example.com/orders")
        .header(
            "Idempotency-Key",
            http::HeaderValue::from_bytes(key).expect("obs-text is allowed"),
        )
        .body(lambda_http::Body::from(body.as_bytes().to_vec()))
        .expect("request");
    let response = orders::lambda::serve(&app.runtime.services.orders, request).await;
    let body = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    (response.status().as_u16(), body)
}

async fn local_post(app: &TestApp, key: &[u8], body: &str) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}/orders", app.base))
        .header("Content-Type", "application/json")
        .header(
            "Idempotency-Key",
            reqwest::header::HeaderValue::from_bytes(key).expect("obs-text is allowed"),
        )
        .body(body.to_owned())
        .send()
        .await
        .expect("POST /orders");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

/// A header value is bytes: an `Idempotency-Key` of UTF-8 `é` or of a
/// Latin-1 byte is not the visible ASCII the API documents
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
/// passes header values through to the function as they came).
#[tokio::test]
async fn a_non_ascii_idempotency_key_gets_the_same_400_locally_and_from_the_lambda() {
    let app = TestApp::spawn().await;
    let body = order(json!([{"sku": "KB-001", "quantity": 1}])).to_string();
    for key in ["clé-1".as_bytes(), b"caf\xe9"] {
        let local = local_post(&app, key, &body).await;
        let lambda = lambda_post(&app, key, &body).await;
        assert_eq!(local.0, 400, "{}", local.1);
        assert_eq!(local, lambda, "both backends answer alike");
        assert_eq!(local.1["error"]["field"], "Idempotency-Key", "{}", local.1);
    }
    // A retry with the same key is refused again: no order was stored.
    let (status, _) = local_post(&app, "clé-1".as_bytes(), &body).await;
    assert_eq!(status, 400);
    let stored: i64 = app
        .runtime
        .services
        .db
        .transaction(|tx| tx.query_row("SELECT count(*) FROM orders", [], |r| r.get(0)))
        .expect("count");
    assert_eq!(stored, 0, "the old local server stored one order per retry");
}

/// HEAD is GET without a body (RFC 9110, section 9.3.2,
/// https://www.rfc-editor.org/rfc/rfc9110#section-9.3.2).
#[tokio::test]
async fn head_on_a_get_route_answers_as_get_without_a_body() {
    let app = TestApp::spawn().await;
    let id = app
        .place(&order(json!([{"sku": "KB-001", "quantity": 1}])))
        .await;
    let response = app
        .http
        .head(format!("{}/orders/{id}", app.base))
        .send()
        .await
        .expect("HEAD");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "the GET answer's headers"
    );
    assert!(response.bytes().await.expect("body").is_empty());
    let unknown = app
        .http
        .head(format!(
            "{}/orders/00000000-0000-0000-0000-000000000000",
            app.base
        ))
        .send()
        .await
        .expect("HEAD");
    assert_eq!(unknown.status(), 404);
}
