//! The payment service: authorizes the amount of every reserved order
//! through a [`PaymentGateway`], and refunds it when the order's shipment
//! fails. Rows 3 and 5 of the saga (see `/docs/services.md` for the shape).
//!
//! Invariants: no order is charged twice (gateway calls carry an idempotency
//! key derived from the order, and the payment is recorded in the same
//! transaction as the idempotency record); no cancelled order keeps an
//! authorized payment (Shipment Failed refunds it).

pub mod domain;
#[cfg(feature = "aws")]
pub mod dynamo;
pub mod handler;
pub mod lambda;
pub mod ports;
pub mod simulated;
pub mod sqlite;

pub use domain::{Authorization, PaymentRecord, PaymentStatus};
#[cfg(feature = "aws")]
pub use dynamo::DynamoPaymentStore;
pub use handler::{CONSUMER, PaymentError, handle};
pub use ports::{GatewayError, PaymentGateway, PaymentStore};
pub use simulated::{DEFAULT_DECLINE_OVER_MINOR, SimulatedGateway};
pub use sqlite::SqlitePaymentStore;
