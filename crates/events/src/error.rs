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
///
/// The messages go into logs and dead-letter records, and an event can hold
/// an address or a payment token, so they never quote a value from the
/// event: serde's "invalid type: string \"12 Secret Row\"" becomes
/// "invalid type: string" (see [`without_values`]).
#[derive(Debug, Error)]
pub enum EventError {
    #[error("event is not valid JSON: {}", without_values(&.0.to_string()))]
    Json(#[from] serde_json::Error),
    #[error("unknown event: source `{event_source}`, detail-type `{detail_type}`")]
    UnknownType {
        event_source: String,
        detail_type: String,
    },
    /// The event declares a major version of its contract this consumer
    /// does not read: reading it as another major would misread it.
    #[error("`{detail_type}` version {version} is not a major this consumer reads (it reads {})", majors(.known))]
    UnknownVersion {
        detail_type: String,
        version: u64,
        known: Vec<u32>,
    },
    #[error("`{detail_type}` detail does not match its contract: {}", without_values(&.error.to_string()))]
    Detail {
        detail_type: String,
        error: serde_json::Error,
    },
}

fn majors(known: &[u32]) -> String {
    let known: Vec<String> = known.iter().map(|m| format!("version {m}")).collect();
    known.join(", ")
}

/// A serde error message without the values it quotes. serde names a
/// rejected value after its kind (`string "..."`, ``integer `5` ``,
/// ``unknown variant `X` ``); the kind stays, the value goes. Field names
/// (``missing field `sku` ``) are the contract's, not the event's data, and
/// stay.
pub fn without_values(message: &str) -> String {
    const QUOTED: &[&str] = &[
        "string \"",
        "integer `",
        "floating point `",
        "character `",
        "boolean `",
        "unknown variant `",
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some((at, prefix)) = QUOTED
        .iter()
        .filter_map(|p| rest.find(p).map(|at| (at, *p)))
        .min_by_key(|(at, _)| *at)
    {
        let kind = &prefix[..prefix.len() - 2];
        let close = prefix.as_bytes()[prefix.len() - 1];
        out.push_str(&rest[..at]);
        out.push_str(kind);
        let value = &rest[at + prefix.len()..];
        // Skip to the closing quote; a string's value is Debug-escaped, so
        // an escaped quote (\") does not close it.
        let mut end = value.len();
        let mut escaped = false;
        for (i, b) in value.bytes().enumerate() {
            match b {
                b'\\' if close == b'"' && !escaped => escaped = true,
                _ if b == close && !escaped => {
                    end = i + 1;
                    break;
                }
                _ => escaped = false,
            }
        }
        rest = &value[end.min(value.len())..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_keep_the_kind_and_the_field_but_lose_the_value() {
        let cases = [
            (
                "invalid type: string \"12 Secret \\\"Row\\\" N1\", expected u32 at line 1 column 9",
                "invalid type: string, expected u32 at line 1 column 9",
            ),
            (
                "invalid value: integer `4111`, expected a sku",
                "invalid value: integer, expected a sku",
            ),
            (
                "unknown variant `tok_x`, expected one of `A`, `B`",
                "unknown variant, expected one of `A`, `B`",
            ),
            ("missing field `sku`", "missing field `sku`"),
            (
                "invalid type: string \"unterminated",
                "invalid type: string",
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(without_values(message), expected);
        }
    }

    #[test]
    fn a_detail_error_does_not_quote_the_event() {
        let error = serde_json::from_str::<u32>("\"77 Confidential Mews\"").unwrap_err();
        let shown = EventError::Detail {
            detail_type: "Order Placed".into(),
            error,
        }
        .to_string();
        assert!(!shown.contains("Confidential"), "{shown}");
        assert!(
            shown.contains("invalid type: string, expected u32"),
            "{shown}"
        );
    }
}
