//! The compiled form of one value in a pattern's match list, and how it tests
//! one scalar of an event.

use crate::check::Test;
use crate::event::{Event, Node};
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

/// The compiled match list of one leaf field.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Leaf {
    pub ops: Vec<Op>,
    pub exists_true: bool,
    pub exists_false: bool,
    /// Set by `Leaf::finish`: the shortcut for strings and numbers when the
    /// leaf has no `exists` (then the operators alone decide them).
    test: Test,
}

impl Leaf {
    /// Records the shortcut `matches` takes; call once the leaf is built.
    pub(crate) fn finish(mut self) -> Self {
        self.test = if self.exists_true || self.exists_false {
            Test::General
        } else {
            Test::for_ops(&self.ops)
        };
        self
    }

    /// Matches the event's value at this field (`None` when absent).
    ///
    /// The common forms are decided here, inlined into the matcher's loops;
    /// the rest by `matches_general`.
    #[inline(always)]
    pub(crate) fn matches(&self, value: Option<&Node>, event: Event<'_>) -> bool {
        if let Some(value) = value
            && let Some(answer) = self.test.decide(value, event, &self.ops)
        {
            return answer;
        }
        self.matches_general(value, event)
    }

    /// Per the event-ruler README ("Exists matching"), existence is about leaf
    /// values: `null` is a value, while an object or an empty array holds no
    /// leaf, so `exists: false` matches them and `exists: true` does not.
    fn matches_general(&self, value: Option<&Node>, event: Event<'_>) -> bool {
        if self.exists_true || self.exists_false {
            let present = value.is_some_and(|value| has_leaf(value, event));
            if (self.exists_true && present) || (self.exists_false && !present) {
                return true;
            }
        }
        match value {
            _ if self.ops.is_empty() => false,
            Some(array @ Node::Arr(_)) => {
                any_scalar(array, event, &|scalar| self.matches_scalar(scalar, event))
            }
            Some(Node::Obj(_)) | None => false,
            Some(scalar) => self.matches_scalar(scalar, event),
        }
    }

    fn matches_scalar(&self, scalar: &Node, event: Event<'_>) -> bool {
        match scalar {
            Node::Str(text) => {
                let text = event.bytes(*text);
                self.ops.iter().any(|op| op.matches_str(text))
            }
            other => self.ops.iter().any(|op| op.matches_other(other)),
        }
    }
}

fn has_leaf(value: &Node, event: Event<'_>) -> bool {
    match value {
        Node::Obj(_) => false,
        Node::Arr(items) => event.items(*items).iter().any(|item| has_leaf(item, event)),
        _ => true,
    }
}

/// An array in the event matches when any element does; nested arrays are
/// flattened the same way. Depth is bounded by the event nesting limit.
fn any_scalar(value: &Node, event: Event<'_>, test: &dyn Fn(&Node) -> bool) -> bool {
    match value {
        Node::Obj(_) => false,
        Node::Arr(items) => event
            .items(*items)
            .iter()
            .any(|item| any_scalar(item, event, test)),
        scalar => test(scalar),
    }
}
