//! All the rules of a bus compiled into one matcher.
//!
//! Rules share one field trie, so an event is read once, pruned to the fields
//! any rule names. Most rules require some field to equal one of a few
//! strings (`source`, `detail-type`); such a rule is filed under those strings
//! in a hash index of its most selective field, and an event only evaluates
//! the rules its own strings select, plus the few rules that have no such
//! field. Matching cost therefore grows with the rules that could match, not
//! with the rules loaded.

use serde_json::Value;

use crate::anchors::{self, AnchorIndex, strings_at};
use crate::error::EventError;
use crate::event::{ABSENT, Event, Node, Tree};
use crate::incoming::{Envelope, InvalidEvent, MAX_EVENT_BYTES, REQUIRED_EVENT_FIELDS};
use crate::leaf::Leaf;
use crate::pattern::Pattern;
use crate::reader;
use crate::slots::{self, Slot};
use crate::tree::Obj;
use crate::trie::{FieldTrie, ROOT};
use crate::valid::ValidEvent;

/// Collects rules, then compiles them with [`MatcherBuilder::build`].
#[derive(Debug, Clone)]
pub struct MatcherBuilder<R = String> {
    rules: Vec<(R, Pattern)>,
}

impl<R> Default for MatcherBuilder<R> {
    fn default() -> Self {
        Self { rules: Vec::new() }
    }
}

/// Every rule of a bus, compiled together.
#[derive(Debug)]
pub struct Matcher<R = String> {
    names: Vec<R>,
    rules: Vec<Obj<u32>>,
    /// The `$or`-free rules as leaf lists, evaluated through a slot table.
    flat: Vec<Option<Vec<(u32, Leaf)>>>,
    trie: FieldTrie,
    /// `trie` plus the required event fields, read by `matching_incoming`
    /// alone: in `trie` they would cost every other path their reads (+5%
    /// instructions on the 1,000-exact-rules benchmark).
    incoming_trie: FieldTrie,
    anchors: Vec<AnchorIndex>,
    unanchored: Vec<u32>,
    /// The trie ids of `REQUIRED_EVENT_FIELDS`, in that order, for
    /// `matching_incoming`'s check, and of `source` and `detail-type`.
    required: [u32; REQUIRED_EVENT_FIELDS.len()],
    envelope: [u32; 2],
}

/// Reusable working memory for [`Matcher::matching_rules_into`]: the arena
/// events are read into and per-rule bookkeeping. It grows to the largest
/// event and the number of rules, then is reused, so matching a stream of
/// events does not allocate and its memory stays bounded.
#[derive(Debug, Default)]
pub struct MatchScratch {
    tree: Tree,
    work: Work,
}

/// The part of [`MatchScratch`] that evaluation writes while the event's
/// tree is borrowed.
#[derive(Debug, Default)]
struct Work {
    stamps: Vec<u32>,
    generation: u32,
    candidates: Vec<u32>,
    matched: Vec<u32>,
}

impl<R> MatcherBuilder<R> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule; names need not be unique.
    pub fn add(&mut self, name: R, pattern: Pattern) -> &mut Self {
        self.rules.push((name, pattern));
        self
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn build(self) -> Matcher<R> {
        let mut trie = FieldTrie::default();
        let mut names = Vec::with_capacity(self.rules.len());
        let mut rules = Vec::with_capacity(self.rules.len());
        for (name, pattern) in self.rules {
            rules.push(pattern.tree().compile(&mut trie, ROOT));
            names.push(name);
        }
        trie.add_joined_keys();
        // Appended fields keep every id of `trie`; top-level fields have no
        // joined keys to add.
        let mut incoming_trie = trie.clone();
        let required = REQUIRED_EVENT_FIELDS.map(|field| incoming_trie.insert(ROOT, field));
        let envelope = ["source", "detail-type"].map(|field| incoming_trie.insert(ROOT, field));
        let (anchors, unanchored, anchor_leaf) = anchors::index_rules(&rules);
        let flat = rules
            .iter()
            .zip(anchor_leaf)
            .map(|(rule, leaf)| {
                let mut conditions = rule.flatten()?;
                // A rule is only evaluated once its anchor found one of its
                // exact strings at the anchor's field: that condition holds.
                // (When the field is inside an array of objects, the walk
                // `matches_arrays` does for the rule's other in-array fields
                // checks it again with array consistency; if no other field
                // is in an array, the anchor's find is the whole answer.)
                conditions.retain(|(id, _)| Some(*id) != leaf);
                Some(conditions)
            })
            .collect();
        Matcher {
            names,
            rules,
            flat,
            trie,
            incoming_trie,
            anchors,
            unanchored,
            required,
            envelope,
        }
    }
}

impl<R> Matcher<R> {
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Rule names in the order they were added.
    pub fn names(&self) -> &[R] {
        &self.names
    }

    /// The names of the rules `event` (JSON text) matches, in rule order.
    pub fn matching_rules(&self, event: &[u8]) -> Result<Vec<&R>, EventError> {
        let mut out = Vec::new();
        self.matching_rules_into(event, &mut MatchScratch::default(), &mut out)?;
        Ok(out)
    }

    /// Like [`Matcher::matching_rules`], reusing `scratch` and `out` (which is
    /// cleared first) so that a hot loop does not allocate per event.
    pub fn matching_rules_into<'m>(
        &'m self,
        event: &[u8],
        scratch: &mut MatchScratch,
        out: &mut Vec<&'m R>,
    ) -> Result<(), EventError> {
        out.clear();
        self.evaluate_json(event, scratch)?;
        out.extend(
            scratch
                .work
                .matched
                .iter()
                .map(|&i| &self.names[i as usize]),
        );
        Ok(())
    }

    /// Like [`Matcher::matching_rules_into`] for an event validated once by
    /// [`ValidEvent::parse`] (as EventBridge validates an event once, when
    /// PutEvents accepts it): the parts of the event no rule names are
    /// stepped over by the recorded end of each object and array rather than
    /// scanned and validated again. The result is the same as matching the
    /// event's bytes.
    pub fn matching_valid_into<'m>(
        &'m self,
        event: &ValidEvent<'_>,
        scratch: &mut MatchScratch,
        out: &mut Vec<&'m R>,
    ) -> Result<(), EventError> {
        out.clear();
        let MatchScratch { tree, work } = scratch;
        let text = reader::read_valid(event, &self.trie, tree)?;
        self.evaluate(Event { tree, text }, work);
        out.extend(work.matched.iter().map(|&i| &self.names[i as usize]));
        Ok(())
    }

    /// The indices (in [`Matcher::names`]) of the rules `event` matches.
    pub fn matching_indices(
        &self,
        event: &[u8],
        scratch: &mut MatchScratch,
        out: &mut Vec<usize>,
    ) -> Result<(), EventError> {
        out.clear();
        self.evaluate_json(event, scratch)?;
        out.extend(scratch.work.matched.iter().map(|&i| i as usize));
        Ok(())
    }

    /// [`Matcher::matching_indices`] for an event validated once (see
    /// [`Matcher::matching_valid_into`]).
    pub fn matching_valid_indices(
        &self,
        event: &ValidEvent<'_>,
        scratch: &mut MatchScratch,
        out: &mut Vec<usize>,
    ) -> Result<(), EventError> {
        out.clear();
        let MatchScratch { tree, work } = scratch;
        let text = reader::read_valid(event, &self.trie, tree)?;
        self.evaluate(Event { tree, text }, work);
        out.extend(work.matched.iter().map(|&i| i as usize));
        Ok(())
    }

    /// [`crate::validate_event`] then [`Matcher::matching_valid_indices`] in
    /// one read of the bytes: the same events are refused, with the same
    /// errors, and the same rules match. For a file or stream of events
    /// taken from outside (`saga match`), where the event is matched once:
    /// validating first reads it twice. Also returns the event's `source`
    /// and `detail-type` (to label results).
    pub fn matching_incoming<'a>(
        &self,
        json: &'a [u8],
        scratch: &'a mut MatchScratch,
        out: &mut Vec<usize>,
    ) -> Result<Envelope<'a>, InvalidEvent> {
        out.clear();
        if json.len() > MAX_EVENT_BYTES {
            return Err(InvalidEvent::TooLarge {
                size: json.len(),
                limit: MAX_EVENT_BYTES,
            });
        }
        let MatchScratch { tree, work } = scratch;
        let Ok(text) = reader::read_event(json, &self.incoming_trie, tree) else {
            return Err(refusal(json));
        };
        let tree: &'a Tree = tree;
        let event = Event { tree, text };
        for (&id, field) in self.required.iter().zip(REQUIRED_EVENT_FIELDS) {
            if tree
                .slots
                .get(id as usize)
                .is_none_or(|&slot| slot == ABSENT)
            {
                return Err(InvalidEvent::MissingField(field));
            }
        }
        self.evaluate(event, work);
        out.extend(work.matched.iter().map(|&i| i as usize));
        let text_of = |id: u32| match slots::get(id, event) {
            Slot::Direct(Node::Str(text)) => std::str::from_utf8(event.bytes(*text)).ok(),
            _ => None,
        };
        let [source, detail_type] = self.envelope.map(text_of);
        Ok(Envelope {
            source,
            detail_type,
        })
    }

    /// The names of the rules a parsed event matches; non-objects match none.
    pub fn matching_rules_for_value(&self, event: &Value) -> Vec<&R> {
        if !event.is_object() {
            return Vec::new();
        }
        let mut tree = Tree::default();
        let mut work = Work::default();
        tree.fill_from_value(event, &self.trie, ROOT);
        self.evaluate(
            Event {
                tree: &tree,
                text: b"",
            },
            &mut work,
        );
        work.matched
            .iter()
            .map(|&i| &self.names[i as usize])
            .collect()
    }

    fn evaluate_json(&self, json: &[u8], scratch: &mut MatchScratch) -> Result<(), EventError> {
        let MatchScratch { tree, work } = scratch;
        let text = reader::read_event(json, &self.trie, tree)?;
        self.evaluate(Event { tree, text }, work);
        Ok(())
    }

    fn evaluate(&self, event: Event<'_>, work: &mut Work) {
        work.begin(self.rules.len());
        let Some(root) = event.root() else {
            return;
        };
        for anchor in &self.anchors {
            let Some(&leaf) = anchor.path.last() else {
                continue;
            };
            let mut propose = |value: &[u8]| {
                if let Some(rules) = anchor.rules(value) {
                    for &rule in rules {
                        work.propose(rule);
                    }
                }
            };
            match slots::get(leaf, event) {
                Slot::Direct(Node::Str(text)) => propose(event.bytes(*text)),
                Slot::Direct(value) => strings_at(value, &[], event, &mut propose),
                // Start at the deepest field on the path reached through
                // objects alone rather than at the root.
                Slot::InArray => {
                    let (start, rest) =
                        deepest_direct(&anchor.path, event).unwrap_or((root, &anchor.path));
                    strings_at(start, rest, event, &mut propose)
                }
                Slot::Absent => {}
            }
        }
        let Work {
            candidates,
            matched,
            ..
        } = work;
        // An unanchored rule is filed under no value, so never proposed:
        // both lists together hold each rule to evaluate once.
        self.evaluate_rules(candidates, event, root, matched);
        self.evaluate_rules(&self.unanchored, event, root, matched);
        matched.sort_unstable();
    }

    /// Adds the `rules` that hold to `matched`. One function for both
    /// lists, so that the rule loop (with `slots::evaluate` inlined into
    /// it) exists once and calls nothing for a flat rule's leaves.
    #[inline(never)]
    fn evaluate_rules(&self, rules: &[u32], event: Event<'_>, root: &Node, matched: &mut Vec<u32>) {
        for &rule in rules {
            let at = rule as usize;
            let holds = match self.flat.get(at).and_then(Option::as_deref) {
                // Leaves outside arrays hold: only array sub-patterns remain.
                Some(conditions) => slots::evaluate(conditions, event)
                    .unwrap_or_else(|| self.rules.get(at).is_some_and(|r| r.matches_arrays(event))),
                None => self
                    .rules
                    .get(at)
                    .is_some_and(|r| r.matches(Some(root), event)),
            };
            if holds {
                matched.push(rule);
            }
        }
    }
}

/// Why `validate_event` refuses `json`, which the reader refused: its
/// error, so that both paths word a refusal alike (their first failing
/// check can differ, e.g. the byte offset named).
#[cold]
fn refusal(json: &[u8]) -> InvalidEvent {
    match crate::incoming::validate_event(json) {
        Err(error) => error,
        // Both read the same grammar; kept total rather than trusted.
        Ok(_) => InvalidEvent::Unreadable(EventError::Syntax {
            offset: 0,
            reason: "refused by the matcher's reader",
        }),
    }
}

/// The value of the deepest proper prefix of `path` found outside arrays,
/// and the rest of the path after it.
fn deepest_direct<'t, 'p>(path: &'p [u32], event: Event<'t>) -> Option<(&'t Node, &'p [u32])> {
    (0..path.len().saturating_sub(1)).rev().find_map(|at| {
        let id = path.get(at)?;
        match slots::get(*id, event) {
            Slot::Direct(node) => Some((node, path.get(at + 1..)?)),
            _ => None,
        }
    })
}

impl Work {
    fn begin(&mut self, rules: usize) {
        if self.stamps.len() != rules {
            self.stamps = vec![0; rules];
            self.generation = 0;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamps.fill(0);
            self.generation = 1;
        }
        self.candidates.clear();
        self.matched.clear();
    }

    /// Queues a rule for evaluation once per event.
    fn propose(&mut self, rule: u32) {
        let stamp = &mut self.stamps[rule as usize];
        if *stamp != self.generation {
            *stamp = self.generation;
            self.candidates.push(rule);
        }
    }
}
