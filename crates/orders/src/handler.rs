//! The orders consumer (saga rows 7 and 8): records every saga event in its
//! order's timeline, confirms an order on Shipment Scheduled, and cancels it
//! on Inventory Reservation Failed or Inventory Released.

use crate::domain::{self, Contradiction, OrderStatus};
use crate::ports::{OrderStore, Transition, Transitioned};
use crate::timeline::TimelineEntry;
use chrono::{DateTime, Utc};
use events::{
    EventKind, Metadata, OrderCancelled, OrderConfirmed, OrderId, OutgoingEvent, Reason, SagaEvent,
    outcome,
};
use platform::{Commit, Retryable, StoreError, metrics};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum OrdersError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("order {order}: {detail_type} refused: {contradiction}")]
    Contradiction {
        order: OrderId,
        detail_type: &'static str,
        contradiction: Contradiction,
    },
    #[error("order {0} does not exist")]
    UnknownOrder(OrderId),
}

impl Retryable for OrdersError {
    fn is_retryable(&self) -> bool {
        match self {
            OrdersError::Store(e) => e.is_retryable(),
            OrdersError::Contradiction { .. } | OrdersError::UnknownOrder(_) => false,
        }
    }
}

/// The saga events this consumer acts on: every one, as each goes into its
/// order's timeline. `handle` ignores any other; `saga lint` checks that the
/// rules feeding its queue deliver each of them.
pub const ACCEPTS: &[EventKind] = EventKind::ALL;

/// The orders consumer: see docs/services.md for the contract.
pub async fn handle<S: OrderStore>(
    store: &S,
    event: SagaEvent,
    now: DateTime<Utc>,
) -> Result<Vec<OutgoingEvent>, OrdersError> {
    if !ACCEPTS.contains(&event.kind()) {
        tracing::debug!(
            detail_type = event.detail_type(),
            "not an orders event; ignored"
        );
        return Ok(Vec::new());
    }
    let cause = event.metadata().clone();
    if let Some(outcome) = store.processed(cause.event_id).await? {
        tracing::info!("already handled; re-emitting the recorded outcome");
        return Ok(outcome);
    }
    let order = event.order_id();
    store
        .record_timeline(order, &TimelineEntry::of(&event))
        .await?;
    let (to, reason, emitted) = match &event {
        SagaEvent::ShipmentScheduled(e) => {
            let data = OrderConfirmed {
                order_id: order,
                amount: e.data.amount.clone(),
                tracking_number: e.data.tracking.number.clone(),
            };
            (OrderStatus::Confirmed, None, outcome(&cause, data, now))
        }
        SagaEvent::InventoryReservationFailed(e) => cancel(&cause, order, &e.data.reason, now),
        SagaEvent::InventoryReleased(e) => cancel(&cause, order, &e.data.reason, now),
        other => {
            tracing::debug!(
                detail_type = other.detail_type(),
                "recorded in the timeline; no status change"
            );
            return Ok(Vec::new());
        }
    };
    let change = Transition {
        order,
        to,
        reason,
        cause: cause.event_id,
        outcome: vec![emitted],
        at: now,
    };
    match store.transition(&change).await? {
        Commit::AlreadyProcessed(recorded) => Ok(recorded),
        Commit::Done(Transitioned::Applied) => {
            let metric = match change.to {
                OrderStatus::Confirmed => metrics::ORDERS_CONFIRMED,
                _ => metrics::ORDERS_CANCELLED,
            };
            metrics::count(metric, 1.0);
            tracing::info!(status = %change.to, "order status changed");
            Ok(change.outcome)
        }
        Commit::Done(Transitioned::NotPending(current)) => match domain::step(current, change.to) {
            Ok(_) => {
                tracing::info!(status = %current, "order already in this final state; nothing to do");
                Ok(Vec::new())
            }
            Err(contradiction) => {
                tracing::error!(%contradiction, "event contradicts the order's final state; failing permanently");
                Err(OrdersError::Contradiction {
                    order,
                    detail_type: event.detail_type(),
                    contradiction,
                })
            }
        },
        Commit::Done(Transitioned::UnknownOrder) => {
            tracing::error!("event for an order that does not exist; failing permanently");
            Err(OrdersError::UnknownOrder(order))
        }
    }
}

fn cancel(
    cause: &Metadata,
    order: OrderId,
    reason: &Reason,
    now: DateTime<Utc>,
) -> (OrderStatus, Option<Reason>, OutgoingEvent) {
    let data = OrderCancelled {
        order_id: order,
        reason: reason.clone(),
    };
    (
        OrderStatus::Cancelled,
        Some(reason.clone()),
        outcome(cause, data, now),
    )
}
