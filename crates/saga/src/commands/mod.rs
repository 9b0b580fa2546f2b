//! The subcommands; each takes its parsed arguments and an output stream and
//! returns the process exit code.

pub mod demo;
pub mod dlq;
pub mod lambda_env;
pub mod lint;
pub mod match_events;
pub mod replay;
pub mod report;
pub mod run;
pub mod schema;
pub mod seed;
pub mod simulate;
pub mod test_event_pattern;
pub mod trace;
