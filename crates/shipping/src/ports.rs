//! What the shipping handler needs from the outside world: a store for
//! shipments and idempotency records, and a carrier.

use crate::domain::Booking;
use events::{EventId, OrderId, OrderLine, OutgoingEvent, ShippingAddress};
use platform::{Commit, StoreError};
use std::future::Future;
use thiserror::Error;

/// Shipments, one per order, and the idempotency records of the events that
/// created them.
pub trait ShipmentStore: Send + Sync {
    /// The outcome recorded when this consumer handled `event_id`, if it did.
    fn processed(
        &self,
        event_id: EventId,
    ) -> impl Future<Output = Result<Option<Vec<OutgoingEvent>>, StoreError>> + Send;

    /// The order's shipment (or refusal), if one was recorded.
    fn shipment(
        &self,
        order_id: OrderId,
    ) -> impl Future<Output = Result<Option<Booking>, StoreError>> + Send;

    /// Stores the order's shipment and marks `cause` handled with `outcome`,
    /// atomically. If `cause` was already handled, returns
    /// [`Commit::AlreadyProcessed`] with its recorded outcome. If another
    /// event recorded a shipment for the order meanwhile, fails with a
    /// retryable error: the retry sees that shipment.
    fn record(
        &self,
        order_id: OrderId,
        shipment: &Booking,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> impl Future<Output = Result<Commit, StoreError>> + Send;
}

#[derive(Debug, Error)]
pub enum CarrierError {
    /// Timeout, throttling, 5xx: asking again may work.
    #[error("carrier unavailable: {0}")]
    Unavailable(String),
    /// The carrier refused the request itself: asking again sends the same.
    #[error("carrier rejected the request: {0}")]
    Rejected(String),
}

impl platform::Retryable for CarrierError {
    fn is_retryable(&self) -> bool {
        matches!(self, CarrierError::Unavailable(_))
    }
}

/// Books shipments. Must be idempotent per order: asking twice for the same
/// order returns the same shipment.
pub trait Carrier: Send + Sync {
    fn schedule(
        &self,
        order_id: OrderId,
        ship_to: &ShippingAddress,
        lines: &[OrderLine],
    ) -> impl Future<Output = Result<Booking, CarrierError>> + Send;
}
