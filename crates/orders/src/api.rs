//! The order API, independent of any HTTP framework: the Lambda adapter
//! ([`crate::lambda::serve`]) and the local runtime's HTTP server both call
//! these functions and only translate requests and responses.
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
//!   [`crate::domain::MAX_BODY_BYTES`] is 413 `payload_too_large`; malformed JSON (message
//!   with line and column), a missing, unknown or invalid field is 400
//!   `invalid_request` naming the field by its JSON path. A store outage is
//!   503 `unavailable` with `"retryable": true`; client mistakes never give
//!   a 5xx.

use crate::domain::{self, IdempotencyKey, RequestError};
use crate::ports::{Order, OrderStore, Placed};
use chrono::{DateTime, Utc};
use events::{OrderId, SagaEvent};
use platform::{StoreError, metrics};
use serde_json::{Value, json};

pub use crate::domain::MAX_IDEMPOTENCY_KEY;

pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

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
        let mut error = json!({ "code": code, "message": message.into() });
        if let Some(field) = field {
            error["field"] = field.into();
        }
        Self {
            status,
            body: json!({ "error": error }),
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
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("POST", ["orders"]) => place_order(store, body, idempotency_key, now).await,
        ("GET", ["orders", id]) => get_order(store, id).await,
        (_, ["orders"] | ["orders", _]) => ApiResponse::error(
            405,
            "method_not_allowed",
            format!("{method} is not allowed here; use POST /orders or GET /orders/{{id}}"),
            None,
        ),
        _ => ApiResponse::error(404, "not_found", format!("no route for {path}"), None),
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

/// An `Idempotency-Key` header's bytes as the API validates them, on
/// every backend: bytes that are not UTF-8 become U+FFFD, which no valid
/// key holds, so a non-ASCII key is refused with 400 instead of being
/// dropped (which made every retry a new order).
pub fn idempotency_key_text(raw: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(raw)
}

fn rejected(error: RequestError) -> ApiResponse {
    match error {
        RequestError::TooLarge { .. } => {
            ApiResponse::error(413, "payload_too_large", error.to_string(), Some("$"))
        }
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
    tracing::error!(%error, "order store failed");
    match error {
        StoreError::Unavailable(_) => {
            let mut response = ApiResponse::error(
                503,
                "unavailable",
                "the order store is unavailable; retry shortly (with the same Idempotency-Key)",
                None,
            );
            response.body["error"]["retryable"] = true.into();
            response
        }
        StoreError::Corrupt(_) => ApiResponse::error(
            500,
            "store_damaged",
            "the order store holds damaged data: retrying will not help; the operator must restore it",
            None,
        ),
    }
}
