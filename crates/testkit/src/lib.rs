//! What the tests of the workspace share, written once: the example events
//! of `events-schema/examples`, a publisher that records what it is given,
//! SQS messages as a Lambda receives them, a fixed clock, the service
//! error of an AWS SDK request, a SQLite table damaged on disk, and a
//! `saga run` process.
//!
//! A dev-dependency only: no crate's library or binary may depend on it.

pub mod aws;
pub mod clock;
pub mod examples;
pub mod publisher;
pub mod saga_run;
pub mod sqlite;
pub mod sqs;

pub use publisher::RecordingPublisher;
