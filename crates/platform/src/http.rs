//! The HTTP API's conventions, written once for every backend: the header
//! names, the body limit, the JSON error bodies, `Retry-After` on a 503,
//! and the route lookup that answers 404 and 405. The APIs themselves
//! (`orders::api::serve`, `reports::api::serve`) take an
//! [`http::Request<Bytes>`] and give an [`http::Response<Bytes>`]; the
//! shells only translate: axum in the embedded and hybrid backends
//! (`runtime`'s HTTP server), `lambda_http` behind API Gateway
//! ([`lambda`]).

#[cfg(feature = "aws")]
pub mod lambda;

pub use bytes::Bytes;
pub use http::{Method, StatusCode};

use http::{HeaderValue, header};
use serde_json::{Value, json};

pub type Request = http::Request<Bytes>;
pub type Response = http::Response<Bytes>;

/// The header a client names a retry of the same request by
/// (https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/).
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The largest request body the API accepts, on every backend: an order of
/// the most lines with long addresses is a few KB. The local servers stop
/// reading a body at this size; API Gateway passes up to 10 MB, which the
/// API refuses with the same answer.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// What a 503 tells the client to wait before retrying, in seconds
/// (`Retry-After`, https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3).
pub const RETRY_AFTER_SECONDS: &str = "1";

pub const JSON: &str = "application/json";

/// A response with its content type, and `Retry-After` when it is a 503:
/// every answer of the API is made here.
pub fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response {
    let mut response = http::Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    response
}

/// A JSON response.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    respond(status, JSON, body.to_string())
}

/// `{"error": {"code", "message", "field"?, "retryable"?}}`: the one shape
/// of every error the API answers.
pub fn error_body(code: &str, message: impl Into<String>, field: Option<&str>) -> Value {
    let mut error = json!({ "code": code, "message": message.into() });
    if let Some(field) = field {
        error["field"] = field.into();
    }
    json!({ "error": error })
}

/// An error body saying a retry may succeed (answered with 503).
pub fn retryable_error_body(code: &str, message: impl Into<String>) -> Value {
    let mut body = error_body(code, message, None);
    body["error"]["retryable"] = true.into();
    body
}

pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    json_response(status, &error_body(code, message, None))
}

/// The answer to a body over [`MAX_BODY_BYTES`], whoever noticed it.
pub fn payload_too_large_body() -> Value {
    error_body(
        "payload_too_large",
        format!(
            "the request body is larger than {MAX_BODY_BYTES} bytes, the most this API accepts"
        ),
        Some("$"),
    )
}

pub fn payload_too_large() -> Response {
    json_response(StatusCode::PAYLOAD_TOO_LARGE, &payload_too_large_body())
}

/// Whether a request path fits an HTTP API route template (`/orders/{id}`
/// matches `/orders/abc`), `{name}` matching exactly one non-empty segment.
pub fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

/// A route of the API: its method and path template.
pub trait RouteKey {
    fn method(&self) -> &str;
    fn path(&self) -> &str;
}

impl RouteKey for (&str, &str) {
    fn method(&self) -> &str {
        self.0
    }
    fn path(&self) -> &str {
        self.1
    }
}

/// A request no route takes: 405 when another method has the path, 404
/// otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct NoRoute {
    pub status: StatusCode,
    pub body: Value,
}

impl NoRoute {
    pub fn into_response(self) -> Response {
        json_response(self.status, &self.body)
    }
}

/// The route a request takes, or why there is none.
pub fn find_route<'a, R: RouteKey>(
    routes: &'a [R],
    method: &str,
    path: &str,
) -> Result<&'a R, NoRoute> {
    if let Some(route) = routes
        .iter()
        .find(|r| r.method().eq_ignore_ascii_case(method) && path_matches(r.path(), path))
    {
        return Ok(route);
    }
    let known = routes.iter().any(|r| path_matches(r.path(), path));
    let (status, code) = if known {
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    } else {
        (StatusCode::NOT_FOUND, "not_found")
    };
    Err(NoRoute {
        status,
        body: error_body(code, format!("no route for {method} {path}"), None),
    })
}

/// The request's `Idempotency-Key` as the API validates it: bytes that are
/// not UTF-8 become U+FFFD, which no valid key holds, so a non-ASCII key is
/// refused with 400 instead of being dropped (which made every retry a new
/// order).
pub fn idempotency_key(request: &Request) -> Option<String> {
    request
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_templates_match_path_parameters_only_in_their_place() {
        assert!(path_matches("/orders/{id}", "/orders/123"));
        assert!(path_matches("/orders", "/orders/"));
        assert!(!path_matches("/orders/{id}", "/orders"));
        assert!(!path_matches("/orders/{id}", "/orders/1/2"));
        assert!(path_matches("/orders/{id}", "/orders/1"));
        assert!(!path_matches("/orders", "/reports"));
    }

    #[test]
    fn a_path_another_method_serves_is_405_and_an_unknown_one_404() {
        let routes = [("POST", "/orders"), ("GET", "/orders/{id}")];
        assert_eq!(
            find_route(&routes, "get", "/orders/1").ok(),
            Some(&routes[1])
        );
        let refused = find_route(&routes, "DELETE", "/orders")
            .unwrap_err()
            .into_response();
        assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            refused.body().as_ref(),
            br#"{"error":{"code":"method_not_allowed","message":"no route for DELETE /orders"}}"#
        );
        let missing = find_route(&routes, "GET", "/nope").unwrap_err();
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }

    /// https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3: a 503 says
    /// when to come back; no other status does.
    #[test]
    fn only_a_503_carries_retry_after() {
        let busy = json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &retryable_error_body("unavailable", "x"),
        );
        assert_eq!(busy.headers()[header::RETRY_AFTER], RETRY_AFTER_SECONDS);
        assert_eq!(busy.headers()[header::CONTENT_TYPE], JSON);
        let failed = error(StatusCode::INTERNAL_SERVER_ERROR, "x", "y");
        assert!(failed.headers().get(header::RETRY_AFTER).is_none());
    }
}
