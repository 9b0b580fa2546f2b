//! The template's HTTP API routes, served on this machine over the stack's
//! orders table: the same `orders::route` the Lambda behind API Gateway
//! calls. The relay picks the order's outbox item up from the table's
//! stream, as on AWS.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use orders::DynamoOrderStore;
use runtime::{RouteSpec, path_matches};
use std::sync::Arc;

/// Bodies over this are refused before the handler sees them; the orders
/// API has its own, smaller limit with a clear error.
const MAX_BODY: usize = 1024 * 1024;

#[derive(Clone)]
struct Api {
    routes: Arc<Vec<RouteSpec>>,
    orders: Arc<DynamoOrderStore>,
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn handle(api: Api, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path();
    let routed = api
        .routes
        .iter()
        .any(|r| r.method.eq_ignore_ascii_case(method.as_str()) && path_matches(&r.path, path));
    if !routed {
        let known = api.routes.iter().any(|r| path_matches(&r.path, path));
        let (status, code) = if known {
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
        } else {
            (StatusCode::NOT_FOUND, "not_found")
        };
        let body = serde_json::json!({"error": {"code": code, "message": format!("no route for {method} {path}")}});
        return json(status, body.to_string());
    }
    // Refused by the orders API when not visible ASCII, as on Lambda.
    let key = headers
        .get(orders::api::IDEMPOTENCY_KEY_HEADER)
        .map(|v| orders::api::idempotency_key_text(v.as_bytes()));
    let response = orders::route(
        api.orders.as_ref(),
        method.as_str(),
        path,
        key.as_deref(),
        &body,
        chrono::Utc::now(),
    )
    .await;
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(status, response.body.to_string())
}

pub(crate) fn router(routes: Vec<RouteSpec>, orders: Arc<DynamoOrderStore>) -> axum::Router {
    let api = Api {
        routes: Arc::new(routes),
        orders,
    };
    axum::Router::new()
        .fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let api = api.clone();
                async move { handle(api, method, uri, headers, body).await }
            },
        )
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}
