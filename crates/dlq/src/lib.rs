//! The DLQ service (saga row 9): every dead-letter queue triggers it. It
//! records each failed message with its error and attempt count, logs and
//! counts it, and can redrive recorded messages onto the bus. Recording
//! takes the message off the queue, so the record is where a dead letter
//! "sits" from then on: nothing is dropped.

pub mod domain;
#[cfg(feature = "aws")]
pub mod dynamo;
pub mod handler;
pub mod ports;
pub mod sqlite;

pub use domain::{DeadLetter, RedriveReport};
pub use handler::{record_batch, redrive};
pub use ports::DlqStore;
