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
    pub(crate) fn rules(&self, value: &str) -> Option<&[u32]> {
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
pub(crate) fn strings_at<'t>(
    node: &'t Node,
    path: &[u32],
    event: Event<'t>,
    visit: &mut impl FnMut(&'t str),
) {
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
