//! What every service shares: the publishing port and its EventBridge
//! adapter, idempotency records, SQS batch handling, configuration from the
//! environment, the SQLite store handle, and telemetry.

pub mod config;
pub mod consumer;
#[cfg(feature = "aws")]
pub mod dynamo;
pub mod error;
#[cfg(feature = "aws")]
pub mod eventbridge;
pub mod http;
pub mod metrics;
pub mod publisher;
pub mod sqlite;
pub mod sqs;
pub mod store;
pub mod telemetry;
#[cfg(feature = "aws")]
pub mod tls;

pub use error::Retryable;
pub use publisher::{EventPublisher, PublishError};
pub use store::{Commit, StoreError};
