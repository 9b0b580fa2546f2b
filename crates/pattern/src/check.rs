//! A leaf condition of a `$or`-free rule as the matcher evaluates it
//! against the slot table. The forms most rules use get a direct test on
//! the one kind of value they are about, in one `match` with no loop over
//! an operator list and no call; every other case, and every other kind of
//! value (arrays, absent fields, ...), goes through the general
//! `Leaf::matches`, so the answer is always the leaf's.

use crate::event::{Event, Node};
use crate::ops::{Leaf, Negated, Op};
use crate::text::{self, Wildcard};

#[derive(Debug, Clone)]
pub(crate) struct Check {
    /// The trie id of the leaf field.
    pub field: u32,
    test: Test,
    leaf: Leaf,
}

#[derive(Debug, Clone)]
enum Test {
    /// No shortcut.
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
}

impl Check {
    pub(crate) fn new(field: u32, leaf: Leaf) -> Self {
        let plain = !leaf.exists_true && !leaf.exists_false;
        let test = match leaf.ops.as_slice() {
            _ if !plain => Test::General,
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
            _ => Test::General,
        };
        Self { field, test, leaf }
    }

    /// Whether the condition holds for the field's value (`None`: absent).
    #[inline(always)]
    pub(crate) fn holds(&self, value: Option<&Node>, event: Event<'_>) -> bool {
        match (&self.test, value) {
            (Test::Equals(want), Some(Node::Str(have))) => {
                text::same(want.as_bytes(), event.bytes(*have))
            }
            (Test::Prefix(want), Some(Node::Str(have))) => {
                text::starts_with(event.bytes(*have), want)
            }
            (Test::Suffix(want), Some(Node::Str(have))) => {
                text::ends_with(event.bytes(*have), want)
            }
            (Test::NoneOf(list), Some(Node::Str(have))) => {
                let have = event.bytes(*have);
                !list.iter().any(|not| text::same(not.as_bytes(), have))
            }
            (Test::Wildcard(wildcard), Some(Node::Str(have))) => {
                wildcard.matches(event.bytes(*have))
            }
            (Test::EqualsIgnoreCase(lowered), Some(Node::Str(have))) => {
                text::equals_ignore_case(event.bytes(*have), lowered)
            }
            (Test::Range(low, high), Some(Node::Num(number))) => {
                number.key().is_some_and(|key| *low <= key && key <= *high)
            }
            _ => self.leaf.matches(value, event),
        }
    }
}
