//! Where each field the rules name sits in one event.
//!
//! Most rules are a conjunction of leaf conditions on paths that cross no
//! array of objects. For those, looking a leaf up in the tree's slot table
//! (filled as objects close, see `Tree::slots`) is enough; only fields found
//! inside arrays need the element-by-element walk of `Obj::matches` to keep
//! array consistency.

use crate::event::{ABSENT, Event, IN_ARRAY, Node};

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
