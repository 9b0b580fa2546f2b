use crate::{Envelope, EventError, EventId, OrderId, SagaEvent};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An event as EventBridge delivers it to a rule target (for us, the body of
/// an SQS message). Field names follow the EventBridge event structure:
/// https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusEvent {
    pub version: String,
    pub id: String,
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    pub source: String,
    pub account: String,
    pub time: DateTime<Utc>,
    pub region: String,
    #[serde(default)]
    pub resources: Vec<String>,
    pub detail: serde_json::Value,
    /// Set by EventBridge on events delivered by an archive replay.
    #[serde(
        rename = "replay-name",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub replay_name: Option<String>,
}

impl BusEvent {
    pub fn from_json(text: &str) -> Result<Self, EventError> {
        Ok(serde_json::from_str(text)?)
    }

    /// The typed saga event inside.
    pub fn to_saga(&self) -> Result<SagaEvent, EventError> {
        SagaEvent::parse(&self.source, &self.detail_type, self.detail.clone())
    }

    pub fn into_saga(self) -> Result<SagaEvent, EventError> {
        SagaEvent::parse(&self.source, &self.detail_type, self.detail)
    }
}

/// [`BusEvent`] with a typed `detail`: the shape the JSON Schemas describe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(bound = "T: JsonSchema")]
pub struct TypedBusEvent<T> {
    pub version: String,
    pub id: String,
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    pub source: String,
    pub account: String,
    pub time: DateTime<Utc>,
    pub region: String,
    pub resources: Vec<String>,
    pub detail: Envelope<T>,
    #[serde(
        rename = "replay-name",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub replay_name: Option<String>,
}

/// What a producer hands to PutEvents: one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingEvent {
    pub source: String,
    pub detail_type: String,
    /// `detail` as JSON text.
    pub detail: String,
    pub event_id: EventId,
    pub order_id: OrderId,
}

impl OutgoingEvent {
    /// The size EventBridge charges against its 256 KB entry limit: the
    /// UTF-8 bytes of Source, DetailType, Detail and Resources
    /// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
    pub fn entry_size(&self) -> usize {
        self.source.len() + self.detail_type.len() + self.detail.len()
    }
}
