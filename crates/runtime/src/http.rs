//! The template's HTTP API routes, served on loopback. Requests go to the
//! same framework-neutral functions the orders Lambda calls.

use crate::http_server::{BodyError, HttpLimits, read_body};
use crate::services::Services;
use crate::wiring::{ApiHandler, RouteSpec};
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone)]
pub(crate) struct Api {
    pub routes: Arc<Vec<RouteSpec>>,
    pub services: Arc<Services>,
    /// Woken after an order is placed, so the outbox relay runs at once.
    pub relay: Arc<Notify>,
    pub limits: HttpLimits,
}

/// `/orders/{id}` matches `/orders/abc`; segments must agree otherwise.
/// Whether a request path fits an HTTP API route template, `{name}`
/// matching exactly one non-empty segment.
pub fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

/// Upper bound on a request body read into memory; the orders API rejects
/// bodies over its own (smaller) documented limit with a clear error, in
/// the same format.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// A JSON error in the shape every route answers with.
fn error(status: StatusCode, code: &str, message: String) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub(crate) async fn handle(api: Api, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let uri = parts.uri;
    let path = uri.path();
    // HEAD is GET without the body (RFC 9110, 9.3.2); hyper sends the
    // headers of the GET answer and leaves its body out.
    let method = if parts.method == Method::HEAD {
        Method::GET
    } else {
        parts.method
    };
    let route = api
        .routes
        .iter()
        .find(|r| r.method.eq_ignore_ascii_case(method.as_str()) && path_matches(&r.path, path));
    let Some(route) = route else {
        let known = api.routes.iter().any(|r| path_matches(&r.path, path));
        let (status, code) = if known {
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
        } else {
            (StatusCode::NOT_FOUND, "not_found")
        };
        return error(status, code, format!("no route for {method} {path}"));
    };
    let body = match read_body(body, MAX_BODY, api.limits.body_timeout).await {
        Ok(body) => body,
        Err(BodyError::TooLarge { limit }) => {
            // The same answer (and format) as the orders API's own,
            // smaller, limit.
            let mut response = error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the request body is larger than {limit} bytes"),
            );
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
        Err(BodyError::TimedOut { after }) => {
            let mut response = error(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "the request body did not arrive within {} s",
                    after.as_secs_f64()
                ),
            );
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
        Err(BodyError::Broken(why)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("the request body could not be read: {why}"),
            );
        }
    };
    // A key that is not visible ASCII is refused by the orders API, as on
    // Lambda, rather than dropped here (every retry was a new order).
    let key = parts
        .headers
        .get(orders::api::IDEMPOTENCY_KEY_HEADER)
        .map(|v| orders::api::idempotency_key_text(v.as_bytes()));
    let (status, content_type, body) = match route.handler {
        ApiHandler::Orders => {
            let response = orders::route(
                &api.services.orders,
                method.as_str(),
                path,
                key.as_deref(),
                &body,
                chrono::Utc::now(),
            )
            .await;
            if method == Method::POST && response.status < 300 {
                api.relay.notify_one();
            }
            (
                response.status,
                "application/json",
                response.body.to_string(),
            )
        }
        ApiHandler::Reports => {
            let source = reports::local::LocalSource {
                db: api.services.db.clone(),
            };
            let query = reports::api::parse_query(uri.query());
            let r = reports::api::route(&source, method.as_str(), path, query).await;
            (r.status, r.content_type, r.body)
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

pub(crate) fn router(api: Api) -> axum::Router {
    axum::Router::new().fallback(move |request: Request<Body>| {
        let api = api.clone();
        async move { handle(api, request).await }
    })
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn route_templates_match_path_parameters_only_in_their_place() {
        assert!(path_matches("/orders/{id}", "/orders/123"));
        assert!(path_matches("/orders", "/orders/"));
        assert!(!path_matches("/orders/{id}", "/orders"));
        assert!(!path_matches("/orders/{id}", "/orders/1/2"));
        assert!(path_matches("/orders/{id}", "/orders/1"));
        assert!(!path_matches("/orders", "/reports"));
    }
}
