//! All the rules of a bus compiled into one matcher.
//!
//! Rules share one field trie, so an event is read once, pruned to the fields
//! any rule names. Most rules require some field to equal one of a few
//! strings (`source`, `detail-type`); such a rule is filed under those strings
//! in a hash index of its most selective field, and an event only evaluates
//! the rules its own strings select, plus the few rules that have no such
//! field. Matching cost therefore grows with the rules that could match, not
//! with the rules loaded.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;

use serde_json::Value;

use crate::error::EventError;
use crate::event::{Event, Node, Tree};
use crate::hash::{FastHasher, FastMap};
use crate::ops::Leaf;
use crate::pattern::Pattern;
use crate::reader;
use crate::slots::{self, Slot};
use crate::text;
use crate::tree::{Field, Obj};
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

/// A field path with exact-string values, and the rules filed under each.
#[derive(Debug)]
struct AnchorIndex {
    path: Vec<u32>,
    /// Keyed by the value's hash, so that the strings themselves are
    /// compared with `text::same` rather than through `memcmp`.
    rules_by_value: FastMap<u64, Vec<Filed>>,
}

/// One exact value and the rules filed under it.
type Filed = (Box<str>, Vec<u32>);

fn value_hash(value: &str) -> u64 {
    let mut hasher = FastHasher::default();
    hasher.write(value.as_bytes());
    hasher.finish()
}

impl AnchorIndex {
    fn rules(&self, value: &str) -> Option<&[u32]> {
        let bucket = self.rules_by_value.get(&value_hash(value))?;
        bucket
            .iter()
            .find(|(key, _)| text::same(key.as_bytes(), value.as_bytes()))
            .map(|(_, rules)| rules.as_slice())
    }

    fn rules_mut(&mut self, value: &str) -> &mut Vec<u32> {
        let bucket = self.rules_by_value.entry(value_hash(value)).or_default();
        let at = match bucket.iter().position(|(key, _)| **key == *value) {
            Some(at) => at,
            None => {
                bucket.push((value.into(), Vec::new()));
                bucket.len() - 1
            }
        };
        &mut bucket[at].1
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
    anchors: Vec<AnchorIndex>,
    unanchored: Vec<u32>,
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
        let (anchors, unanchored, anchor_leaf) = index_rules(&rules);
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
            anchors,
            unanchored,
        }
    }
}

type Candidate<'r> = (Vec<u32>, Vec<&'r str>);

/// Fields a rule requires to equal one of some strings: a chain of plain
/// objects (not inside `$or`) ending in a list of exact strings only.
fn exact_fields<'r>(obj: &'r Obj<u32>, path: &mut Vec<u32>, out: &mut Vec<Candidate<'r>>) {
    for (id, field) in &obj.fields {
        path.push(*id);
        match field {
            Field::Obj(inner) => exact_fields(inner, path, out),
            Field::Leaf(leaf) => {
                let values: Option<Vec<&str>> = leaf.ops.iter().map(|op| op.exact_str()).collect();
                if let Some(values) = values
                    && !values.is_empty()
                    && !leaf.exists_true
                    && !leaf.exists_false
                {
                    out.push((path.clone(), values));
                }
            }
        }
        path.pop();
    }
}

/// The anchor indexes, the unanchored rules, and each rule's anchor field.
fn index_rules(rules: &[Obj<u32>]) -> (Vec<AnchorIndex>, Vec<u32>, Vec<Option<u32>>) {
    let per_rule: Vec<Vec<Candidate<'_>>> = rules
        .iter()
        .map(|rule| {
            let mut out = Vec::new();
            exact_fields(rule, &mut Vec::new(), &mut out);
            out
        })
        .collect();
    // A field is selective when rules spread over many distinct values of it.
    let mut distinct: HashMap<&[u32], HashSet<&str>> = HashMap::new();
    for (path, values) in per_rule.iter().flatten() {
        distinct
            .entry(path)
            .or_default()
            .extend(values.iter().copied());
    }
    let mut anchors: Vec<AnchorIndex> = Vec::new();
    let mut anchor_of_path: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut unanchored = Vec::new();
    let mut anchor_leaf = vec![None; rules.len()];
    for (rule, candidates) in per_rule.iter().enumerate() {
        let rule = rule as u32;
        let best = candidates.iter().max_by(|a, b| {
            let score = |(path, values): &Candidate<'_>| {
                distinct.get(path.as_slice()).map_or(0, HashSet::len) as f64 / values.len() as f64
            };
            score(a).total_cmp(&score(b))
        });
        let Some((path, values)) = best else {
            unanchored.push(rule);
            continue;
        };
        anchor_leaf[rule as usize] = path.last().copied();
        let slot = *anchor_of_path.entry(path.clone()).or_insert_with(|| {
            anchors.push(AnchorIndex {
                path: path.clone(),
                rules_by_value: FastMap::default(),
            });
            anchors.len() - 1
        });
        for value in values {
            let list = anchors[slot].rules_mut(value);
            if list.last() != Some(&rule) {
                list.push(rule);
            }
        }
    }
    (anchors, unanchored, anchor_leaf)
}

/// Calls `visit` with each string at `path`, looking through arrays.
fn strings_at<'t>(node: &'t Node, path: &[u32], event: Event<'t>, visit: &mut impl FnMut(&'t str)) {
    match (node, path.split_first()) {
        (Node::Arr(items), _) => {
            for item in event.items(*items) {
                strings_at(item, path, event, visit);
            }
        }
        (Node::Str(text), None) => visit(event.str(*text)),
        (Node::Obj(_), Some((id, rest))) => {
            if let Some(child) = event.field(node, *id) {
                strings_at(child, rest, event, visit);
            }
        }
        _ => {}
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
                text: "",
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

    fn evaluate(&self, event: Event<'_>, scratch: &mut Work) {
        scratch.begin(self.rules.len());
        let Some(root) = event.root() else {
            return;
        };
        for anchor in &self.anchors {
            let Some(&leaf) = anchor.path.last() else {
                continue;
            };
            let slot = slots::get(leaf, event);
            let mut propose = |value: &str| {
                if let Some(rules) = anchor.rules(value) {
                    for &rule in rules {
                        scratch.propose(rule);
                    }
                }
            };
            match slot {
                Slot::Direct(value) => strings_at(value, &[], event, &mut propose),
                Slot::InArray => strings_at(root, &anchor.path, event, &mut propose),
                Slot::Absent => {}
            }
        }
        for &rule in &self.unanchored {
            scratch.propose(rule);
        }
        let Work {
            candidates,
            matched,
            ..
        } = scratch;
        matched.extend(candidates.iter().copied().filter(|&rule| {
            let rule = rule as usize;
            match self.flat[rule].as_deref() {
                // Leaves outside arrays hold: only array sub-patterns remain.
                Some(conditions) => slots::evaluate(conditions, event)
                    .unwrap_or_else(|| self.rules[rule].matches_arrays(event)),
                None => self.rules[rule].matches(Some(root), event),
            }
        }));
        matched.sort_unstable();
    }
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
