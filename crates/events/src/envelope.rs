use crate::{EventId, OrderId};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The contract version every event of this crate is written in.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// The dedupe key; derived from the causing event (see [`EventId::derive`]).
    pub event_id: EventId,
    /// The order this event belongs to.
    pub correlation_id: OrderId,
    /// The event that caused this one; an Order Placed is its own cause.
    pub causation_id: EventId,
    pub version: u32,
    pub occurred_at: DateTime<Utc>,
    /// The other majors this same event (same id) was published in, during
    /// a transition window: a consumer that reads a newer one of them skips
    /// this copy, as the newer copy reaches it too
    /// ([`crate::SagaEvent::superseded`]). Consumers of this major only
    /// do not know the field and handle the copy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_published_as: Vec<u32>,
}

/// `detail` of every saga event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Envelope<T> {
    pub metadata: Metadata,
    pub data: T,
}

impl<T> Envelope<T> {
    /// The first event of an order's saga.
    pub fn root(order: OrderId, data: T, now: DateTime<Utc>) -> Self {
        let event_id = EventId::for_order_placed(order);
        Self {
            metadata: Metadata {
                event_id,
                correlation_id: order,
                causation_id: event_id,
                version: SCHEMA_VERSION,
                occurred_at: now,
                also_published_as: Vec::new(),
            },
            data,
        }
    }

    /// An event emitted in reaction to `cause`, with an id derived from it.
    pub fn caused_by(cause: &Metadata, detail_type: &str, data: T, now: DateTime<Utc>) -> Self {
        Self {
            metadata: Metadata {
                event_id: EventId::derive(cause.event_id, detail_type),
                correlation_id: cause.correlation_id,
                causation_id: cause.event_id,
                version: SCHEMA_VERSION,
                occurred_at: now,
                also_published_as: Vec::new(),
            },
            data,
        }
    }
}
