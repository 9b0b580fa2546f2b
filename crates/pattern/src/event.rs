//! The event as the matcher sees it: only the fields some pattern names,
//! stored in a reusable arena.
//!
//! Nodes refer to their children and strings by offsets instead of owning
//! them, so one [`Tree`] can be cleared and refilled for every event: a
//! stream of events allocates nothing once the arena has grown to the
//! largest event, and memory stays bounded by that event's size.

use serde_json::Value;

use crate::MAX_NESTING_DEPTH;
use crate::number;
use crate::trie::{FieldTrie, ROOT};

/// A number of the event. Its comparable key is computed when a rule asks
/// for it rather than stored: that keeps a `Node` at 16 bytes, which the
/// reader moves in registers (a 32-byte node was copied through the stack
/// with store-forwarding stalls, a quarter of a match's time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Num {
    pub value: f64,
}

impl Num {
    pub(crate) fn new(value: f64) -> Self {
        Self { value }
    }

    /// EventBridge's comparable form; `None` outside the numeric range.
    pub(crate) fn key(&self) -> Option<i64> {
        number::comparable(self.value)
    }
}

/// A run of an arena vector (or of text): start and length packed into one
/// word, so that building a node is register arithmetic (two 32-bit fields
/// were stored separately and reloaded as one word, stalling the reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span(u64);

impl Span {
    pub(crate) fn new(start: usize, len: usize) -> Self {
        Span(start as u32 as u64 | (len as u32 as u64) << 32)
    }

    pub(crate) fn start(self) -> usize {
        self.0 as u32 as usize
    }

    fn len(self) -> usize {
        (self.0 >> 32) as usize
    }

    fn range(self) -> std::ops::Range<usize> {
        self.start()..self.start() + self.len()
    }
}

/// Where a string's characters are: in the event text when it had no
/// escapes, else unescaped into the tree's own buffer (the top bit of the
/// length says which; events are far below 2 GiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Text(Span);

const UNESCAPED: u64 = 1 << 63;

impl Text {
    pub(crate) fn event(start: usize, len: usize) -> Self {
        Text(Span::new(start, len))
    }

    pub(crate) fn unescaped(start: usize, len: usize) -> Self {
        Text(Span(Span::new(start, len).0 | UNESCAPED))
    }

    pub(crate) fn is_unescaped(self) -> bool {
        self.0.0 & UNESCAPED != 0
    }

    pub(crate) fn span(self) -> Span {
        Span(self.0.0 & !UNESCAPED)
    }
}

/// A pruned event value. Object entries carry the trie id of their key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Num(Num),
    Str(Text),
    Arr(Span),
    Obj(Span),
}

/// The arena one event is read into.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub(crate) entries: Vec<(u32, Node)>,
    pub(crate) items: Vec<Node>,
    pub(crate) strings: String,
    /// Children of the containers being read, moved into `entries` or
    /// `items` when their container closes so that siblings are contiguous.
    pub(crate) open_entries: Vec<(u32, Node)>,
    pub(crate) open_items: Vec<Node>,
    pub(crate) root: Option<Node>,
    /// Where each field (by trie id) sits: an index into `entries`, or
    /// `ABSENT`, or `IN_ARRAY` when seen inside an array. Recorded as objects
    /// close, so the matcher needs no separate walk over the tree.
    pub(crate) slots: Vec<u32>,
    /// A repeated key replaced a value: the slots of the replaced value's
    /// fields are stale and `finish` recomputes them all.
    replaced: bool,
    /// Where each field (by trie id) was last pushed in `open_entries`, so
    /// that a repeated key is found without scanning its object. Never
    /// reset: a stale position is recognised because the entry there is not
    /// that field's or lies below the open object's start.
    last_pushed: Vec<u32>,
    /// The reader's guesses at keys (see `FieldTrie::child_guessed`): at
    /// `2 * id` the first kept key of the object at field `id`, at
    /// `2 * id + 1` the kept key that followed field `id`, as last seen.
    /// Never reset: a wrong or stale guess only costs the hash lookup.
    pub(crate) guesses: Vec<u32>,
}

/// `Tree::slots` value of a field the event does not have.
pub(crate) const ABSENT: u32 = u32::MAX;
/// `Tree::slots` value of a field found inside an array of objects.
pub(crate) const IN_ARRAY: u32 = u32::MAX - 1;

/// A read event: its tree plus the text its strings point into.
#[derive(Clone, Copy)]
pub(crate) struct Event<'t> {
    pub tree: &'t Tree,
    /// The event's text, checked to be UTF-8.
    pub text: &'t [u8],
}

impl Tree {
    /// Empties the tree for an event read against a trie of `fields` nodes.
    pub(crate) fn begin(&mut self, fields: usize) {
        self.slots.clear();
        self.slots.resize(fields, ABSENT);
        if self.last_pushed.len() < fields {
            self.last_pushed.resize(fields, u32::MAX);
        }
        if self.guesses.len() < 2 * fields {
            self.guesses.resize(2 * fields, ROOT);
        }
        self.replaced = false;
        self.entries.clear();
        self.items.clear();
        self.strings.clear();
        self.open_entries.clear();
        self.open_items.clear();
        self.root = None;
    }

    fn span(len_before: usize, len_after: usize) -> Span {
        Span::new(len_before, len_after - len_before)
    }

    /// Closes an object whose entries start at `base` of `open_entries`.
    pub(crate) fn close_object(&mut self, base: usize, in_array: bool) -> Node {
        let start = self.entries.len();
        let entries = self.open_entries.get(base..).unwrap_or_default();
        for (offset, (id, _)) in entries.iter().enumerate() {
            if let Some(slot) = self.slots.get_mut(*id as usize) {
                *slot = if in_array {
                    IN_ARRAY
                } else {
                    (start + offset) as u32
                };
            }
        }
        move_from(&mut self.open_entries, base, &mut self.entries);
        Node::Obj(Self::span(start, self.entries.len()))
    }

    pub(crate) fn close_array(&mut self, base: usize) -> Node {
        let start = self.items.len();
        move_from(&mut self.open_items, base, &mut self.items);
        Node::Arr(Self::span(start, self.items.len()))
    }

    /// Adds an entry to the open object starting at `base`; a repeated key
    /// keeps its last value, as serde_json does.
    ///
    /// The open object's entries are `open_entries[base..]` (those of the
    /// objects around it lie below `base`, nested ones were moved out when
    /// they closed), so an entry for `key` at or above `base` is this
    /// object's.
    #[inline(always)]
    pub(crate) fn push_entry(&mut self, base: usize, key: u32, node: Node) {
        let len = self.open_entries.len();
        let Some(last) = self.last_pushed.get_mut(key as usize) else {
            self.open_entries.push((key, node));
            return;
        };
        let at = *last as usize;
        if at >= base
            && let Some(entry) = self.open_entries.get_mut(at)
            && entry.0 == key
        {
            entry.1 = node;
            self.replaced = true;
            return;
        }
        *last = len as u32;
        self.open_entries.push((key, node));
    }

    /// Recomputes the slots if a repeated key left stale ones; the root is
    /// set.
    pub(crate) fn finish(&mut self) {
        let root = self.root;
        if self.replaced {
            self.slots.fill(ABSENT);
            if let Some(root) = root {
                self.record_slots(root, false);
            }
        }
    }

    /// The slow path of slot filling: a walk over the final tree.
    fn record_slots(&mut self, node: Node, in_array: bool) {
        match node {
            Node::Obj(span) => {
                for index in span.range() {
                    let Some(&(id, child)) = self.entries.get(index) else {
                        continue;
                    };
                    if let Some(slot) = self.slots.get_mut(id as usize) {
                        *slot = if in_array { IN_ARRAY } else { index as u32 };
                    }
                    self.record_slots(child, in_array);
                }
            }
            Node::Arr(span) => {
                for index in span.range() {
                    if let Some(&item) = self.items.get(index) {
                        self.record_slots(item, true);
                    }
                }
            }
            _ => {}
        }
    }

    pub(crate) fn unescaped(&mut self, text: &str) -> Text {
        let start = self.strings.len();
        self.strings.push_str(text);
        Text::unescaped(start, self.strings.len() - start)
    }

    /// Prunes a `serde_json::Value` to the fields in `trie`. Values nested
    /// deeper than the nesting limit are dropped (treated as absent), which
    /// keeps the recursion bounded for values built by hand.
    pub(crate) fn fill_from_value(&mut self, value: &Value, trie: &FieldTrie, node: u32) {
        self.begin(trie.len());
        self.root = Some(self.add_value(value, trie, node, 1, false));
        self.finish();
    }

    fn add_value(
        &mut self,
        value: &Value,
        trie: &FieldTrie,
        node: u32,
        depth: usize,
        in_array: bool,
    ) -> Node {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Num(Num::new(n.as_f64().unwrap_or(f64::NAN))),
            Value::String(s) => Node::Str(self.unescaped(s)),
            _ if depth >= MAX_NESTING_DEPTH => Node::Obj(Span::new(0, 0)),
            Value::Array(items) => {
                let base = self.open_items.len();
                for item in items {
                    let child = self.add_value(item, trie, node, depth + 1, true);
                    self.open_items.push(child);
                }
                self.close_array(base)
            }
            Value::Object(map) => {
                let base = self.open_entries.len();
                for (key, item) in map {
                    if let Some(id) = trie.child(node, key.as_bytes()) {
                        let child = self.add_value(item, trie, id, depth + 1, in_array);
                        self.push_entry(base, id, child);
                    }
                }
                self.close_object(base, in_array)
            }
        }
    }
}

/// Moves `from[base..]` to the end of `to`. Containers hold a few kept
/// children, for which copying one by one beats a call to `memmove`.
fn move_from<T: Copy>(from: &mut Vec<T>, base: usize, to: &mut Vec<T>) {
    for item in from.get(base..).unwrap_or_default() {
        to.push(*item);
    }
    from.truncate(base);
}

impl<'t> Event<'t> {
    pub(crate) fn root(&self) -> Option<&'t Node> {
        self.tree.root.as_ref()
    }

    /// A string's bytes: whole UTF-8 sequences (see `text`), handed out as
    /// bytes so that no char-boundary checks are paid for slicing.
    pub(crate) fn bytes(&self, text: Text) -> &'t [u8] {
        let source = if text.is_unescaped() {
            self.tree.strings.as_bytes()
        } else {
            self.text
        };
        source.get(text.span().range()).unwrap_or_default()
    }

    pub(crate) fn entries(&self, span: Span) -> &'t [(u32, Node)] {
        self.tree.entries.get(span.range()).unwrap_or_default()
    }

    pub(crate) fn items(&self, span: Span) -> &'t [Node] {
        self.tree.items.get(span.range()).unwrap_or_default()
    }

    /// The value of field `id` when `node` is an object that has it.
    pub(crate) fn field(&self, node: &Node, id: u32) -> Option<&'t Node> {
        match node {
            Node::Obj(span) => self
                .entries(*span)
                .iter()
                .find(|(key, _)| *key == id)
                .map(|(_, value)| value),
            _ => None,
        }
    }
}
