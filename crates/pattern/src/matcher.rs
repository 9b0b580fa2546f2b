//! All the rules of a bus compiled into one matcher.
//!
//! Rules share one field trie, so an event is read once, pruned to the fields
//! any rule names. Most rules require some field to equal one of a few
//! strings (`source`, `detail-type`); such a rule is filed under those strings
//! in a hash index of its most selective field, and an event only evaluates
//! the rules its own strings select, plus the few rules that have no such
//! field. Matching cost therefore grows with the rules that could match, not
//! with the rules loaded.

use std::collections::HashMap;

use serde_json::Value;

use crate::checks::{CheckId, Checks, Recorder, Work, each_string, exact_only};
use crate::error::EventError;
use crate::event::{Event, Node, Tree};
use crate::pattern::Pattern;
use crate::reader;
use crate::slots::{self, Slot};
use crate::tree::{Field, Obj};
use crate::trie::{FieldTrie, ROOT};

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
    /// The `$or`-free rules as the conjunction of their checks.
    conds: Vec<Option<Box<[CheckId]>>>,
    checks: Checks,
    trie: FieldTrie,
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
        let mut checks = Checks::default();
        let required: Vec<Vec<CheckId>> = rules
            .iter()
            .map(|rule| {
                let mut out = Vec::new();
                required_checks(rule, &mut Vec::new(), &mut checks, &mut out);
                out
            })
            .collect();
        let conds = rules
            .iter()
            .zip(&required)
            .map(|(rule, ids)| rule.or_free().then(|| ids.clone().into_boxed_slice()))
            .collect();
        let unanchored = index_rules(&required, &mut checks);
        checks.finish();
        Matcher {
            names,
            rules,
            conds,
            checks,
            trie,
            unanchored,
        }
    }
}

/// The checks a rule requires whatever its `$or`s choose: its leaves
/// reached through plain objects.
fn required_checks(
    obj: &Obj<u32>,
    path: &mut Vec<u32>,
    checks: &mut Checks,
    out: &mut Vec<CheckId>,
) {
    for (id, field) in &obj.fields {
        path.push(*id);
        match field {
            Field::Obj(inner) => required_checks(inner, path, checks, out),
            Field::Leaf(leaf) => out.push(checks.intern(*id, path, leaf)),
        }
        path.pop();
    }
}

/// Files each rule under one exact-only check it requires, the most
/// selective one: an event then evaluates only the rules its own strings
/// select, plus the returned rules, which have no such check.
fn index_rules(required: &[Vec<CheckId>], checks: &mut Checks) -> Vec<u32> {
    // A field is selective when rules spread over many distinct values of it.
    let mut distinct: HashMap<u32, usize> = HashMap::new();
    for &check in required.iter().flatten() {
        let field = checks.field_of[check as usize];
        distinct.insert(field, checks.exact_count(field));
    }
    let mut unanchored = Vec::new();
    for (rule, ids) in required.iter().enumerate() {
        let best = ids
            .iter()
            .filter_map(|&check| {
                let values = exact_only(&checks.leaves[check as usize])?.len();
                let field = checks.field_of[check as usize];
                let spread = distinct.get(&field).copied().unwrap_or(0);
                Some((check, spread as f64 / values as f64))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((check, _)) => checks.anchored[check as usize].push(rule as u32),
            None => unanchored.push(rule as u32),
        }
    }
    unanchored
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
        work.begin(self.rules.len(), self.checks.leaves.len());
        let event = Event {
            tree: &tree,
            text: "",
        };
        self.propose_from_tree(event, &mut work);
        self.finish(event, &mut work, false);
        work.matched
            .iter()
            .map(|&i| &self.names[i as usize])
            .collect()
    }

    fn evaluate_json(&self, json: &[u8], scratch: &mut MatchScratch) -> Result<(), EventError> {
        let MatchScratch { tree, work } = scratch;
        work.begin(self.rules.len(), self.checks.leaves.len());
        let mut recorder = Recorder {
            checks: &self.checks,
            work,
        };
        let text = reader::read_event(json, &self.trie, tree, &mut recorder)?;
        // A repeated key replaced a value whose checks were already settled:
        // settle them again from the final tree.
        let streamed = !tree.replaced();
        self.finish(Event { tree, text }, work, streamed);
        Ok(())
    }

    /// Proposes the rules filed under the event's strings, for a tree that
    /// was not read through a [`Recorder`].
    fn propose_from_tree(&self, event: Event<'_>, work: &mut Work) {
        let Some(root) = event.root() else {
            return;
        };
        for (field, path) in &self.checks.exact_fields {
            let mut propose = |text: &str| {
                for &check in self.checks.exact_hits(*field, text) {
                    for &rule in &self.checks.anchored[check as usize] {
                        work.propose(rule);
                    }
                }
            };
            match slots::get(*field, event) {
                Slot::Direct(value) => each_string(value, event, &mut propose),
                Slot::InArray => strings_at(root, path, event, &mut propose),
                Slot::Absent => {}
            }
        }
    }

    /// Evaluates the proposed rules. `streamed`: the checks of fields read
    /// outside arrays were settled by a [`Recorder`] while reading.
    fn finish(&self, event: Event<'_>, work: &mut Work, streamed: bool) {
        let Some(root) = event.root() else {
            return;
        };
        for &rule in &self.unanchored {
            work.propose(rule);
        }
        for index in 0..work.candidates.len() {
            let rule = work.candidates[index];
            if self.rule_holds(rule, root, event, work, streamed) {
                work.matched.push(rule);
            }
        }
        work.matched.sort_unstable();
    }

    fn rule_holds(
        &self,
        rule: u32,
        root: &Node,
        event: Event<'_>,
        work: &Work,
        streamed: bool,
    ) -> bool {
        let rule = rule as usize;
        if let Some(conds) = &self.conds[rule] {
            let mut needs_walk = false;
            for &check in conds.iter() {
                let holds = match work.marked(check) {
                    Some(holds) if streamed => holds,
                    _ => match slots::get(self.checks.field_of[check as usize], event) {
                        // Absent everywhere, even inside arrays.
                        Slot::Absent => self.checks.absent[check as usize],
                        // Read outside arrays, so a recorder would have
                        // marked it if it held (exact-only checks are only
                        // marked when they hold).
                        Slot::Direct(_) if streamed => false,
                        Slot::Direct(value) => {
                            self.checks.leaves[check as usize].matches(Some(value), event)
                        }
                        Slot::InArray => {
                            needs_walk = true;
                            continue;
                        }
                    },
                };
                // A condition failing on its only possible value fails the
                // rule, whatever the array elements hold.
                if !holds {
                    return false;
                }
            }
            return !needs_walk || self.rules[rule].matches_arrays(event);
        }
        self.rules[rule].matches(Some(root), event)
    }
}
