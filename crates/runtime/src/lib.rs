//! The embedded runtime behind `saga run`: the template's bus, rules, queues
//! (with visibility timeouts and redrive to DLQs) and archive, over one
//! SQLite database, running every service's handlers in this process. It
//! takes a [`Wiring`], read from `infra/template.yaml` by the `saga` CLI,
//! and knows nothing of YAML.

mod bus;
mod faults;
mod http;
mod http_server;
pub mod invariants;
mod queues;
pub mod report;
mod runtime;
mod services;
mod transform;
mod wiring;
mod worker;

pub use bus::{ACCOUNT, REGION};
pub use bus::{ArchivedEvent, BusError, LocalBus, ReplayFilter};
pub use faults::{Fault, FaultCounts, Faults};
pub use http::{TemplateApi, path_matches, template_router};
pub use http_server::{HttpLimits, serve_until};
pub use queues::{Counts, MOVED_ATTRIBUTES, NewMessage, QueueMessage, Queues};
pub use runtime::{Emulator, Mount, Options, Runtime, RuntimeError};
pub use services::{
    ConsumerReads, Consumers, InvalidEnv, Services, ServicesError, scheduled_majors, simulations,
};
pub use transform::InputSpec;
pub use wiring::{
    ApiHandler, ConsumerHandler, ConsumerSpec, QueueSpec, Redrive, RouteSpec, RuleSpec, TargetSpec,
    Wiring,
};

/// Milliseconds since the Unix epoch: the clock of queue visibility.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
