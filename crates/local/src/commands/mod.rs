//! The subcommands; each takes its parsed arguments and an output stream and
//! returns the process exit code.

pub mod match_events;
pub mod rule_set;
pub mod test_event_pattern;
