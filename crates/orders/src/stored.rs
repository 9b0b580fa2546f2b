//! How both store adapters write an order as text fields and read it back,
//! so SQLite columns and DynamoDB attributes hold the same representation.

use crate::domain::OrderStatus;
use crate::ports::Order;
use chrono::{DateTime, SecondsFormat, Utc};
use events::{CustomerId, OrderId};
use platform::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An order's fields as stored: JSON text for `lines` and `reason`, fixed
/// width RFC 3339 UTC for times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderFields {
    pub order_id: String,
    pub status: String,
    pub customer_id: String,
    pub lines: String,
    pub reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub request_hash: String,
}

impl OrderFields {
    pub fn of(order: &Order, request_hash: &str) -> Result<Self, StoreError> {
        Ok(Self {
            order_id: order.order_id.to_string(),
            status: order.status.as_str().to_owned(),
            customer_id: order.customer_id.as_str().to_owned(),
            lines: to_json(&order.lines)?,
            reason: order.reason.as_ref().map(to_json).transpose()?,
            created_at: time(order.created_at),
            updated_at: time(order.updated_at),
            request_hash: request_hash.to_owned(),
        })
    }

    /// The order and its request hash.
    pub fn parse(self) -> Result<(Order, String), StoreError> {
        let order = Order {
            order_id: OrderId::parse(&self.order_id)
                .ok_or_else(|| corrupt(format!("order id {:?}", self.order_id)))?,
            status: status(&self.status)?,
            customer_id: CustomerId::parse(self.customer_id).map_err(corrupt)?,
            lines: from_json(&self.lines)?,
            reason: self.reason.as_deref().map(from_json).transpose()?,
            created_at: parse_time(&self.created_at)?,
            updated_at: parse_time(&self.updated_at)?,
        };
        Ok((order, self.request_hash))
    }
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::record("an order record to store", e))
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::record("a stored order record", e))
}

pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(format!("time {text:?}: {e}")))
}

pub(crate) fn status(text: &str) -> Result<OrderStatus, StoreError> {
    OrderStatus::parse(text).ok_or_else(|| corrupt(format!("order status {text:?}")))
}
