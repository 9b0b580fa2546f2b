//! The orders service: saga rows 1 (`POST /orders` stores a PENDING order
//! and its Order Placed event in one transaction, relayed to the bus by the
//! outbox relay), 7 (Shipment Scheduled confirms) and 8 (Inventory
//! Reservation Failed or Inventory Released cancels). Its consumer sees every
//! saga event and keeps each order's timeline, shown by `GET /orders/{id}`.

pub mod api;
pub mod domain;
#[cfg(feature = "aws")]
pub mod dynamo;
pub mod handler;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod ports;
pub mod relay;
pub mod sqlite;
mod stored;
pub mod timeline;

pub use api::{ApiResponse, get_order, place_order, place_order_as, route};
pub use domain::{IdempotencyKey, NewOrder, OrderStatus, PlaceOrderRequest, RequestError};
#[cfg(feature = "aws")]
pub use dynamo::DynamoOrderStore;
pub use handler::{OrdersError, handle};
pub use ports::{Order, OrderStore, OrderView, Placed, Transition, Transitioned};
pub use relay::{RelayError, relay_outbox_once, relay_stream};
pub use sqlite::{OutboxEntry, SqliteOrderStore};
pub use timeline::TimelineEntry;

/// The consumer name under which idempotency records are kept.
pub const CONSUMER: &str = "orders";
