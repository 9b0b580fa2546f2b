//! What the payment handler needs from the outside world: a store for
//! payments and idempotency records, and a payment gateway.

use crate::domain::{Authorization, PaymentRecord};
use events::{EventId, Money, OrderId, OutgoingEvent, PaymentToken};
use platform::{Commit, StoreError};
use std::future::Future;
use thiserror::Error;

/// Payments, one per order, and the idempotency records of the events that
/// changed them.
pub trait PaymentStore: Send + Sync {
    /// The outcome recorded when this consumer handled `event_id`, if it did.
    fn processed(
        &self,
        event_id: EventId,
    ) -> impl Future<Output = Result<Option<Vec<OutgoingEvent>>, StoreError>> + Send;

    /// The order's payment, if one was recorded.
    fn payment(
        &self,
        order_id: OrderId,
    ) -> impl Future<Output = Result<Option<PaymentRecord>, StoreError>> + Send;

    /// Stores the order's first payment record and marks `cause` handled
    /// with `outcome`, atomically. If `cause` was already handled, returns
    /// [`Commit::AlreadyProcessed`] with its recorded outcome. If another
    /// event recorded a payment for the order meanwhile, fails with a
    /// retryable error: the retry sees that payment.
    fn record(
        &self,
        order_id: OrderId,
        record: &PaymentRecord,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> impl Future<Output = Result<Commit, StoreError>> + Send;

    /// Moves the order's payment from Authorized to Refunded and marks
    /// `cause` handled with `outcome`, atomically. Fails with a retryable
    /// error if the payment is no longer Authorized.
    fn refund(
        &self,
        order_id: OrderId,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> impl Future<Output = Result<Commit, StoreError>> + Send;
}

#[derive(Debug, Error)]
pub enum GatewayError {
    /// Timeout, throttling, 5xx: the same call may succeed later, and its
    /// idempotency key makes repeating it safe.
    #[error("payment gateway unavailable: {0}")]
    Unavailable(String),
    /// The gateway refused the request itself (not a decline): retrying
    /// sends the same request.
    #[error("payment gateway rejected the request: {0}")]
    Rejected(String),
}

impl platform::Retryable for GatewayError {
    fn is_retryable(&self) -> bool {
        matches!(self, GatewayError::Unavailable(_))
    }
}

/// A card payment gateway. Every call carries an idempotency key: the
/// gateway answers a repeated key with the first call's result instead of
/// charging (or refunding) again.
pub trait PaymentGateway: Send + Sync {
    fn authorize(
        &self,
        idempotency_key: &str,
        order_id: OrderId,
        amount: &Money,
        token: &PaymentToken,
    ) -> impl Future<Output = Result<Authorization, GatewayError>> + Send;

    /// Voids or refunds an authorized payment in full.
    fn refund(
        &self,
        idempotency_key: &str,
        payment_id: &str,
        amount: &Money,
    ) -> impl Future<Output = Result<(), GatewayError>> + Send;
}
