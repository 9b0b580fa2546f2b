//! Where each field the rules name sits in one event.
//!
//! Most rules are a conjunction of leaf conditions on paths that cross no
//! array of objects. For those, looking a leaf up in the tree's slot table
//! (filled as objects close, see `Tree::slots`) is enough; only fields found
//! inside arrays need the element-by-element walk of `Obj::matches` to keep
//! array consistency.

use crate::event::{ABSENT, Event, IN_ARRAY, Node};
use crate::leaf::Leaf;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot<'t> {
    Absent,
    /// The field's only value, reached through objects alone.
    Direct(&'t Node),
    /// Seen inside an array of objects: only the tree walk is exact.
    InArray,
}

pub(crate) fn get(id: u32, event: Event<'_>) -> Slot<'_> {
    match event.tree.slots.get(id as usize).copied().unwrap_or(ABSENT) {
        ABSENT => Slot::Absent,
        IN_ARRAY => Slot::InArray,
        entry => event
            .tree
            .entries
            .get(entry as usize)
            .map_or(Slot::Absent, |(_, node)| Slot::Direct(node)),
    }
}

/// Evaluates a flattened rule; `None` when a field is inside an array and
/// the caller must walk the tree instead.
#[inline(always)]
pub(crate) fn evaluate(conditions: &[(u32, Leaf)], event: Event<'_>) -> Option<bool> {
    let mut needs_walk = false;
    for (id, leaf) in conditions {
        let holds = match get(*id, event) {
            Slot::Direct(value) => leaf.matches(Some(value), event),
            // Absent everywhere, even inside arrays, so no element has it.
            Slot::Absent => leaf.matches(None, event),
            Slot::InArray => {
                needs_walk = true;
                continue;
            }
        };
        // A condition failing on its only possible value fails the rule,
        // whatever the array elements hold.
        if !holds {
            return Some(false);
        }
    }
    (!needs_walk).then_some(true)
}
