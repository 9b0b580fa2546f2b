use crate::domain::{self, Decision};
use crate::ports::{InventoryStore, ReservationState, Reserve, Settle};
use chrono::{DateTime, Utc};
use events::{
    Envelope, EventKind, InventoryReleased, InventoryReservationFailed, InventoryReserved,
    Metadata, OrderId, OrderPlaced, OutgoingEvent, Reason, SagaEvent, outcome,
};
use platform::{Commit, Retryable, StoreError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum InventoryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Compensation arrived before the reservation it undoes was written;
    /// the retry will find it.
    #[error("order {0} has no reservation yet")]
    NoReservation(OrderId),
    #[error("order {order}: cannot move a {from:?} reservation to {to:?}")]
    InvalidTransition {
        order: OrderId,
        from: ReservationState,
        to: ReservationState,
    },
}

impl Retryable for InventoryError {
    fn is_retryable(&self) -> bool {
        match self {
            InventoryError::Store(e) => e.is_retryable(),
            InventoryError::NoReservation(_) => true,
            InventoryError::InvalidTransition { .. } => false,
        }
    }
}

/// The saga events this consumer acts on: reserve on Order Placed, release
/// on Payment Failed / Payment Refunded, ship on Shipment Scheduled. `handle`
/// ignores any other; `saga lint` checks that the rules feeding its queue
/// deliver each of them.
pub const ACCEPTS: &[EventKind] = &[
    EventKind::OrderPlaced,
    EventKind::PaymentFailed,
    EventKind::PaymentRefunded,
    EventKind::ShipmentScheduled,
];

/// Inventory's consumer: see docs/services.md for the contract.
pub async fn handle<S: InventoryStore>(
    store: &S,
    event: SagaEvent,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, InventoryError> {
    if !ACCEPTS.contains(&event.kind()) {
        tracing::debug!(
            detail_type = event.detail_type(),
            "not an inventory event; ignored"
        );
        return Ok(Vec::new());
    }
    let cause = event.metadata().event_id;
    if let Some(outcome) = store.processed(cause).await? {
        tracing::info!("already handled; re-emitting the recorded outcome");
        return Ok(outcome);
    }
    match event {
        SagaEvent::OrderPlaced(e) => reserve(store, &e, now).await,
        SagaEvent::PaymentFailed(e) => {
            release(store, &e.metadata, e.data.order_id, e.data.reason, now).await
        }
        SagaEvent::PaymentRefunded(e) => {
            release(store, &e.metadata, e.data.order_id, e.data.reason, now).await
        }
        SagaEvent::ShipmentScheduled(e) => ship(store, &e.metadata, e.data.order_id).await,
        other => {
            tracing::debug!(
                detail_type = other.detail_type(),
                "accepted but not dispatched; ignored"
            );
            Ok(Vec::new())
        }
    }
}

async fn reserve<S: InventoryStore>(
    store: &S,
    placed: &Envelope<OrderPlaced>,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, InventoryError> {
    let order = &placed.data;
    let lines = domain::merge_lines(&order.lines);
    let skus: Vec<_> = lines.iter().map(|l| l.sku.clone()).collect();
    let items = store.items(&skus).await?;
    let reason = match domain::decide(&lines, &items) {
        Decision::Reserve {
            lines: priced,
            amount,
        } => {
            let emitted = vec![outcome(
                &placed.metadata,
                InventoryReserved {
                    order_id: order.order_id,
                    lines: priced,
                    amount,
                    ship_to: order.ship_to.clone(),
                    payment_token: order.payment_token.clone(),
                },
                now,
            )];
            match store
                .reserve(order.order_id, &lines, placed.metadata.event_id, &emitted)
                .await?
            {
                Reserve::Done => {
                    tracing::info!("stock reserved");
                    return Ok(emitted);
                }
                Reserve::AlreadyProcessed(recorded) => return Ok(recorded),
                Reserve::Insufficient(sku) => {
                    let requested = lines
                        .iter()
                        .find(|l| l.sku == sku)
                        .map_or(0, |l| l.quantity.get());
                    let available = store
                        .items(std::slice::from_ref(&sku))
                        .await?
                        .first()
                        .map_or(0, |i| i.available);
                    domain::out_of_stock(&sku, requested, available)
                }
            }
        }
        Decision::Reject(reason) => reason,
    };
    tracing::info!(reason = %reason.message, "reservation failed");
    let emitted = vec![outcome(
        &placed.metadata,
        InventoryReservationFailed {
            order_id: order.order_id,
            reason,
        },
        now,
    )];
    committed(
        store.record(placed.metadata.event_id, &emitted).await?,
        emitted,
    )
}

async fn release<S: InventoryStore>(
    store: &S,
    cause: &Metadata,
    order: OrderId,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, InventoryError> {
    let reservation = store
        .reservation(order)
        .await?
        .ok_or(InventoryError::NoReservation(order))?;
    let emitted = vec![outcome(
        cause,
        InventoryReleased {
            order_id: order,
            lines: reservation.lines,
            reason,
        },
        now,
    )];
    match store
        .settle(order, ReservationState::Released, cause.event_id, &emitted)
        .await?
    {
        Settle::Done => {
            tracing::info!("reservation released");
            Ok(emitted)
        }
        Settle::AlreadyProcessed(recorded) => Ok(recorded),
        // A second compensation for an already released order: nothing is
        // held, and saying so again is harmless (the order is already
        // cancelled, and cancelling is idempotent).
        Settle::NotReserved(Some(ReservationState::Released)) => {
            committed(store.record(cause.event_id, &emitted).await?, emitted)
        }
        Settle::NotReserved(None) => Err(InventoryError::NoReservation(order)),
        Settle::NotReserved(Some(from)) => Err(InventoryError::InvalidTransition {
            order,
            from,
            to: ReservationState::Released,
        }),
    }
}

async fn ship<S: InventoryStore>(
    store: &S,
    cause: &Metadata,
    order: OrderId,
) -> Result<Vec<OutgoingEvent>, InventoryError> {
    match store
        .settle(order, ReservationState::Shipped, cause.event_id, &[])
        .await?
    {
        Settle::Done => {
            tracing::info!("reserved stock counted as shipped");
            Ok(Vec::new())
        }
        Settle::AlreadyProcessed(recorded) => Ok(recorded),
        Settle::NotReserved(None) => Err(InventoryError::NoReservation(order)),
        Settle::NotReserved(Some(from)) => Err(InventoryError::InvalidTransition {
            order,
            from,
            to: ReservationState::Shipped,
        }),
    }
}

fn committed(
    commit: Commit,
    emitted: Vec<OutgoingEvent>,
) -> Result<Vec<OutgoingEvent>, InventoryError> {
    Ok(match commit {
        Commit::Done(()) => emitted,
        Commit::AlreadyProcessed(recorded) => recorded,
    })
}
