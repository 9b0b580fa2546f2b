//! The shortcut a leaf takes for the forms most conditions use: a direct
//! test on the one kind of value the form is about, in one `match` with no
//! loop over an operator list and no call. Every other case, and every
//! other kind of value (arrays, absent fields, ...), goes through the
//! leaf's general path, so the answer is always the leaf's.

use crate::event::{Event, Node};
use crate::ops::{Negated, Op};
use crate::text::{self, Wildcard};

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Test {
    /// No shortcut.
    #[default]
    General,
    /// On a string: equal to this one.
    Equals(Box<str>),
    /// On a string: starts with this.
    Prefix(Box<str>),
    /// On a string: ends with this.
    Suffix(Box<str>),
    /// On a string: none of these (`anything-but` strings).
    NoneOf(Vec<Box<str>>),
    /// On a string: matches this wildcard.
    Wildcard(Wildcard),
    /// On a string: equal ignoring case to this (lower-cased) one.
    EqualsIgnoreCase(Box<str>),
    /// On a number: its key within these inclusive bounds.
    Range(i64, i64),
    /// On a string or a number: any of the operators holds.
    AnyOf,
}

impl Test {
    /// The shortcut for a leaf with these operators and no `exists`.
    pub(crate) fn for_ops(ops: &[Op]) -> Self {
        match ops {
            [] => Test::General,
            [Op::ExactStr(want)] => Test::Equals(want.clone()),
            [Op::Prefix(want)] => Test::Prefix(want.clone()),
            [Op::Suffix(want)] => Test::Suffix(want.clone()),
            [Op::AnythingBut(Negated::Strings(list))] => Test::NoneOf(list.clone()),
            [Op::Wildcard(wildcard)] => Test::Wildcard(wildcard.clone()),
            [Op::EqualsIgnoreCase(lowered)] => Test::EqualsIgnoreCase(lowered.clone()),
            [Op::Numeric(range)] => {
                let (low, high) = range.inclusive();
                Test::Range(low, high)
            }
            _ => Test::AnyOf,
        }
    }

    /// The answer for `value` when the shortcut applies to it.
    #[inline(always)]
    pub(crate) fn decide(&self, value: &Node, event: Event<'_>, ops: &[Op]) -> Option<bool> {
        let answer = match (self, value) {
            (Test::Equals(want), Node::Str(have)) => {
                text::same(want.as_bytes(), event.bytes(*have))
            }
            (Test::Prefix(want), Node::Str(have)) => text::starts_with(event.bytes(*have), want),
            (Test::Suffix(want), Node::Str(have)) => text::ends_with(event.bytes(*have), want),
            (Test::NoneOf(list), Node::Str(have)) => {
                let have = event.bytes(*have);
                !list.iter().any(|not| text::same(not.as_bytes(), have))
            }
            (Test::Wildcard(wildcard), Node::Str(have)) => wildcard.matches(event.bytes(*have)),
            (Test::EqualsIgnoreCase(lowered), Node::Str(have)) => {
                text::equals_ignore_case(event.bytes(*have), lowered)
            }
            (Test::Range(low, high), Node::Num(number)) => {
                number.key().is_some_and(|key| *low <= key && key <= *high)
            }
            (Test::AnyOf, Node::Str(have)) => {
                let have = event.bytes(*have);
                ops.iter().any(|op| op.matches_str(have))
            }
            (Test::AnyOf, number @ Node::Num(_)) => ops.iter().any(|op| op.matches_other(number)),
            _ => return None,
        };
        Some(answer)
    }
}
