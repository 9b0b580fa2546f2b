//! Where each field the rules name sits in one event.
//!
//! Most rules are a conjunction of leaf conditions on paths that cross no
//! array of objects. For those, looking a leaf up in this table is enough;
//! only fields found inside arrays need the element-by-element walk of
//! `Obj::matches` to keep array consistency.

use crate::event::Node;
use crate::ops::Leaf;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot<'n, 'a> {
    Absent,
    /// The field's only value, reached through objects alone.
    Direct(&'n Node<'a>),
    /// Seen inside an array of objects: only the tree walk is exact.
    InArray,
}

pub(crate) fn fill<'n, 'a>(root: &'n Node<'a>, slots: &mut Vec<Slot<'n, 'a>>, fields: usize) {
    slots.clear();
    slots.resize(fields, Slot::Absent);
    visit(root, false, slots);
}

fn visit<'n, 'a>(node: &'n Node<'a>, in_array: bool, slots: &mut [Slot<'n, 'a>]) {
    match node {
        Node::Obj(entries) => {
            for (id, child) in entries {
                if let Some(slot) = slots.get_mut(*id as usize) {
                    *slot = if in_array {
                        Slot::InArray
                    } else {
                        Slot::Direct(child)
                    };
                }
                visit(child, in_array, slots);
            }
        }
        Node::Arr(items) => items.iter().for_each(|item| visit(item, true, slots)),
        _ => {}
    }
}

/// Evaluates a flattened rule; `None` when a field is inside an array and
/// the caller must walk the tree instead.
pub(crate) fn evaluate(conditions: &[(u32, Leaf)], slots: &[Slot<'_, '_>]) -> Option<bool> {
    let mut needs_walk = false;
    for (id, leaf) in conditions {
        let holds = match slots.get(*id as usize).copied().unwrap_or(Slot::Absent) {
            Slot::Direct(value) => leaf.matches(Some(value)),
            // Absent everywhere, even inside arrays, so no element has it.
            Slot::Absent => leaf.matches(None),
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
