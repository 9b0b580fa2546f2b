//! The store the orders service needs, whichever database stands behind it.

use crate::domain::{IdempotencyKey, NewOrder, OrderStatus};
use crate::timeline::TimelineEntry;
use chrono::{DateTime, Utc};
use events::{CustomerId, EventId, OrderId, OrderLine, OutgoingEvent, Reason};
use platform::{Commit, StoreError};
use serde::Serialize;
use std::future::Future;

/// An order as stored: no shipping address and no payment token (those
/// travel only in the Order Placed event, through the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub order_id: OrderId,
    pub status: OrderStatus,
    pub customer_id: CustomerId,
    pub lines: Vec<OrderLine>,
    /// Why the order was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Order {
    pub fn pending(order_id: OrderId, order: &NewOrder, now: DateTime<Utc>) -> Self {
        Self {
            order_id,
            status: OrderStatus::Pending,
            customer_id: order.customer_id.clone(),
            lines: order.lines.clone(),
            reason: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// What `GET /orders/{id}` shows: the order and its timeline, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// The order and its outbox event were written together.
    Created,
    /// The `Idempotency-Key` already names an order (a replay); nothing
    /// was written. `same_request` says whether that order's request hash
    /// matches this one's.
    Existing { order: Order, same_request: bool },
}

/// A status change asked for by the event `cause`, with the outcome to
/// record for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub order: OrderId,
    pub to: OrderStatus,
    pub reason: Option<Reason>,
    pub cause: EventId,
    pub outcome: Vec<OutgoingEvent>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transitioned {
    /// The pending order changed; the idempotency record was written.
    Applied,
    /// Nothing was written: the order is not pending any more.
    NotPending(OrderStatus),
    /// Nothing was written: there is no such order.
    UnknownOrder,
}

pub trait OrderStore: Send + Sync {
    /// Writes the order and its outbox event in one transaction; with an
    /// `Idempotency-Key`, also the key's record naming the order, unless the
    /// key names an order already (then [`Placed::Existing`], and nothing
    /// is written). Of concurrent placements with one key, one order is
    /// written: the others see it, or fail retryably.
    fn place(
        &self,
        order: &Order,
        key: Option<&IdempotencyKey>,
        request_hash: &str,
        outbox: &OutgoingEvent,
    ) -> impl Future<Output = Result<Placed, StoreError>> + Send;

    fn get(
        &self,
        order: OrderId,
    ) -> impl Future<Output = Result<Option<OrderView>, StoreError>> + Send;

    /// The outcome recorded when this consumer handled `event`, if it did.
    fn processed(
        &self,
        event: EventId,
    ) -> impl Future<Output = Result<Option<Vec<OutgoingEvent>>, StoreError>> + Send;

    /// Adds an entry to the order's timeline; adding it again changes nothing.
    fn record_timeline(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Moves a PENDING order to `change.to` and records `change.cause` as
    /// handled with `change.outcome`, all or nothing.
    fn transition(
        &self,
        change: &Transition,
    ) -> impl Future<Output = Result<Commit<Transitioned>, StoreError>> + Send;
}
