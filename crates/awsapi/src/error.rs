//! Errors as AWS sends them: an HTTP status, a JSON body with `__type` and
//! `message`, and for SQS the awsQuery-compatible code in
//! `x-amzn-query-error` that SDKs report as the error code
//! (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html).

use crate::Protocol;
use axum::http::StatusCode;
use thiserror::Error;

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    /// The error's shape name (`ResourceNotFoundException`,
    /// `QueueDoesNotExist`).
    pub code: &'static str,
    /// SQS only: the awsQuery code and fault (`AWS.SimpleQueueService.NonExistentQueue`).
    pub query_code: Option<(&'static str, &'static str)>,
    pub message: String,
    #[source]
    pub cause: Option<Cause>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            query_code: None,
            message: message.into(),
            cause: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// An SQS error with its awsQuery code (`Sender`: the client's fault).
    pub fn sqs(
        status: StatusCode,
        code: &'static str,
        query_code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            query_code: Some((query_code, "Sender")),
            ..Self::new(status, code, message)
        }
    }

    pub fn unknown_operation(message: impl Into<String>) -> Self {
        Self::bad_request("UnknownOperationException", message)
    }

    /// A body that is not the operation's input shape.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::bad_request("SerializationException", message)
    }

    /// The runtime failed (the database): worth a retry, as AWS's 500s.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalException",
            message,
        )
    }

    pub fn store(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            cause: Some(Box::new(error)),
            ..Self::internal("the local runtime's database failed; retry")
        }
    }

    /// Whether the same request may succeed later.
    pub fn retryable(&self) -> bool {
        self.status.is_server_error()
    }

    pub(crate) fn body(&self, protocol: Protocol) -> String {
        let kind = match protocol {
            Protocol::Events => self.code.to_owned(),
            Protocol::Sqs => format!("com.amazonaws.sqs#{}", self.code),
        };
        let message = match &self.cause {
            Some(cause) => format!("{}: {cause}", self.message),
            None => self.message.clone(),
        };
        serde_json::json!({"__type": kind, "message": message}).to_string()
    }

    pub(crate) fn query_header(&self) -> Option<String> {
        self.query_code
            .map(|(code, fault)| format!("{code};{fault}"))
    }
}
