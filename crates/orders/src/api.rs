//! The order API over `http` types ([`serve`]): the axum server of the
//! embedded and hybrid backends and the Lambda behind API Gateway
//! ([`crate::lambda::serve`]) call it and only translate requests and
//! responses. Header names, the body limit and the error bodies are
//! [`platform::http`]'s.
//!
//! - `POST /orders`: 201 `{"orderId","status":"PENDING"}` when created, the
//!   id time-ordered (UUID v7). With an `Idempotency-Key` header the store
//!   also records which order the key placed; a repeat with the same key
//!   and the same order (however formatted) returns 200 with that order's
//!   id and *current* status and writes nothing; the same key with a
//!   different order is 422 `idempotency_key_reused`.
//! - `GET /orders/{id}`: 200 with the order and its timeline; 400 for an id
//!   that is not a UUID, 404 for an unknown one.
//! - Errors: `{"error": {"code", "message", "field"?}}`. A body over
//!   [`platform::http::MAX_BODY_BYTES`] is 413 `payload_too_large`;
//!   malformed JSON (message with line and column), a missing, unknown or
//!   invalid field is 400 `invalid_request` naming the field by its JSON
//!   path. A store outage is 503 `unavailable` with `"retryable": true` and
//!   `Retry-After`; client mistakes never give a 5xx.

use crate::domain::{self, IdempotencyKey, RequestError};
use crate::ports::{Order, OrderStore, Placed};
use chrono::{DateTime, Utc};
use events::{OrderId, SagaEvent};
use platform::http::{self as web, StatusCode};
use platform::{Retryable, StoreError, metrics};
use serde_json::{Value, json};

pub use crate::domain::MAX_IDEMPOTENCY_KEY;

pub const IDEMPOTENCY_KEY_HEADER: &str = web::IDEMPOTENCY_KEY;

/// The routes this API serves (the template's `OrdersApiFunction` events).
pub const ROUTES: [(&str, &str); 2] = [("POST", "/orders"), ("GET", "/orders/{id}")];

#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Value,
}

impl ApiResponse {
    fn ok(status: u16, body: Value) -> Self {
        Self { status, body }
    }

    fn error(status: u16, code: &str, message: impl Into<String>, field: Option<&str>) -> Self {
        Self {
            status,
            body: web::error_body(code, message, field),
        }
    }

    fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::error(400, "invalid_request", message, Some(field))
    }

    /// The error code, for an error response.
    pub fn error_code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }

    /// The field an error response names.
    pub fn error_field(&self) -> Option<&str> {
        self.body["error"]["field"].as_str()
    }

    /// The answer on the wire.
    pub fn into_http(self) -> web::Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        web::json_response(status, &self.body)
    }
}

/// Serves one request: the order API over `http` types.
pub async fn serve<S: OrderStore>(store: &S, request: web::Request) -> web::Response {
    if request.body().len() > web::MAX_BODY_BYTES {
        return web::payload_too_large();
    }
    let key = web::idempotency_key(&request);
    route(
        store,
        request.method().as_str(),
        request.uri().path(),
        key.as_deref(),
        request.body(),
        Utc::now(),
    )
    .await
    .into_http()
}

/// Routes a request by method and path (query string excluded).
pub async fn route<S: OrderStore>(
    store: &S,
    method: &str,
    path: &str,
    idempotency_key: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> ApiResponse {
    match web::find_route(&ROUTES, method, path) {
        Ok(&(_, "/orders")) => place_order(store, body, idempotency_key, now).await,
        Ok(_) => {
            let id = path
                .trim_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            get_order(store, id).await
        }
        Err(refused) => ApiResponse {
            status: refused.status.as_u16(),
            body: refused.body,
        },
    }
}

pub async fn place_order<S: OrderStore>(
    store: &S,
    body: &[u8],
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResponse {
    place_order_as(store, body, idempotency_key, now, OrderId::random()).await
}

/// [`place_order`] with the id a new order gets chosen by the caller: the
/// simulator derives it from the key, so that a seed's event ids, and the
/// faults drawn from them, are the same on every run.
pub async fn place_order_as<S: OrderStore>(
    store: &S,
    body: &[u8],
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
    new_id: OrderId,
) -> ApiResponse {
    let order = match domain::parse_place_order(body) {
        Ok(order) => order,
        Err(e) => return rejected(e),
    };
    let key = match idempotency_key.map(|k| IdempotencyKey::parse(k).ok_or(k)) {
        None => None,
        Some(Ok(key)) => Some(key),
        Some(Err(_)) => {
            return ApiResponse::invalid(
                IDEMPOTENCY_KEY_HEADER,
                format!("must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"),
            );
        }
    };
    let outbox = SagaEvent::from(order.placed(new_id, now)).to_outgoing();
    let record = Order::pending(new_id, &order, now);
    let placed = store
        .place(&record, key.as_ref(), &order.request_hash(), &outbox)
        .await;
    match placed {
        Ok(Placed::Created) => {
            metrics::count(metrics::ORDERS_PLACED, 1.0);
            tracing::info!(order_id = %new_id, lines = order.lines.len(), "order placed");
            ApiResponse::ok(201, json!({ "orderId": new_id, "status": record.status }))
        }
        Ok(Placed::Existing {
            order: existing,
            same_request: true,
        }) => {
            tracing::info!(order_id = %existing.order_id, "idempotent replay; returning the existing order");
            ApiResponse::ok(
                200,
                json!({ "orderId": existing.order_id, "status": existing.status }),
            )
        }
        Ok(Placed::Existing { .. }) => ApiResponse::error(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different order",
            Some(IDEMPOTENCY_KEY_HEADER),
        ),
        Err(e) => store_failure(e),
    }
}

pub async fn get_order<S: OrderStore>(store: &S, id: &str) -> ApiResponse {
    let Some(order_id) = OrderId::parse(id) else {
        return ApiResponse::invalid("id", "must be an order id (a UUID)");
    };
    match store.get(order_id).await {
        Ok(Some(view)) => match serde_json::to_value(&view) {
            Ok(body) => ApiResponse::ok(200, body),
            Err(e) => store_failure(StoreError::Corrupt(e.to_string())),
        },
        Ok(None) => ApiResponse::error(404, "not_found", format!("no order {order_id}"), None),
        Err(e) => store_failure(e),
    }
}

fn rejected(error: RequestError) -> ApiResponse {
    match error {
        RequestError::TooLarge { .. } => ApiResponse {
            status: 413,
            body: web::payload_too_large_body(),
        },
        RequestError::Malformed(message) => ApiResponse::error(
            400,
            "invalid_request",
            format!("malformed JSON: {message}"),
            Some("$"),
        ),
        RequestError::Invalid(e) => ApiResponse::invalid(&e.field, e.message),
    }
}

fn store_failure(error: StoreError) -> ApiResponse {
    let retryable = error.is_retryable();
    let cause = platform::error::chain(&error);
    tracing::error!(error = %cause, retryable, "order store failed");
    match error {
        _ if retryable => ApiResponse {
            status: 503,
            body: web::retryable_error_body(
                "unavailable",
                "the order store is unavailable; retry shortly (with the same Idempotency-Key)",
            ),
        },
        _ if error.is_damage() => ApiResponse::error(
            500,
            "store_damaged",
            "the order store holds damaged data: retrying will not help; the operator must restore it",
            None,
        ),
        // A constraint the schema enforces, a statement that fails: a bug
        // on our side, which a retry would only repeat.
        _ => ApiResponse::error(
            500,
            "internal_error",
            "the order store refused the request: retrying will not help",
            None,
        ),
    }
}
