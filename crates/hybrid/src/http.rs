//! The template's HTTP API routes, served on this machine over the stack's
//! orders table: the same `orders::route` the Lambda behind API Gateway
//! calls. The relay picks the order's outbox item up from the table's
//! stream, as on AWS.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use orders::DynamoOrderStore;
use runtime::RouteSpec;
use std::sync::Arc;

/// Bodies over this are refused before the handler sees them; the orders
/// API has its own, smaller limit with a clear error.
const MAX_BODY: usize = 1024 * 1024;

#[derive(Clone)]
struct Api {
    routes: Arc<Vec<RouteSpec>>,
    orders: Arc<DynamoOrderStore>,
}

/// `/orders/{id}` matches `/orders/abc`; other segments must be equal.
fn route_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn handle(api: Api, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path();
    let routed = api
        .routes
        .iter()
        .any(|r| r.method.eq_ignore_ascii_case(method.as_str()) && route_matches(&r.path, path));
    if !routed {
        let known = api.routes.iter().any(|r| route_matches(&r.path, path));
        let (status, code) = if known {
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
        } else {
            (StatusCode::NOT_FOUND, "not_found")
        };
        let body = serde_json::json!({"error": {"code": code, "message": format!("no route for {method} {path}")}});
        return json(status, body.to_string());
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let response = orders::route(
        api.orders.as_ref(),
        method.as_str(),
        path,
        key,
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

#[cfg(test)]
mod tests {
    use super::route_matches;

    #[test]
    fn a_path_parameter_matches_one_segment_only() {
        assert!(route_matches("/orders/{id}", "/orders/1"));
        assert!(!route_matches("/orders/{id}", "/orders/1/2"));
        assert!(!route_matches("/orders", "/reports"));
    }
}
