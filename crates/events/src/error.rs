use thiserror::Error;

/// A value that does not satisfy its domain rules. `field` is the JSON path
/// of the offending field, so an API can name it in a 400.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Prefixes the field path, for errors raised inside nested values.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_owned()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

/// Why an event from the bus could not be turned into a [`crate::SagaEvent`].
/// None of these gets better on retry: the bytes will be the same.
#[derive(Debug, Error)]
pub enum EventError {
    #[error("event is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unknown event: source `{event_source}`, detail-type `{detail_type}`")]
    UnknownType {
        event_source: String,
        detail_type: String,
    },
    #[error("`{detail_type}` detail does not match its contract: {error}")]
    Detail {
        detail_type: String,
        error: serde_json::Error,
    },
}
