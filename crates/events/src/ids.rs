use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Namespace for every id this project derives (UUID v5), so derived ids
/// never collide with ids from another system using v5.
const NAMESPACE: Uuid = Uuid::from_u128(0x6f72_6465_7273_6167_6100_0000_0000_0001);

/// The id a producer puts in `detail.metadata.eventId`. EventBridge assigns
/// its own top-level `id` to every PutEvents entry and a producer cannot set
/// it, so consumers dedupe on this one instead.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct EventId(Uuid);

impl EventId {
    /// The id of the event that `detail_type` emits in reaction to `cause`.
    /// Deterministic: handling the same cause twice yields the same id, so a
    /// re-published outcome dedupes downstream.
    pub fn derive(cause: EventId, detail_type: &str) -> Self {
        let name = format!("{}/{detail_type}", cause.0);
        Self(Uuid::new_v5(&NAMESPACE, name.as_bytes()))
    }

    /// The root id of an order's saga: its Order Placed event.
    pub fn for_order_placed(order: OrderId) -> Self {
        let name = format!("order/{}/placed", order.0);
        Self(Uuid::new_v5(&NAMESPACE, name.as_bytes()))
    }

    pub fn parse(text: &str) -> Option<Self> {
        Uuid::parse_str(text).ok().map(Self)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An order's id; also every saga event's correlation id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct OrderId(Uuid);

impl OrderId {
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }

    /// The order id for a client's `Idempotency-Key`: the same key always
    /// names the same order, so a retried POST cannot create a second one.
    pub fn for_idempotency_key(key: &str) -> Self {
        let name = format!("idempotency-key/{key}");
        Self(Uuid::new_v5(&NAMESPACE, name.as_bytes()))
    }

    pub fn parse(text: &str) -> Option<Self> {
        Uuid::parse_str(text).ok().map(Self)
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_event_ids_are_stable_and_differ_by_detail_type() {
        let cause = EventId::for_order_placed(OrderId::for_idempotency_key("k1"));
        assert_eq!(
            EventId::derive(cause, "Inventory Reserved"),
            EventId::derive(cause, "Inventory Reserved")
        );
        assert_ne!(
            EventId::derive(cause, "Inventory Reserved"),
            EventId::derive(cause, "Inventory Reservation Failed")
        );
    }

    #[test]
    fn the_same_idempotency_key_names_the_same_order() {
        assert_eq!(
            OrderId::for_idempotency_key("abc"),
            OrderId::for_idempotency_key("abc")
        );
        assert_ne!(
            OrderId::for_idempotency_key("abc"),
            OrderId::for_idempotency_key("abd")
        );
    }
}
