//! The `saga` command-line tool. `main.rs` only calls [`cli::main`].

pub mod cli;
pub mod commands;
pub mod fresh_db;
pub mod input;
pub mod lambda_env;
pub mod rule_set;
pub mod saga_env;
pub mod schema;
pub mod seed;
pub mod sim;
