//! The payment consumer (see `docs/services.md`, "The consumer contract").

use crate::domain::{self, PaymentStatus};
use crate::ports::{GatewayError, PaymentGateway, PaymentStore};
use chrono::{DateTime, Utc};
use events::{
    Envelope, EventKind, InventoryReserved, OrderId, OutgoingEvent, SagaEvent, ShipmentFailed,
};
use platform::{Commit, StoreError};
use thiserror::Error;
use tracing::{debug, info, warn};

/// The name this consumer's idempotency records are kept under.
pub const CONSUMER: &str = "payment";

#[derive(Debug, Error)]
pub enum PaymentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    /// Shipment Failed overtook the Payment Authorized it follows from (or
    /// its commit); the payment will be there on a later attempt.
    #[error("order {0} has no payment to refund yet")]
    NoPaymentYet(OrderId),
    /// A shipment failed for an order whose payment was declined: the saga
    /// never ships such an order, so this needs a person to look at it.
    #[error("order {0}: shipment failed but its payment was declined, nothing to refund")]
    NothingToRefund(OrderId),
}

impl platform::Retryable for PaymentError {
    fn is_retryable(&self) -> bool {
        match self {
            PaymentError::Store(e) => e.is_retryable(),
            PaymentError::Gateway(e) => e.is_retryable(),
            PaymentError::NoPaymentYet(_) => true,
            PaymentError::NothingToRefund(_) => false,
        }
    }
}

/// The saga events this consumer acts on; `handle` ignores any other, and
/// `saga lint` checks that the rules feeding its queue deliver each of them.
pub const ACCEPTS: &[EventKind] = &[EventKind::InventoryReserved, EventKind::ShipmentFailed];

/// Authorizes on Inventory Reserved, refunds on Shipment Failed, ignores
/// every other event. Returns the events to publish: for an event handled
/// before, the outcome recorded then, unchanged.
pub async fn handle<S, G>(
    store: &S,
    gateway: &G,
    event: SagaEvent,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, PaymentError>
where
    S: PaymentStore,
    G: PaymentGateway,
{
    if !ACCEPTS.contains(&event.kind()) {
        debug!(
            detail_type = event.detail_type(),
            "not a payment event; ignored"
        );
        return Ok(vec![]);
    }
    match event {
        SagaEvent::InventoryReserved(e) => match store.processed(e.metadata.event_id).await? {
            Some(outcome) => Ok(already_handled(outcome)),
            None => authorize(store, gateway, e, now).await,
        },
        SagaEvent::ShipmentFailed(e) => match store.processed(e.metadata.event_id).await? {
            Some(outcome) => Ok(already_handled(outcome)),
            None => refund(store, gateway, e, now).await,
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

fn already_handled(outcome: Vec<OutgoingEvent>) -> Vec<OutgoingEvent> {
    info!(
        events = outcome.len(),
        "event handled before; re-emitting its recorded outcome"
    );
    outcome
}

/// The outcome to publish once the commit is settled.
fn committed(commit: Commit, outcome: Vec<OutgoingEvent>) -> Vec<OutgoingEvent> {
    match commit {
        Commit::Done(()) => outcome,
        Commit::AlreadyProcessed(recorded) => already_handled(recorded),
    }
}

async fn authorize<S: PaymentStore, G: PaymentGateway>(
    store: &S,
    gateway: &G,
    e: Envelope<InventoryReserved>,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, PaymentError> {
    let order = e.data.order_id;
    if let Some(existing) = store.payment(order).await? {
        // Another event already paid (or failed to pay) for this order and
        // emitted its outcome; charging again is exactly what must not happen.
        warn!(
            status = existing.status.as_str(),
            "order already has a payment; nothing to do"
        );
        return Ok(vec![]);
    }
    let key = domain::authorization_key(order);
    let authorization = gateway
        .authorize(&key, order, &e.data.amount, &e.data.payment_token)
        .await?;
    let (record, outcome) = domain::authorization_outcome(&e, authorization, now);
    info!(status = record.status.as_str(), amount = %record.amount, "payment decided");
    let commit = store
        .record(order, &record, e.metadata.event_id, &outcome)
        .await?;
    Ok(committed(commit, outcome))
}

async fn refund<S: PaymentStore, G: PaymentGateway>(
    store: &S,
    gateway: &G,
    e: Envelope<ShipmentFailed>,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, PaymentError> {
    let order = e.data.order_id;
    let Some(payment) = store.payment(order).await? else {
        warn!("shipment failed for an order with no payment yet; will retry");
        return Err(PaymentError::NoPaymentYet(order));
    };
    let payment_id = match (payment.status, &payment.payment_id) {
        (PaymentStatus::Authorized, Some(id)) => id,
        (PaymentStatus::Authorized, None) => {
            return Err(StoreError::Corrupt(format!(
                "authorized payment of order {order} has no payment id"
            ))
            .into());
        }
        (PaymentStatus::Refunded, _) => {
            info!("payment already refunded by another event; nothing to do");
            return Ok(vec![]);
        }
        (PaymentStatus::Declined, _) => return Err(PaymentError::NothingToRefund(order)),
    };
    gateway
        .refund(&domain::refund_key(order), payment_id, &payment.amount)
        .await?;
    let outcome = domain::refund_outcome(&e, payment_id, &payment.amount, now);
    info!(amount = %payment.amount, reason = ?e.data.reason.code, "payment refunded");
    let commit = store.refund(order, e.metadata.event_id, &outcome).await?;
    Ok(committed(commit, outcome))
}
