//! The anchor index: rules filed under the exact strings of their most
//! selective field, so that an event evaluates only the rules its own
//! values select.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;

use crate::event::{Event, Node};
use crate::hash::{FastHasher, FastMap};
use crate::text;
use crate::tree::{Field, Obj};

/// A field path with exact-string values, and the rules filed under each.
#[derive(Debug)]
pub(crate) struct AnchorIndex {
    pub(crate) path: Vec<u32>,
    /// The values while there are at most `FEW` of them (a bus's usual
    /// `source` or `detail-type` lists): comparing the event's string with
    /// each, length first, costs less than hashing it.
    few: Vec<Filed>,
    /// Keyed by the value's hash, so that the strings themselves are
    /// compared with `text::same` rather than through `memcmp`; used once
    /// there are more than `FEW` values.
    rules_by_value: FastMap<u64, Vec<Filed>>,
}

/// Most values an anchor compares one by one rather than through a hash.
const FEW: usize = 8;

/// One exact value and the rules filed under it.
type Filed = (Box<str>, Vec<u32>);

fn value_hash(value: &[u8]) -> u64 {
    let mut hasher = FastHasher::default();
    hasher.write(value);
    hasher.finish()
}

impl AnchorIndex {
    fn new(path: Vec<u32>) -> Self {
        Self {
            path,
            few: Vec::new(),
            rules_by_value: FastMap::default(),
        }
    }

    pub(crate) fn rules(&self, value: &[u8]) -> Option<&[u32]> {
        let bucket = if self.rules_by_value.is_empty() {
            &self.few
        } else {
            self.rules_by_value.get(&value_hash(value))?
        };
        bucket
            .iter()
            .find(|(key, _)| text::same(key.as_bytes(), value))
            .map(|(_, rules)| rules.as_slice())
    }

    /// Files each value's rules: in `few` while there are at most `FEW`
    /// values, in the hash table beyond.
    fn fill(&mut self, values: HashMap<&str, Vec<u32>>) {
        let many = values.len() > FEW;
        for (value, rules) in values {
            let filed = (Box::from(value), rules);
            if many {
                let bucket = self.rules_by_value.entry(value_hash(value.as_bytes()));
                bucket.or_default().push(filed);
            } else {
                self.few.push(filed);
            }
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
pub(crate) fn index_rules(rules: &[Obj<u32>]) -> (Vec<AnchorIndex>, Vec<u32>, Vec<Option<u32>>) {
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
    let mut anchors: Vec<(AnchorIndex, HashMap<&str, Vec<u32>>)> = Vec::new();
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
            anchors.push((AnchorIndex::new(path.clone()), HashMap::new()));
            anchors.len() - 1
        });
        for value in values {
            let list = anchors[slot].1.entry(value).or_default();
            if list.last() != Some(&rule) {
                list.push(rule);
            }
        }
    }
    let anchors = anchors
        .into_iter()
        .map(|(mut anchor, values)| {
            anchor.fill(values);
            anchor
        })
        .collect();
    (anchors, unanchored, anchor_leaf)
}

/// Calls `visit` with each string at `path`, looking through arrays.
pub(crate) fn strings_at<'t>(
    node: &'t Node,
    path: &[u32],
    event: Event<'t>,
    visit: &mut impl FnMut(&'t [u8]),
) {
    match (node, path.split_first()) {
        (Node::Arr(items), _) => {
            for item in event.items(*items) {
                strings_at(item, path, event, visit);
            }
        }
        (Node::Str(text), None) => visit(event.bytes(*text)),
        (Node::Obj(_), Some((id, rest))) => {
            if let Some(child) = event.field(node, *id) {
                strings_at(child, rest, event, visit);
            }
            // A joined key (`"a.b"`, beside an object `a` or instead of it)
            // keeps the rest of the path in this very object.
            if !rest.is_empty() {
                strings_at(node, rest, event, visit);
            }
        }
        _ => {}
    }
}
