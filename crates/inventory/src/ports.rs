use crate::StockItem;
use events::{EventId, OrderId, OrderLine, OutgoingEvent, Sku};
use platform::{Commit, StoreError};
use serde::{Deserialize, Serialize};
use std::future::Future;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReservationState {
    Reserved,
    Released,
    Shipped,
}

impl ReservationState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReservationState::Reserved => "RESERVED",
            ReservationState::Released => "RELEASED",
            ReservationState::Shipped => "SHIPPED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Reserved, Self::Released, Self::Shipped]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub order_id: OrderId,
    pub lines: Vec<OrderLine>,
    pub state: ReservationState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reserve {
    Done,
    AlreadyProcessed(Vec<OutgoingEvent>),
    /// Stock changed between pricing and reserving; nothing was written.
    Insufficient(Sku),
}

/// Settling moves a reservation out of RESERVED, returning its stock to
/// `available` (released) or counting it as `shipped`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    Done,
    AlreadyProcessed(Vec<OutgoingEvent>),
    NotReserved(Option<ReservationState>),
}

pub trait InventoryStore: Send + Sync {
    fn processed(
        &self,
        event: EventId,
    ) -> impl Future<Output = Result<Option<Vec<OutgoingEvent>>, StoreError>> + Send;

    fn items(
        &self,
        skus: &[Sku],
    ) -> impl Future<Output = Result<Vec<StockItem>, StoreError>> + Send;

    fn reservation(
        &self,
        order: OrderId,
    ) -> impl Future<Output = Result<Option<Reservation>, StoreError>> + Send;

    /// Takes every line's quantity from `available` into `reserved`, records
    /// the reservation and the idempotency record, all or nothing.
    fn reserve(
        &self,
        order: OrderId,
        lines: &[OrderLine],
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> impl Future<Output = Result<Reserve, StoreError>> + Send;

    fn settle(
        &self,
        order: OrderId,
        to: ReservationState,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> impl Future<Output = Result<Settle, StoreError>> + Send;

    /// Records a decision that changes no stock (a rejected order).
    fn record(
        &self,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> impl Future<Output = Result<Commit, StoreError>> + Send;

    /// Loads or replaces a catalogue entry (seeding, not part of the saga).
    fn put_item(&self, item: &StockItem) -> impl Future<Output = Result<(), StoreError>> + Send;
}
