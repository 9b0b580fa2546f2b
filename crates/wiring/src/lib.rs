//! The saga's wiring: from `infra/template.yaml` to the handlers, shared
//! by both backends. It owns
//!
//! - the template model ([`template`]), the one parser of the template;
//! - the functions ([`Wiring`], [`load`]): which handler each function's
//!   `bootstrap` binary runs, the SQS event source mappings of the
//!   consumers, the HTTP API routes, the outbox relay;
//! - the dispatch of a batch to a consumer over any stores ([`Consumers`])
//!   and the simulations' settings from the functions' environment;
//! - Lambda's SQS event source mapping rules ([`esm::settle`]), once, for
//!   the embedded pollers and the hybrid ones;
//! - the HTTP API of the template's routes ([`http`]: the axum shell over
//!   the orders and reports APIs, and the server with its limits), which
//!   both backends serve on loopback;
//! - the outbox relay loop of the embedded backend ([`relay`]) and the
//!   saga's invariants over its SQLite stores ([`invariants`]).
//!
//! It never depends on the emulator (crates/emulator) nor directly on an
//! AWS SDK:
//! the hybrid backend uses it without compiling the emulator, and the
//! embedded backend (crates/runtime) joins the two.

mod consumers;
pub mod esm;
mod functions;
pub mod http;
pub mod invariants;
pub mod relay;
pub mod template;

pub use consumers::{ConsumerReads, Consumers, InvalidEnv, scheduled_majors, simulations};
pub use functions::{
    ApiHandler, ConsumerHandler, ConsumerSpec, RouteSpec, SQS_POLLERS, Wiring, load,
};
