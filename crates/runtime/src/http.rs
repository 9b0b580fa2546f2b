//! The template's HTTP API routes, served on loopback. Requests go to the
//! same framework-neutral functions the orders Lambda calls.

use crate::services::Services;
use crate::wiring::{ApiHandler, RouteSpec};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone)]
pub(crate) struct Api {
    pub routes: Arc<Vec<RouteSpec>>,
    pub services: Arc<Services>,
    /// Woken after an order is placed, so the outbox relay runs at once.
    pub relay: Arc<Notify>,
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
/// bodies over its own (smaller) documented limit with a clear error.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

pub(crate) async fn handle(
    api: Api,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
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
        let body = serde_json::json!({"error": {"code": code, "message": format!("no route for {method} {path}")}});
        return (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let (status, content_type, body) = match route.handler {
        ApiHandler::Orders => {
            let response = orders::route(
                &api.services.orders,
                method.as_str(),
                path,
                key,
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

/// Serves `app` on a listener already bound until `stop` changes: the
/// embedded and the hybrid runtime serve the template's routes this way.
pub fn serve_until(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop.changed().await;
        });
        if let Err(error) = serve.await {
            tracing::error!(%error, "HTTP server stopped");
        }
    })
}

pub(crate) fn router(api: Api) -> axum::Router {
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
