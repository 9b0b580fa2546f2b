//! The EventBridge and SQS APIs over the local runtime's emulated bus,
//! rules, queues, DLQs and archive, served by `saga run` on its own
//! loopback listener so that any AWS SDK, or the AWS CLI with
//! `--endpoint-url`, talks to the same resources the saga uses.
//!
//! Both are AWS JSON protocols: a `POST /` whose `X-Amz-Target` names the
//! operation (`AWSEvents.PutEvents`, JSON 1.1; `AmazonSQS.SendMessage`,
//! JSON 1.0) and whose body is the operation's input. Errors carry AWS's
//! `__type`, message and HTTP status (and SQS's `x-amzn-query-error`), so
//! an SDK classifies and retries them as it would against AWS.
//!
//! Requests are not authenticated: a SigV4 `Authorization` header is
//! accepted and not checked, as the endpoint listens on loopback only.
//! This crate knows the emulator (bus, queues, archive, patterns) and
//! nothing of orders.

mod error;
mod eventbridge;
mod sqs;

pub use error::ApiError;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use emulator::Emulator;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Largest request body read: PutEvents takes 1 MB of entries and
/// SendMessageBatch 1 MiB of messages, plus their JSON framing.
const MAX_REQUEST: usize = 2 * 1024 * 1024;

/// The state both APIs share: the emulator and what the API itself keeps
/// (replays, message move tasks, purge times) until restart.
pub(crate) struct Api {
    pub emulator: Emulator,
    pub replays: eventbridge::Replays,
    pub sqs: sqs::SqsState,
}

/// The router to mount on `saga run`'s listener.
pub fn router(emulator: Emulator) -> axum::Router {
    let api = Arc::new(Api {
        emulator,
        replays: eventbridge::Replays::default(),
        sqs: sqs::SqsState::default(),
    });
    axum::Router::new()
        .route("/", axum::routing::post(handle))
        .with_state(api)
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
}

/// Which API and wire format a request speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// EventBridge: AWS JSON 1.1.
    Events,
    /// SQS: AWS JSON 1.0, with awsQuery-compatible error codes.
    Sqs,
}

impl Protocol {
    fn content_type(self) -> &'static str {
        match self {
            Protocol::Events => "application/x-amz-json-1.1",
            Protocol::Sqs => "application/x-amz-json-1.0",
        }
    }
}

async fn handle(State(api): State<Arc<Api>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let request_id = uuid::Uuid::new_v4().to_string();
    let (protocol, result) = match target.split_once('.') {
        Some(("AWSEvents", operation)) => (
            Protocol::Events,
            eventbridge::dispatch(&api, operation, &body).await,
        ),
        Some(("AmazonSQS", operation)) => (
            Protocol::Sqs,
            sqs::dispatch(&api, &host, operation, &body).await,
        ),
        _ => (
            Protocol::Events,
            Err(ApiError::unknown_operation(if target.is_empty() {
                "no X-Amz-Target header: this endpoint serves the EventBridge (AWSEvents.*) and SQS (AmazonSQS.*) JSON APIs".to_owned()
            } else {
                format!("unknown target {target}: this endpoint serves AWSEvents.* and AmazonSQS.*")
            })),
        ),
    };
    let (status, body, query_error) = match result {
        Ok(body) => (StatusCode::OK, body, None),
        Err(error) => {
            if error.status.is_server_error() {
                tracing::error!(target, error = %error.message, "AWS API request failed");
            } else {
                tracing::debug!(target, code = error.code, error = %error.message, "AWS API request refused");
            }
            (error.status, error.body(protocol), error.query_header())
        }
    };
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(protocol.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-amzn-requestid", v);
    }
    if let Some(v) = query_error.and_then(|q| HeaderValue::from_str(&q).ok()) {
        h.insert("x-amzn-query-error", v);
    }
    response
}

/// Parses an operation's input; a body that is not its JSON shape is the
/// client's mistake, named with the field at fault.
pub(crate) fn input<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // An SDK sends `{}` for an operation without input; some send nothing.
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| ApiError::serialization(format!("{} at {}", e.inner(), e.path())))
}

/// Serializes an operation's output.
pub(crate) fn output<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::internal(e.to_string()))
}
