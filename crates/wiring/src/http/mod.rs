//! The axum shell of the HTTP API, the one the embedded and the hybrid
//! backends serve on loopback: the template's routes pick the API
//! (`orders-api`'s to [`orders::api::serve`], `reports-api`'s to
//! [`reports::api::serve`]), the body is read within
//! [`platform::http::MAX_BODY_BYTES`] and the body timeout, and the APIs'
//! `http` answers go out as they are. 404, 405 and 413 are
//! [`platform::http`]'s, as in the Lambda behind API Gateway.

mod server;

pub use server::{HttpLimits, serve_until};

use crate::functions::{ApiHandler, RouteSpec};
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orders::OrderStore;
use platform::http as web;
use server::{BodyError, read_body};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub use platform::http::path_matches;

/// The template's API routes over one backend's order store and report
/// source.
pub struct TemplateApi<O, R> {
    pub routes: Vec<RouteSpec>,
    pub orders: O,
    pub reports: R,
    /// Woken after an order is placed, so the embedded outbox relay runs at
    /// once (the hybrid backend's relay follows the table's stream).
    pub placed: Option<Arc<Notify>>,
    /// How long a request's body may take to arrive.
    pub body_timeout: Duration,
}

/// Serves the template's routes.
pub fn template_router<O, R>(api: TemplateApi<O, R>) -> axum::Router
where
    O: OrderStore + 'static,
    R: reports::api::Source + Send + Sync + 'static,
{
    let api = Arc::new(api);
    axum::Router::new().fallback(move |request: Request<Body>| {
        let api = api.clone();
        async move { handle(&api, request).await }
    })
}

async fn handle<O, R>(api: &TemplateApi<O, R>, request: Request<Body>) -> Response
where
    O: OrderStore,
    R: reports::api::Source,
{
    let (mut parts, body) = request.into_parts();
    // HEAD is GET without the body (RFC 9110, 9.3.2); hyper sends the
    // headers of the GET answer and leaves its body out.
    if parts.method == Method::HEAD {
        parts.method = Method::GET;
    }
    let route = match web::find_route(&api.routes, parts.method.as_str(), parts.uri.path()) {
        Ok(route) => route,
        Err(refused) => return wire(refused.into_response()),
    };
    let body = match read_body(body, web::MAX_BODY_BYTES, api.body_timeout).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => return closing(web::payload_too_large()),
        Err(BodyError::TimedOut { after }) => {
            return closing(web::error(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                format!(
                    "the request body did not arrive within {} s",
                    after.as_secs_f64()
                ),
            ));
        }
        Err(BodyError::Broken(why)) => {
            return wire(web::error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("the request body could not be read: {why}"),
            ));
        }
    };
    let request = web::Request::from_parts(parts, body);
    let response = match route.handler {
        ApiHandler::Orders => {
            let placing = request.method() == Method::POST;
            let response = orders::api::serve(&api.orders, request).await;
            if placing
                && response.status().is_success()
                && let Some(placed) = &api.placed
            {
                placed.notify_one();
            }
            response
        }
        ApiHandler::Reports => reports::api::serve(&api.reports, request).await,
    };
    wire(response)
}

fn wire(response: web::Response) -> Response {
    response.map(Body::from).into_response()
}

/// An answer given before the body was read whole: the rest of it is not
/// read, so the connection cannot carry another request.
fn closing(response: web::Response) -> Response {
    let mut response = wire(response);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
