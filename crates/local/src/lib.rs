//! The `saga` command-line tool. `main.rs` only calls [`cli::main`].

pub mod cli;
pub mod commands;
pub mod input;
pub mod schema;
pub mod sim;
pub mod template;
pub mod wiring;
