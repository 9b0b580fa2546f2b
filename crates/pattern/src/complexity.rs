//! The complexity limit EventBridge puts on wildcard patterns.
//!
//! EventBridge matches with aws/event-ruler, whose `MachineComplexityEvaluator`
//! measures how non-deterministic the wildcard patterns of a rule make its
//! matching machine: the largest number of wildcard-pattern prefixes one
//! input value can be in the middle of at the same time. Each `*` lets a
//! value stay where it is while also moving on, so `*:*:*` on a value of
//! colons keeps several prefixes alive at once, and each costs matching time
//! on every event. event-ruler's README recommends a limit of 10 per rule
//! together with at most 30 rules with wildcards per bus ("strategy #2");
//! EventBridge's quota page lists exactly those 30 wildcard rules per bus,
//! and AWS accepts a pattern of complexity 7 (`/Users/*/dir/dir/dir/dir/dir/doc.txt`)
//! while it rejects one of complexity 11 (`*:*:*:*:*:event-bus/*`) with
//! "Rule is too complex - try using fewer wildcard characters or fewer
//! repeating character sequences after a wildcard character" (both observed
//! on AWS's TestEventPattern, see `tests/conformance/wildcard.rs`).
//!
//! Here, as in event-ruler, a rule's complexity is that of its busiest field:
//! the `wildcard` and `anything-but` `wildcard` values naming one field path
//! (in any `$or` branch) are run side by side over every input the field
//! could hold, and the number of their live prefixes is counted. A pattern's
//! prefixes are its positions (after the `k`th character or star); a star's
//! position loops on every character, and is entered without consuming one.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::leaf::Leaf;
use crate::ops::{Negated, Op};
use crate::text::Wildcard;
use crate::tree::{Field, Obj};

/// The largest complexity EventBridge accepts in one rule.
pub const MAX_WILDCARD_COMPLEXITY: usize = 10;

/// Sets of live prefixes explored before giving up; beyond it the rule is
/// treated as too complex (it never happens below the limit in practice:
/// patterns of complexity 10 reach a few hundred sets).
const MAX_STATES_EXPLORED: usize = 20_000;

/// One wildcard pattern as a sequence of steps: a literal character or a star.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Char(char),
    Star,
}

fn steps(wildcard: &Wildcard) -> Vec<Step> {
    let mut out = Vec::new();
    for (index, piece) in wildcard.pieces().iter().enumerate() {
        if index > 0 {
            out.push(Step::Star);
        }
        out.extend(piece.chars().map(Step::Char));
    }
    out
}

/// The complexity of a rule: the largest over its fields (capped just above
/// the limit, which is all a caller needs to know).
pub(crate) fn rule_complexity(rule: &Obj<String>) -> usize {
    let mut fields: BTreeMap<Vec<&str>, Vec<Vec<Step>>> = BTreeMap::new();
    collect(rule, &mut Vec::new(), &mut fields);
    fields
        .values_mut()
        .map(|patterns| {
            // The same pattern twice is one pattern to the machine.
            patterns.sort_by_key(|steps| format!("{steps:?}"));
            patterns.dedup();
            field_complexity(patterns)
        })
        .max()
        .unwrap_or(0)
}

/// Whether the rule has a `wildcard` or `anything-but` `wildcard` anywhere
/// (EventBridge limits how many such rules a bus may have).
pub(crate) fn has_wildcards(rule: &Obj<String>) -> bool {
    let mut fields = BTreeMap::new();
    collect(rule, &mut Vec::new(), &mut fields);
    !fields.is_empty()
}

fn collect<'p>(
    obj: &'p Obj<String>,
    path: &mut Vec<&'p str>,
    out: &mut BTreeMap<Vec<&'p str>, Vec<Vec<Step>>>,
) {
    for (name, field) in &obj.fields {
        path.push(name);
        match field {
            Field::Obj(inner) => collect(inner, path, out),
            Field::Leaf(leaf) => {
                let wildcards = leaf_wildcards(leaf);
                if !wildcards.is_empty() {
                    out.entry(path.clone())
                        .or_default()
                        .extend(wildcards.into_iter().map(steps));
                }
            }
        }
        path.pop();
    }
    for branch in obj.ors.iter().flatten() {
        collect(branch, path, out);
    }
}

fn leaf_wildcards(leaf: &Leaf) -> Vec<&Wildcard> {
    let mut out = Vec::new();
    for op in &leaf.ops {
        match op {
            Op::Wildcard(w) => out.push(w),
            Op::AnythingBut(Negated::Wildcards(list)) => out.extend(list),
            _ => {}
        }
    }
    out
}

/// Live prefixes: (pattern, position) pairs, position `k` meaning the first
/// `k` steps are behind.
type Live = BTreeSet<(usize, usize)>;

/// Adds the star positions reachable without consuming a character.
fn close(patterns: &[Vec<Step>], live: &mut Live) {
    let mut pending: Vec<(usize, usize)> = live.iter().copied().collect();
    while let Some((p, k)) = pending.pop() {
        if patterns[p].get(k) == Some(&Step::Star) && live.insert((p, k + 1)) {
            pending.push((p, k + 1));
        }
    }
}

/// The most prefixes of `patterns` (all naming one field) live at once after
/// some input, explored over sets of live prefixes breadth first. The start
/// (nothing read) is not counted, as in event-ruler.
fn field_complexity(patterns: &[Vec<Step>]) -> usize {
    let over = MAX_WILDCARD_COMPLEXITY + 1;
    // The characters that move some pattern on, plus one that moves none.
    let mut alphabet: BTreeSet<Option<char>> = patterns
        .iter()
        .flatten()
        .filter_map(|step| match step {
            Step::Char(c) => Some(Some(*c)),
            Step::Star => None,
        })
        .collect();
    alphabet.insert(None);
    let mut start: Live = (0..patterns.len()).map(|p| (p, 0)).collect();
    close(patterns, &mut start);
    let mut seen: HashSet<Live> = HashSet::from([start.clone()]);
    let mut queue = std::collections::VecDeque::from([start]);
    let mut most = 0;
    while let Some(live) = queue.pop_front() {
        for c in &alphabet {
            let mut next = Live::new();
            for &(p, k) in &live {
                let steps = &patterns[p];
                // Behind a star, the star's position takes any character.
                if k > 0 && steps.get(k - 1) == Some(&Step::Star) {
                    next.insert((p, k));
                }
                if let (Some(Step::Char(want)), Some(have)) = (steps.get(k), c)
                    && want == have
                {
                    next.insert((p, k + 1));
                }
            }
            close(patterns, &mut next);
            if next.is_empty() {
                continue;
            }
            most = most.max(next.len());
            if most >= over || seen.len() >= MAX_STATES_EXPLORED {
                return over;
            }
            if seen.insert(next.clone()) {
                queue.push_back(next);
            }
        }
    }
    most
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(patterns: &[&str]) -> usize {
        let steps: Vec<Vec<Step>> = patterns
            .iter()
            .map(|p| steps(&Wildcard::parse(p).expect("valid wildcard")))
            .collect();
        field_complexity(&steps)
    }

    /// The figures of event-ruler's MachineComplexityEvaluatorTest (each
    /// with the input that reaches it in a comment there).
    #[test]
    fn single_patterns_score_as_in_event_ruler() {
        for (pattern, expected) in [
            ("*", 1),
            ("abc", 1),
            ("*ab", 2),
            ("*aa", 3),
            ("a*b", 2),
            ("aa*", 2),
            ("a*bc", 2),
            ("a*bb", 3),
            ("a*bcb", 3),
            ("a*bbb", 4),
            ("*ab*ad", 4),
            ("*ab*d", 3),
            ("*aba*", 4),
        ] {
            assert_eq!(of(&[pattern]), expected, "{pattern}");
        }
    }

    #[test]
    fn patterns_on_one_field_add_up() {
        // event-ruler: "abc" is matched by "*", "ab*" and "ab*c".
        assert_eq!(of(&["*", "ab*c"]), 3);
    }

    #[test]
    fn an_escaped_star_is_a_plain_character() {
        assert_eq!(of(&[r"a\*b"]), 1);
    }

    #[test]
    fn the_evaluation_stops_just_above_the_limit() {
        assert_eq!(of(&["*:*:*:*:*:event-bus/*"]), MAX_WILDCARD_COMPLEXITY + 1);
        assert_eq!(of(&["/Users/*/dir/dir/dir/dir/dir/doc.txt"]), 7);
    }
}
