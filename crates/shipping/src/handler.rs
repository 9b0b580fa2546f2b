//! The shipping consumer (see `docs/services.md`, "The consumer contract").

use crate::domain;
use crate::ports::{Carrier, CarrierError, ShipmentStore};
use chrono::{DateTime, Utc};
use events::{Envelope, EventKind, Majors, OutgoingEvent, PaymentAuthorized, SagaEvent};
use platform::{Commit, StoreError};
use thiserror::Error;
use tracing::{debug, info, warn};

/// The name this consumer's idempotency records are kept under.
pub const CONSUMER: &str = "shipping";

#[derive(Debug, Error)]
pub enum ShippingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Carrier(#[from] CarrierError),
}

impl platform::Retryable for ShippingError {
    fn is_retryable(&self) -> bool {
        match self {
            ShippingError::Store(e) => e.is_retryable(),
            ShippingError::Carrier(e) => e.is_retryable(),
        }
    }
}

/// The saga events this consumer acts on; `handle` ignores any other, and
/// `saga lint` checks that the rules feeding its queue deliver each of them.
pub const ACCEPTS: &[EventKind] = &[EventKind::PaymentAuthorized];

/// Schedules a shipment on Payment Authorized, ignores every other event.
/// Returns the events to publish: for an event handled before, the outcome
/// recorded then, unchanged.
pub async fn handle<S, C>(
    store: &S,
    carrier: &C,
    scheduled_majors: &Majors,
    event: SagaEvent,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, ShippingError>
where
    S: ShipmentStore,
    C: Carrier,
{
    if !ACCEPTS.contains(&event.kind()) {
        debug!(
            detail_type = event.detail_type(),
            "not a shipping event; ignored"
        );
        return Ok(vec![]);
    }
    match event {
        SagaEvent::PaymentAuthorized(e) => match store.processed(e.metadata.event_id).await? {
            Some(outcome) => {
                info!(
                    events = outcome.len(),
                    "event handled before; re-emitting its recorded outcome"
                );
                Ok(outcome)
            }
            None => schedule(store, carrier, scheduled_majors, e, now).await,
        },
        other => {
            debug!(
                detail_type = other.detail_type(),
                "accepted but not dispatched; ignored"
            );
            Ok(vec![])
        }
    }
}

async fn schedule<S: ShipmentStore, C: Carrier>(
    store: &S,
    carrier: &C,
    scheduled_majors: &Majors,
    e: Envelope<PaymentAuthorized>,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, ShippingError> {
    let order = e.data.order_id;
    if let Some(existing) = store.shipment(order).await? {
        // Another event already booked (or failed to book) this order and
        // emitted its outcome; a second parcel is exactly what must not ship.
        warn!(
            status = existing.status(),
            "order already has a shipment; nothing to do"
        );
        return Ok(vec![]);
    }
    let booking = carrier
        .schedule(order, &e.data.ship_to, &e.data.lines)
        .await?;
    let outcome = domain::booking_outcome(&e, &booking, scheduled_majors, now);
    info!(status = booking.status(), country = %e.data.ship_to.country, "shipment decided");
    match store
        .record(order, &booking, e.metadata.event_id, &outcome)
        .await?
    {
        Commit::Done(()) => Ok(outcome),
        Commit::AlreadyProcessed(recorded) => Ok(recorded),
    }
}
