//! The inventory service: saga rows 2 (reserve every line of an order
//! atomically, priced from the catalogue) and 6 (release a reservation when
//! payment fails or is refunded). It also moves stock from reserved to
//! shipped when a shipment is scheduled, so `available + reserved + shipped`
//! always equals the stock loaded.

pub mod catalogue;
pub mod domain;
#[cfg(feature = "aws")]
pub mod dynamo;
pub mod handler;
pub mod lambda;
pub mod ports;
pub mod sqlite;

pub use domain::{Decision, StockItem};
pub use handler::{InventoryError, handle};
pub use ports::{InventoryStore, Reservation, ReservationState, Reserve};

/// The consumer name under which idempotency records are kept.
pub const CONSUMER: &str = "inventory";
