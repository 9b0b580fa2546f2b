//! The whole saga, from the real template, through its HTTP API. Each test
//! checks the invariants, not only the final status.

mod archive_and_replay;
mod dead_letters;
mod duplicates_and_restarts;
mod paths;
mod rerouting;
