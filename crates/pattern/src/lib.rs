//! Amazon EventBridge event patterns: parse and validate them with the same
//! rules as EventBridge, and match events against one pattern or against all
//! the rules of a bus at once.
//!
//! ```
//! use pattern::{MatcherBuilder, Pattern};
//!
//! let pattern = Pattern::parse(r#"{"source": ["orders"], "detail": {"amount": [{"numeric": [">", 100]}]}}"#)?;
//! assert!(pattern.matches_json(br#"{"source": "orders", "detail": {"amount": 150}}"#)?);
//!
//! let mut builder = MatcherBuilder::new();
//! builder.add("big-orders".to_owned(), pattern);
//! let matcher = builder.build();
//! let matched = matcher.matching_rules(br#"{"source": "orders", "detail": {"amount": 3e2}}"#)?;
//! assert_eq!(matched, [&"big-orders".to_owned()]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Semantics follow the EventBridge user guide ("Amazon EventBridge event
//! patterns", "Content filtering in Amazon EventBridge event patterns",
//! "Comparison operators for use in event patterns", "Arrays in EventBridge
//! event patterns") and AWS's open-source matcher aws/event-ruler.

mod anchors;
mod check;
mod complexity;
mod error;
mod event;
mod hash;
mod incoming;
mod leaf;
mod matcher;
mod number;
mod ops;
mod parse;
mod pattern;
mod reader;
mod scan;
mod skip;
mod slots;
mod text;
mod tree;
mod trie;
mod valid;
mod verdict;

pub use complexity::MAX_WILDCARD_COMPLEXITY;
pub use error::{EventError, FieldPath, PatternError};
pub use incoming::{
    Envelope, InvalidEvent, MAX_EVENT_BYTES, REQUIRED_EVENT_FIELDS, validate_event,
};
pub use matcher::{MatchScratch, Matcher, MatcherBuilder};
pub use number::{NUMERIC_MAX, NUMERIC_MIN};
pub use pattern::Pattern;
pub use valid::ValidEvent;
pub use verdict::{TestEventPatternError, test_event_pattern};

/// Deepest nesting of objects and arrays accepted in a pattern or an event.
///
/// EventBridge documents no nesting limit of its own (events are capped at
/// 1 MB, `MAX_EVENT_BYTES`); this bound keeps every recursive step of parsing and matching
/// far from the stack's end, and sits below serde_json's recursion limit of
/// 128 so that both readers reject the same inputs. Deeper input is rejected
/// with an error before any recursion happens.
pub const MAX_NESTING_DEPTH: usize = 100;
