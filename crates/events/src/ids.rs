use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Namespace for every id this project derives (UUID v5), so derived ids
/// never collide with ids from another system using v5.
const NAMESPACE: Uuid = Uuid::from_u128(0x6f72_6465_7273_6167_6100_0000_0000_0001);

/// A name-based id that begins with the first 48 bits of `prefix`: a UUID
/// v8 (RFC 9562 section 5.8, the version for custom layouts) whose other
/// 74 bits come from the v5 hash. Every event of an order's saga thereby
/// starts with its order id's first bits, which for an order placed
/// without an Idempotency-Key are its placement time (UUID v7): the
/// idempotency records keyed by event id are written near each other and
/// near the end of their index, instead of each at a random page that a
/// commit writes whole. Still deterministic: the same cause gives the
/// same id.
fn clustered(prefix: Uuid, hash: Uuid) -> Uuid {
    let mut bytes = *hash.as_bytes();
    bytes[..6].copy_from_slice(&prefix.as_bytes()[..6]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

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
        Self(clustered(
            cause.0,
            Uuid::new_v5(&NAMESPACE, name.as_bytes()),
        ))
    }

    /// The root id of an order's saga: its Order Placed event.
    pub fn for_order_placed(order: OrderId) -> Self {
        let name = format!("order/{}/placed", order.0);
        Self(clustered(
            order.0,
            Uuid::new_v5(&NAMESPACE, name.as_bytes()),
        ))
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
    /// An order placed without an Idempotency-Key: a UUID v7 (RFC 9562
    /// section 5.7), time-ordered, so every row keyed by order id is
    /// written at the end of its index rather than at a random page.
    pub fn random() -> Self {
        Self(Uuid::now_v7())
    }

    /// A name-based id for a key: the same key always gives the same id.
    /// The API never uses it (a keyed order gets a time-ordered id, and the
    /// store records which order the key placed); the simulator and tests
    /// do, where a run must name its orders in advance.
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
    fn every_event_of_an_order_starts_with_the_order_ids_first_48_bits() {
        let order = OrderId::random();
        let placed = EventId::for_order_placed(order);
        let reserved = EventId::derive(placed, "Inventory Reserved");
        let authorized = EventId::derive(reserved, "Payment Authorized");
        for id in [placed, reserved, authorized] {
            assert_eq!(id.0.as_bytes()[..6], order.0.as_bytes()[..6], "{id}");
            assert_eq!(id.0.get_version_num(), 8, "{id}");
        }
    }

    #[test]
    fn orders_placed_without_a_key_get_ids_in_placement_order() {
        let ids: Vec<OrderId> = (0..1000).map(|_| OrderId::random()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
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
