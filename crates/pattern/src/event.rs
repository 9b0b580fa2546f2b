//! The event as the matcher sees it: only the fields some pattern names,
//! borrowed from the input where possible.

use std::borrow::Cow;

use serde_json::Value;

use crate::MAX_NESTING_DEPTH;
use crate::number;
use crate::trie::FieldTrie;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Num {
    pub value: f64,
    /// EventBridge's comparable form; `None` outside the numeric range.
    pub key: Option<i64>,
}

impl Num {
    pub(crate) fn new(value: f64) -> Self {
        Self {
            value,
            key: number::comparable(value),
        }
    }
}

/// A pruned event value. Object entries carry the trie id of their key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Num(Num),
    Str(Cow<'a, str>),
    Arr(Vec<Node<'a>>),
    Obj(Vec<(u32, Node<'a>)>),
}

impl<'a> Node<'a> {
    pub(crate) fn field(&self, id: u32) -> Option<&Node<'a>> {
        match self {
            Node::Obj(entries) => entries.iter().find(|(key, _)| *key == id).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Prunes a `serde_json::Value` to the fields in `trie`. Values nested
    /// deeper than the nesting limit are dropped (treated as absent), which
    /// keeps the recursion bounded for values built by hand.
    pub(crate) fn from_value(value: &'a Value, trie: &FieldTrie, node: u32) -> Self {
        Self::from_value_at(value, trie, node, 1)
    }

    fn from_value_at(value: &'a Value, trie: &FieldTrie, node: u32, depth: usize) -> Self {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Num(Num::new(n.as_f64().unwrap_or(f64::NAN))),
            Value::String(s) => Node::Str(Cow::Borrowed(s)),
            _ if depth >= MAX_NESTING_DEPTH => Node::Obj(Vec::new()),
            Value::Array(items) => Node::Arr(
                items
                    .iter()
                    .map(|item| Self::from_value_at(item, trie, node, depth + 1))
                    .collect(),
            ),
            Value::Object(map) => Node::Obj(
                map.iter()
                    .filter_map(|(key, item)| {
                        let child = trie.child(node, key)?;
                        Some((child, Self::from_value_at(item, trie, child, depth + 1)))
                    })
                    .collect(),
            ),
        }
    }
}
