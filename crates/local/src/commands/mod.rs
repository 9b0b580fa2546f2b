//! The subcommands; each takes its parsed arguments and an output stream and
//! returns the process exit code.

pub mod demo;
pub mod dlq;
pub mod match_events;
pub mod replay;
pub mod rule_set;
pub mod run;
pub mod saga_env;
pub mod test_event_pattern;
pub mod trace;
