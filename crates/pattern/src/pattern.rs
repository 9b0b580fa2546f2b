//! A single validated event pattern.

use std::str::FromStr;

use serde_json::Value;

use crate::MAX_NESTING_DEPTH;
use crate::complexity::{self, MAX_WILDCARD_COMPLEXITY};
use crate::error::{EventError, PatternError};
use crate::event::{Event, Tree};
use crate::parse;
use crate::reader;
use crate::tree::Obj;
use crate::trie::{FieldTrie, ROOT};
use crate::valid::ValidEvent;

/// A validated EventBridge event pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: Obj<String>,
    compiled: Obj<u32>,
    trie: FieldTrie,
}

impl Pattern {
    /// Parses and validates pattern JSON.
    pub fn parse(json: &str) -> Result<Self, PatternError> {
        // serde_json recurses once per nesting level; measure first so that
        // absurdly deep input gets our error rather than a recursion failure.
        if nesting_depth_exceeds(json.as_bytes(), MAX_NESTING_DEPTH) {
            return Err(PatternError::TooDeep {
                limit: MAX_NESTING_DEPTH,
            });
        }
        let value: Value =
            serde_json::from_str(json).map_err(|e| PatternError::Json(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Validates a pattern already parsed as JSON (e.g. from a YAML template).
    pub fn from_value(value: &Value) -> Result<Self, PatternError> {
        let source = parse::parse_root(value)?;
        if complexity::rule_complexity(&source) > MAX_WILDCARD_COMPLEXITY {
            return Err(PatternError::TooComplex {
                limit: MAX_WILDCARD_COMPLEXITY,
            });
        }
        let mut trie = FieldTrie::default();
        let compiled = source.compile(&mut trie, ROOT);
        trie.add_joined_keys();
        Ok(Self {
            source,
            compiled,
            trie,
        })
    }

    /// Whether `event` matches. Non-object events match nothing.
    pub fn matches(&self, event: &Value) -> bool {
        if !event.is_object() {
            return false;
        }
        let mut tree = Tree::default();
        tree.fill_from_value(event, &self.trie, ROOT);
        let event = Event {
            tree: &tree,
            text: b"",
        };
        self.compiled.matches(event.root(), event)
    }

    /// Whether the event JSON matches; errors if it is not a JSON object.
    pub fn matches_json(&self, event: &[u8]) -> Result<bool, EventError> {
        let mut tree = Tree::default();
        let text = reader::read_event(event, &self.trie, &mut tree)?;
        let event = Event { tree: &tree, text };
        Ok(self.compiled.matches(event.root(), event))
    }

    /// Whether an event validated by [`ValidEvent::parse`] (or
    /// [`crate::validate_event`]) matches.
    pub fn matches_valid(&self, event: &ValidEvent<'_>) -> Result<bool, EventError> {
        let mut tree = Tree::default();
        let text = reader::read_valid(event, &self.trie, &mut tree)?;
        let event = Event { tree: &tree, text };
        Ok(self.compiled.matches(event.root(), event))
    }

    /// Whether the pattern uses `wildcard` (also inside `anything-but`):
    /// EventBridge allows only so many such rules per bus.
    pub fn uses_wildcards(&self) -> bool {
        complexity::has_wildcards(&self.source)
    }

    pub(crate) fn tree(&self) -> &Obj<String> {
        &self.source
    }
}

impl FromStr for Pattern {
    type Err = PatternError;

    fn from_str(json: &str) -> Result<Self, Self::Err> {
        Self::parse(json)
    }
}

/// Counts bracket nesting outside strings without recursing.
pub(crate) fn nesting_depth_exceeds(json: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}
