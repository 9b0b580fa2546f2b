use aws_lambda_events::event::sqs::SqsMessage;
use chrono::{DateTime, Utc};
use events::{BusEvent, OutgoingEvent};
use serde::{Deserialize, Serialize};

/// A message that exhausted its retries, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    /// The DLQ it came from (the queue name, not the ARN).
    pub queue: String,
    pub message_id: String,
    pub body: String,
    /// Why it failed, when the sender said: EventBridge sets ERROR_CODE and
    /// ERROR_MESSAGE on messages it dead-letters
    /// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html);
    /// the local runtime sets ErrorMessage with the handler's last error.
    pub error: Option<String>,
    /// Receives before it was dead-lettered, when known.
    pub attempts: u32,
    pub received_at: DateTime<Utc>,
    pub redriven_at: Option<DateTime<Utc>>,
}

/// The queue name at the end of an SQS ARN (`arn:aws:sqs:region:account:name`).
pub fn queue_name(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// A queue name no SQS queue can have: a redrive request naming one is a
/// typo, refused before any store is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("queue {name:?} is not an SQS queue name: {rule}")]
pub struct InvalidQueueName {
    pub name: String,
    pub rule: &'static str,
}

/// SQS's naming rules (CreateQueue, `QueueName`: up to 80 characters of
/// letters, digits, `-` and `_`, a FIFO queue's ending in `.fifo`;
/// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
/// The local runtime's queues are named by their logical ids, which follow
/// them too.
pub fn check_queue_name(name: &str) -> Result<(), InvalidQueueName> {
    let refuse = |rule| {
        Err(InvalidQueueName {
            name: name.to_owned(),
            rule,
        })
    };
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    if base.is_empty() {
        refuse("it is empty")
    } else if name.chars().count() > 80 {
        refuse("it is longer than 80 characters")
    } else if !base
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        refuse("only letters, digits, '-' and '_' are allowed (and a '.fifo' suffix)")
    } else {
        Ok(())
    }
}

fn attribute(message: &SqsMessage, name: &str) -> Option<String> {
    message
        .message_attributes
        .get(name)
        .and_then(|a| a.string_value.clone())
}

impl DeadLetter {
    pub fn from_message(message: &SqsMessage, now: DateTime<Utc>) -> Self {
        let error = match (
            attribute(message, "ERROR_CODE"),
            attribute(message, "ERROR_MESSAGE"),
        ) {
            (Some(code), Some(text)) => Some(format!("{code}: {text}")),
            (code, text) => code.or(text).or_else(|| attribute(message, "ErrorMessage")),
        };
        let attempts = attribute(message, "RETRY_ATTEMPTS")
            .or_else(|| attribute(message, "Attempts"))
            .or_else(|| message.attributes.get("ApproximateReceiveCount").cloned())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Self {
            queue: queue_name(message.event_source_arn.as_deref().unwrap_or("unknown")).to_owned(),
            message_id: message.message_id.clone().unwrap_or_default(),
            body: message.body.clone().unwrap_or_default(),
            error,
            attempts,
            received_at: now,
            redriven_at: None,
        }
    }

    /// The event to put back on the bus, if the body is a saga event. Its
    /// `metadata.eventId` is kept, so a consumer that did handle it in the
    /// meantime dedupes the redriven copy.
    pub fn to_event(&self) -> Result<OutgoingEvent, String> {
        let bus = BusEvent::from_json(&self.body).map_err(|e| e.to_string())?;
        let saga = bus.to_saga().map_err(|e| e.to_string())?;
        Ok(saga.to_outgoing())
    }
}

/// What a redrive did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedriveReport {
    pub redriven: Vec<String>,
    /// Messages left in place, with why: a body that is not a saga event
    /// cannot go back on the bus.
    pub skipped: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_name_is_the_last_part_of_its_arn() {
        assert_eq!(
            queue_name("arn:aws:sqs:us-east-1:123456789012:InventoryDLQ"),
            "InventoryDLQ"
        );
    }

    #[test]
    fn names_sqs_can_give_a_queue_pass_the_check() {
        for name in [
            "InventoryDLQ",
            "ordersaga-InventoryDLQ-1A2B3C4D5E6F",
            "orders_dlq.fifo",
            &"q".repeat(80),
        ] {
            assert_eq!(check_queue_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn names_no_sqs_queue_can_have_are_refused_with_the_rule_they_break() {
        for (name, rule) in [
            ("", "empty"),
            (".fifo", "empty"),
            ("Inventory DLQ", "only letters"),
            (
                "arn:aws:sqs:us-east-1:123456789012:InventoryDLQ",
                "only letters",
            ),
            (&"q".repeat(81), "80 characters"),
        ] {
            let err = check_queue_name(name).unwrap_err();
            assert!(err.to_string().contains(rule), "{name}: {err}");
        }
    }

    #[test]
    fn eventbridge_error_attributes_become_the_recorded_error() {
        let mut m = SqsMessage::default();
        for (k, v) in [
            ("ERROR_CODE", "SQS_QUEUE_DOES_NOT_EXIST"),
            ("ERROR_MESSAGE", "gone"),
        ] {
            let mut a = aws_lambda_events::event::sqs::SqsMessageAttribute::default();
            a.string_value = Some(v.into());
            m.message_attributes.insert(k.into(), a);
        }
        let d = DeadLetter::from_message(&m, Utc::now());
        assert_eq!(d.error.as_deref(), Some("SQS_QUEUE_DOES_NOT_EXIST: gone"));
    }

    #[test]
    fn a_body_that_is_not_a_saga_event_cannot_be_redriven() {
        let d = DeadLetter {
            queue: "q".into(),
            message_id: "m".into(),
            body: "{oops".into(),
            error: None,
            attempts: 5,
            received_at: Utc::now(),
            redriven_at: None,
        };
        assert!(d.to_event().is_err());
    }
}
