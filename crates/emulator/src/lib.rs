//! The AWS emulator of the embedded backend (`saga run`): an EventBridge
//! bus with its rules, input transforms and archive, SQS queues with
//! visibility timeouts and redrive to DLQs, the poller of an SQS event
//! source mapping, and seeded faults, over one SQLite database
//! ([`platform::sqlite::Db`], shared with the services' stores so that a
//! handler's state change and its publish can share a group commit).
//!
//! It knows nothing of orders: it never depends on `events`, the service
//! crates, `reports` or `wiring`. Its configuration is plain data
//! ([`Resources`]); what a mapping's function does with a batch is a
//! [`Function`] given to each [`Worker`]. The one thing it reads inside an
//! event is the producer's envelope convention of `detail.metadata`
//! (`eventId`, `correlationId`), for the archive's lookups and the fault
//! keys (see [`archive`]).
//!
//! Its modules depend on each other in one direction only:
//!
//! ```text
//! retention (its SQL reads the archive's and the queues' tables)
//! bus ──> queues ──> archive (the table both read), spec, clock
//!  └──> archive, transform, spec
//! worker ──> queues, faults, clock
//! ```

pub mod archive;
mod bus;
mod clock;
mod faults;
mod queues;
pub mod retention;
mod spec;
mod transform;
mod worker;

pub use archive::{ArchivedEvent, ReplayFilter};
pub use bus::{ACCOUNT, BusError, Entry, LocalBus, REGION, REPLAY_ATTRIBUTE};
pub use faults::{Fault, FaultCounts, Faults};
pub use queues::{Counts, MOVED_ATTRIBUTES, NewMessage, QueueError, QueueMessage, Queues};
pub use retention::Retention;
pub use spec::{
    ArchiveSpec, QueueSpec, Redrive, Resources, RuleSpec, TargetSpec, UnknownQueue, check_queue,
};
pub use transform::InputSpec;
pub use worker::{Batch, Function, Worker};

use std::sync::Arc;

/// The emulated resources of a running backend: what an API layer over
/// them (crates/awsapi) needs.
#[derive(Clone)]
pub struct Emulator {
    pub bus_name: String,
    /// The archive, if the resources have one.
    pub archive: Option<ArchiveSpec>,
    pub bus: Arc<LocalBus>,
    pub queues: Arc<Queues>,
}
