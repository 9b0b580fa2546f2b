//! What every console endpoint, the JSON ones and the live stream alike,
//! makes of a request: its query parameters (known ones only, numbers
//! named when they do not parse) and its errors, in the shape every route
//! of `saga run` answers with.

use crate::{Console, Saga, feed};
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use platform::Retryable;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// How many events one read of the archive returns at most.
pub(crate) const BATCH: usize = 200;

pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_request",
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: String) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message,
        }
    }

    pub(crate) fn starting() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "unavailable",
            message: "the saga is starting; retry shortly".into(),
        }
    }

    pub(crate) fn internal(message: String) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message,
        }
    }
}

impl From<platform::StoreError> for ApiError {
    fn from(error: platform::StoreError) -> Self {
        let (status, code) = if error.is_retryable() {
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        } else {
            (StatusCode::INTERNAL_SERVER_ERROR, "store_damaged")
        };
        Self {
            status,
            code,
            message: error.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

impl Console {
    pub(crate) fn running(&self) -> Result<Arc<Saga>, ApiError> {
        self.saga().ok_or_else(ApiError::starting)
    }
}

/// A query string of known parameters only; anything else is named.
pub(crate) fn query<T: DeserializeOwned>(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    known: &[&str],
) -> Result<T, ApiError> {
    let Query(map) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown query parameter {unknown}; this endpoint takes {}",
            known.join(", ")
        )));
    }
    let value = serde_json::to_value(map).map_err(|e| ApiError::internal(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| ApiError::bad_request(e.to_string()))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FeedQuery {
    pub after: Option<String>,
    pub limit: Option<String>,
    #[serde(flatten)]
    pub filter: feed::Filter,
}

pub(crate) const FEED_PARAMS: &[&str] = &["after", "limit", "source", "detailType", "orderId"];

pub(crate) fn number<T: std::str::FromStr>(
    name: &str,
    text: Option<&str>,
) -> Result<Option<T>, ApiError> {
    text.map(|t| {
        t.parse()
            .map_err(|_| ApiError::bad_request(format!("{name} must be a whole number, got {t:?}")))
    })
    .transpose()
}
