//! The embedded backend behind `saga run`: the emulator (crates/emulator)
//! and the saga's wiring (crates/wiring) joined in one process over one
//! SQLite database. It reads the template into the emulator's resources
//! and the wiring's functions ([`load`]), opens every service's SQLite
//! store ([`Services`]), runs each event source mapping's pollers with the
//! mapping's function ([`function`]), the outbox relay, and the HTTP API.
//!
//! Why this crate remains rather than folding into the CLI: the embedded
//! backend is a library that the `saga` CLI, the end-to-end tests and the
//! reports' tests start alike (`Runtime::start`), and it is the only crate
//! that may depend on both the emulator and the services, so neither the
//! emulator (which knows nothing of orders) nor the wiring (which the
//! hybrid backend uses without an emulator) has to.

mod function;
mod http;
mod load;
mod publisher;
pub mod report;
mod runtime;
mod services;

/// The HTTP server both backends use, where the embedded backend's users
/// (tests, the CLI) have always found it.
pub use ::wiring::http::{HttpLimits, serve_until};
pub use load::{Saga, load};
pub use publisher::BusPublisher;
pub use runtime::{Mount, Options, Runtime, RuntimeError};
pub use services::{Services, ServicesError};
