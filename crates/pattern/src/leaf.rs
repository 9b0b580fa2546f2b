//! The compiled match list of one leaf field: its operators (`ops`), its
//! `exists` flags, and the shortcut (`check::Test`) it takes for the common
//! forms. Kept apart from `ops` so that `check` can build on the operators
//! without the operators depending on `check`.

use crate::check::Test;
use crate::event::{Event, Node};
use crate::ops::Op;

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
