//! The leaf conditions of all the rules of a matcher, deduplicated and filed
//! by field, so that the event reader settles each one the moment it reads
//! the field's value (see [`Recorder`]), instead of every rule looking its
//! fields up again after the event is read.
//!
//! Conditions made only of exact strings (`"source": ["a", "b"]`), the
//! commonest kind, are not tested one by one: the field's string is looked up
//! once in a hash map of all such strings, which also proposes the rules
//! filed under them (see `matcher::index_rules`). So the cost of a field
//! grows with the conditions that can hold, not with the rules loaded.

use std::collections::HashMap;

use crate::event::{Event, Node};
use crate::number::Range;
use crate::ops::{Leaf, Negated, Op};
use crate::strtab::StrTable;

/// One deduplicated leaf condition.
pub(crate) type CheckId = u32;

#[derive(Debug, Default)]
pub(crate) struct Checks {
    pub leaves: Vec<Leaf>,
    /// The same conditions in the form tested inline on scalars.
    quick: Vec<Quick>,
    pub field_of: Vec<u32>,
    /// The outcome when the field is absent: `Leaf::matches(None)`.
    pub absent: Vec<bool>,
    /// Per check: the rules to evaluate when it holds (their anchor).
    pub anchored: Vec<Vec<u32>>,
    /// Per field: the checks tested one by one on its value.
    tested: Vec<Vec<CheckId>>,
    /// (field, string) of each exact-only check, and those checks.
    strings: StrTable,
    /// Per field: how many distinct strings its exact-only checks name.
    exact_count: Vec<u32>,
    /// Per field: whether the reader must report its value.
    watched: Vec<bool>,
    /// Fields with exact-only checks, with their path of field ids.
    pub exact_fields: Vec<(u32, Vec<u32>)>,
    dedup: HashMap<(u32, String), CheckId>,
}

/// Whether a condition is a plain list of exact strings; those are looked up
/// by value instead of tested.
pub(crate) fn exact_only(leaf: &Leaf) -> Option<Vec<&str>> {
    if leaf.exists_true || leaf.exists_false || leaf.ops.is_empty() {
        return None;
    }
    leaf.ops.iter().map(|op| op.exact_str()).collect()
}

impl Checks {
    /// The id of the condition `leaf` on field `field` (at `path`), shared
    /// with any identical condition of another rule.
    pub(crate) fn intern(&mut self, field: u32, path: &[u32], leaf: &Leaf) -> CheckId {
        let key = (field, format!("{leaf:?}"));
        if let Some(&id) = self.dedup.get(&key) {
            return id;
        }
        let id = self.leaves.len() as CheckId;
        let f = field as usize;
        if self.watched.len() <= f {
            self.watched.resize(f + 1, false);
            self.tested.resize_with(f + 1, Vec::new);
            self.exact_count.resize(f + 1, 0);
        }
        self.watched[f] = true;
        match exact_only(leaf) {
            Some(values) => {
                if self.exact_count[f] == 0 {
                    self.exact_fields.push((field, path.to_vec()));
                }
                for value in values {
                    if self.strings.insert(field, value, id) {
                        self.exact_count[f] += 1;
                    }
                }
            }
            None => self.tested[f].push(id),
        }
        self.quick.push(Quick::of(leaf));
        self.leaves.push(leaf.clone());
        self.field_of.push(field);
        self.absent.push(leaf.matches_absent());
        self.anchored.push(Vec::new());
        self.dedup.insert(key, id);
        id
    }

    /// Frees what only building needed.
    pub(crate) fn finish(&mut self) {
        self.dedup = HashMap::new();
    }

    /// How many distinct strings the exact-only checks of `field` name.
    pub(crate) fn exact_count(&self, field: u32) -> usize {
        self.exact_count
            .get(field as usize)
            .map_or(0, |&n| n as usize)
    }

    /// The exact-only checks of `field` that `text` satisfies.
    #[inline]
    pub(crate) fn exact_hits(&self, field: u32, text: &str) -> &[CheckId] {
        self.strings.get(field, text)
    }
}

/// Per-event bookkeeping: which rules are queued and which checks were
/// settled. Generation stamps make resetting it O(1) per event.
#[derive(Debug, Default)]
pub(crate) struct Work {
    generation: u32,
    rule_stamps: Vec<u32>,
    /// Per check: `generation << 1 | outcome` once settled this event.
    marks: Vec<u32>,
    pub candidates: Vec<u32>,
    pub matched: Vec<u32>,
}

/// Stamps live in 31 bits, next to an outcome bit.
const GENERATIONS: u32 = 1 << 31;

impl Work {
    pub(crate) fn begin(&mut self, rules: usize, checks: usize) {
        if self.rule_stamps.len() != rules || self.marks.len() != checks {
            self.rule_stamps = vec![0; rules];
            self.marks = vec![0; checks];
            self.generation = 0;
        }
        self.generation += 1;
        if self.generation == GENERATIONS {
            self.rule_stamps.fill(0);
            self.marks.fill(0);
            self.generation = 1;
        }
        self.candidates.clear();
        self.matched.clear();
    }

    /// Queues a rule for evaluation once per event.
    #[inline]
    pub(crate) fn propose(&mut self, rule: u32) {
        if let Some(stamp) = self.rule_stamps.get_mut(rule as usize)
            && *stamp != self.generation
        {
            *stamp = self.generation;
            self.candidates.push(rule);
        }
    }

    #[inline]
    fn mark(&mut self, check: CheckId, holds: bool) {
        if let Some(mark) = self.marks.get_mut(check as usize) {
            *mark = self.generation << 1 | u32::from(holds);
        }
    }

    /// The outcome recorded for `check` this event, if any.
    #[inline]
    pub(crate) fn marked(&self, check: CheckId) -> Option<bool> {
        let mark = *self.marks.get(check as usize)?;
        (mark >> 1 == self.generation).then_some(mark & 1 == 1)
    }
}

/// What the event reader tells about the fields it keeps.
pub(crate) trait Sink {
    fn watches(&self, field: u32) -> bool;
    /// `node` is the complete value of `field`; `in_array`: it sits inside
    /// an array of objects, where only a walk over the tree is exact.
    fn value(&mut self, field: u32, node: &Node, event: Event<'_>, in_array: bool);
}

/// For a single pattern, which is matched by walking the tree.
pub(crate) struct Ignore;

impl Sink for Ignore {
    #[inline(always)]
    fn watches(&self, _: u32) -> bool {
        false
    }

    fn value(&mut self, _: u32, _: &Node, _: Event<'_>, _: bool) {}
}

/// Settles checks and proposes anchored rules as the reader goes.
pub(crate) struct Recorder<'a> {
    pub checks: &'a Checks,
    pub work: &'a mut Work,
}

impl Sink for Recorder<'_> {
    #[inline(always)]
    fn watches(&self, field: u32) -> bool {
        self.checks
            .watched
            .get(field as usize)
            .copied()
            .unwrap_or(false)
    }

    fn value(&mut self, field: u32, node: &Node, event: Event<'_>, in_array: bool) {
        let Recorder { checks, work } = self;
        if checks.exact_count(field) > 0 {
            each_string(node, event, &mut |text| {
                for &check in checks.exact_hits(field, text) {
                    // Inside arrays of objects the tree walk decides; the
                    // string still proposes the rules filed under it.
                    if !in_array {
                        work.mark(check, true);
                    }
                    for &rule in &checks.anchored[check as usize] {
                        work.propose(rule);
                    }
                }
            });
        }
        if in_array {
            return;
        }
        for &check in checks
            .tested
            .get(field as usize)
            .map_or(&[][..], Vec::as_slice)
        {
            let index = check as usize;
            let holds = match checks.quick.get(index).and_then(|q| q.test(node, event)) {
                Some(holds) => holds,
                None => checks.leaves[index].matches(Some(node), event),
            };
            work.mark(check, holds);
        }
    }
}

/// The commonest one-operator conditions, tested on a scalar without the
/// general `Leaf::matches` dispatch (same outcomes; `tests/` compare the
/// matcher, which uses these, against single patterns, which do not).
#[derive(Debug)]
enum Quick {
    General,
    Prefix(Box<[u8]>),
    Suffix(Box<[u8]>),
    Numeric(Range),
    /// `anything-but` a list of strings: values of other types pass.
    NoneOf(Box<[Box<str>]>),
}

impl Quick {
    fn of(leaf: &Leaf) -> Self {
        if leaf.exists_true || leaf.exists_false {
            return Quick::General;
        }
        match leaf.ops.as_slice() {
            [Op::Prefix(p)] => Quick::Prefix(p.as_bytes().into()),
            [Op::Suffix(s)] => Quick::Suffix(s.as_bytes().into()),
            [Op::Numeric(range)] => Quick::Numeric(*range),
            [Op::AnythingBut(Negated::Strings(list))] => Quick::NoneOf(list.clone().into()),
            _ => Quick::General,
        }
    }

    /// The outcome on a scalar; `None` for arrays, objects and the rest.
    #[inline(always)]
    fn test(&self, node: &Node, event: Event<'_>) -> Option<bool> {
        let holds = match (self, node) {
            (Quick::General, _) | (_, Node::Arr(_) | Node::Obj(_)) => return None,
            (Quick::Prefix(p), Node::Str(text)) => event.str(*text).as_bytes().starts_with(p),
            (Quick::Suffix(s), Node::Str(text)) => event.str(*text).as_bytes().ends_with(s),
            (Quick::Numeric(range), Node::Num(n)) => n.key.is_some_and(|key| range.contains(key)),
            (Quick::NoneOf(list), Node::Str(text)) => {
                let text = event.str(*text);
                !list.iter().any(|s| **s == *text)
            }
            (Quick::NoneOf(_), _) => true,
            _ => false,
        };
        Some(holds)
    }
}

/// Calls `visit` with each string of a value, looking through arrays (not
/// objects), as an exact match does.
pub(crate) fn each_string<'t>(node: &Node, event: Event<'t>, visit: &mut impl FnMut(&'t str)) {
    match node {
        Node::Str(text) => visit(event.str(*text)),
        Node::Arr(items) => {
            for item in event.items(*items) {
                each_string(item, event, visit);
            }
        }
        _ => {}
    }
}
