//! The one check every event taken from outside goes through before it is
//! matched: `saga test-event-pattern` and `saga match`, and the local bus for
//! what is put on it, replayed or redriven.
//!
//! What it accepts is what AWS's TestEventPattern accepts, as observed
//! against AWS (LocalStack's AWS-validated snapshots of TestEventPattern,
//! cases in `tests/conformance/event_validation.rs`):
//!
//! * one JSON object, else "Parameter Event is not valid." (a plain string
//!   and a JSON array are both refused that way);
//! * with the fields `id`, `account`, `source`, `time`, `region` and
//!   `detail-type`, whatever their values: an event without them is refused
//!   the same way, while `detail-type` may be a list of strings (an
//!   `equals-ignore-case` pattern then matches its element);
//! * `resources` is not required, though the API reference lists it among
//!   the mandatory fields: AWS answers `true` or `false` for events without
//!   it;
//! * at most [`MAX_EVENT_BYTES`] of JSON text: EventBridge's event size
//!   limit (1 MB since January 2026, up from 256 KB), counted here on the
//!   whole event, which is larger than the PutEvents entry the limit is
//!   charged on, so an event this refuses could be one byte too big for AWS
//!   too, never one AWS would refuse and this accepts.
//!
//! It also holds the engine's own limits (valid UTF-8, nesting at most
//! [`crate::MAX_NESTING_DEPTH`] levels), which every event matched must meet.

use std::cell::RefCell;
use std::sync::OnceLock;

use crate::error::EventError;
use crate::event::{ABSENT, Tree};
use crate::reader;
use crate::trie::{FieldTrie, ROOT};
use crate::valid::ValidEvent;

/// The largest event, in bytes of JSON text, an event bus takes.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// The top-level fields TestEventPattern requires (the API reference's
/// list without `resources`, which AWS does not enforce).
pub const REQUIRED_EVENT_FIELDS: [&str; 6] =
    ["id", "account", "source", "time", "region", "detail-type"];

/// Why an event is refused. Its message starts with AWS's own wording,
/// "Parameter Event is not valid.", and then says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEvent {
    #[error("Parameter Event is not valid. Reason: {0}")]
    Unreadable(#[source] EventError),
    #[error("Parameter Event is not valid. Reason: missing required field `{0}`")]
    MissingField(&'static str),
    #[error(
        "Parameter Event is not valid. Reason: the event is {size} bytes, above EventBridge's limit of {limit} bytes"
    )]
    TooLarge { size: usize, limit: usize },
}

impl InvalidEvent {
    /// Always false: the same event is refused again on every attempt.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// What [`crate::Matcher::matching_incoming`] read of an accepted event
/// besides its matches: `source` and `detail-type` when they are strings
/// (`detail-type` may be a list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope<'a> {
    pub source: Option<&'a str>,
    pub detail_type: Option<&'a str>,
}

fn required_fields() -> &'static FieldTrie {
    static TRIE: OnceLock<FieldTrie> = OnceLock::new();
    TRIE.get_or_init(|| {
        let mut trie = FieldTrie::default();
        for field in REQUIRED_EVENT_FIELDS {
            trie.insert(ROOT, field);
        }
        trie
    })
}

thread_local! {
    static TREE: RefCell<Tree> = RefCell::new(Tree::default());
}

/// Checks `json` as an event taken from outside (see the module
/// documentation) and returns it validated, ready to be matched.
pub fn validate_event(json: &[u8]) -> Result<ValidEvent<'_>, InvalidEvent> {
    if json.len() > MAX_EVENT_BYTES {
        return Err(InvalidEvent::TooLarge {
            size: json.len(),
            limit: MAX_EVENT_BYTES,
        });
    }
    let valid = ValidEvent::parse(json).map_err(InvalidEvent::Unreadable)?;
    let trie = required_fields();
    TREE.with_borrow_mut(|tree| {
        // Reads only the six fields; the rest is stepped over by the ends
        // the validation recorded.
        reader::read_valid(&valid, trie, tree).map_err(InvalidEvent::Unreadable)?;
        for (id, field) in (1u32..).zip(REQUIRED_EVENT_FIELDS) {
            if tree
                .slots
                .get(id as usize)
                .is_none_or(|&slot| slot == ABSENT)
            {
                return Err(InvalidEvent::MissingField(field));
            }
        }
        Ok(())
    })?;
    Ok(valid)
}
