//! The compiled form of one value in a pattern's match list, and how it tests
//! one scalar of an event. A field's whole list is a `leaf::Leaf`.

use crate::event::Node;
use crate::number::Range;
use crate::text::{self, Cidr, Wildcard};

/// One entry of a field's match list (exists is kept apart, see `Leaf`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    ExactStr(Box<str>),
    /// Numbers compare by value: `key` when inside the numeric range, else the
    /// parsed double (e.g. account ids written as numbers).
    ExactNum {
        value: f64,
        key: Option<i64>,
    },
    ExactBool(bool),
    ExactNull,
    Prefix(Box<str>),
    PrefixIgnoreCase(Box<str>),
    Suffix(Box<str>),
    SuffixIgnoreCase(Box<str>),
    EqualsIgnoreCase(Box<str>),
    Wildcard(Wildcard),
    Numeric(Range),
    Cidr(Cidr),
    AnythingBut(Negated),
}

/// What an `anything-but` excludes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Negated {
    Strings(Vec<Box<str>>),
    Numbers(Vec<i64>),
    Prefixes(Vec<Box<str>>),
    Suffixes(Vec<Box<str>>),
    IgnoreCase(Vec<Box<str>>),
    Wildcards(Vec<Wildcard>),
}

impl Op {
    /// Tests one non-string scalar (never an array or object) of the event.
    pub(crate) fn matches_other(&self, value: &Node) -> bool {
        match (self, value) {
            (Op::ExactNum { value, key }, Node::Num(have)) => match (key, have.key()) {
                (Some(want), Some(have_key)) => *want == have_key,
                (None, None) => *value == have.value,
                _ => false,
            },
            (Op::ExactBool(want), Node::Bool(have)) => want == have,
            (Op::ExactNull, Node::Null) => true,
            (Op::Numeric(range), Node::Num(have)) => {
                have.key().is_some_and(|key| range.contains(key))
            }
            (Op::AnythingBut(negated), Node::Num(have)) => !negated.excludes_number(have.key()),
            // Values of another type are never excluded: `{"anything-but":
            // "x"}` matches `null` and `true`, since EventBridge compares the
            // JSON text, where `null` is not `"x"`.
            (Op::AnythingBut(_), _) => true,
            _ => false,
        }
    }

    #[inline]
    pub(crate) fn matches_str(&self, have: &[u8]) -> bool {
        match self {
            Op::ExactStr(want) => text::same(want.as_bytes(), have),
            Op::Prefix(want) => text::starts_with(have, want),
            Op::PrefixIgnoreCase(want) => text::prefix_ignore_case(have, want),
            Op::Suffix(want) => text::ends_with(have, want),
            Op::SuffixIgnoreCase(want) => text::suffix_ignore_case(have, want),
            Op::EqualsIgnoreCase(want) => text::equals_ignore_case(have, want),
            Op::Wildcard(wildcard) => wildcard.matches(have),
            Op::Cidr(cidr) => cidr.contains(have),
            Op::AnythingBut(negated) => !negated.excludes_str(have),
            _ => false,
        }
    }

    /// The string this op requires verbatim, if it is an exact string match;
    /// the multi-rule matcher indexes rules by these.
    pub(crate) fn exact_str(&self) -> Option<&str> {
        match self {
            Op::ExactStr(want) => Some(want),
            _ => None,
        }
    }
}

impl Negated {
    fn excludes_str(&self, have: &[u8]) -> bool {
        match self {
            Negated::Strings(list) => list.iter().any(|s| text::same(s.as_bytes(), have)),
            Negated::Numbers(_) => false,
            Negated::Prefixes(list) => list.iter().any(|p| text::starts_with(have, p)),
            Negated::Suffixes(list) => list.iter().any(|s| text::ends_with(have, s)),
            Negated::IgnoreCase(list) => list.iter().any(|s| text::equals_ignore_case(have, s)),
            Negated::Wildcards(list) => list.iter().any(|w| w.matches(have)),
        }
    }

    fn excludes_number(&self, key: Option<i64>) -> bool {
        match self {
            Negated::Numbers(keys) => key.is_some_and(|key| keys.contains(&key)),
            _ => false,
        }
    }
}
