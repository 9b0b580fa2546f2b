//! Where each field the rules name sits in one event.
//!
//! Most rules are a conjunction of leaf conditions on paths that cross no
//! array of objects. For those, looking a leaf up in the tree's slot table
//! (filled as objects close, see `Tree::slots`) is enough; only fields found
//! inside arrays need the element-by-element walk of `Obj::matches` to keep
//! array consistency.

use crate::event::{ABSENT, Event, IN_ARRAY, Node};
use crate::ops::Leaf;

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

/// One leaf condition of a `$or`-free rule: its field, the field's path of
/// ids from the event root, and its match list.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub id: u32,
    pub path: Box<[u32]>,
    pub leaf: Leaf,
    /// The rule's anchor field: the rule is only evaluated once the anchor
    /// index found one of this leaf's exact strings there, so outside
    /// arrays it holds without a check. Inside arrays it still takes part
    /// in the walk, which must find it in the same element as the others.
    pub anchor: bool,
}

/// Evaluates a flattened rule; `None` when fields inside arrays of objects
/// need the caller's element-by-element walk of the tree.
pub(crate) fn evaluate(conditions: &[Condition], event: Event<'_>) -> Option<bool> {
    let mut in_array = None;
    let mut walks = 0;
    for condition in conditions {
        let leaf = &condition.leaf;
        let holds = match get(condition.id, event) {
            Slot::Direct(_) | Slot::Absent if condition.anchor => continue,
            Slot::Direct(value) => leaf.matches(Some(value), event),
            // Absent everywhere, even inside arrays, so no element has it.
            Slot::Absent => leaf.matches(None, event),
            Slot::InArray => {
                walks += 1;
                in_array = Some(condition);
                continue;
            }
        };
        // A condition failing on its only possible value fails the rule,
        // whatever the array elements hold.
        if !holds {
            return Some(false);
        }
    }
    match in_array {
        None => Some(true),
        // One condition inside arrays, every other one settled above and
        // holding for every element alike: array consistency (all fields of
        // a sub-pattern from one element) cannot be at stake, so the rule
        // matches iff some value at the path does. Not for `exists: false`,
        // which an element holds by lacking the field.
        Some(condition) if walks == 1 && !condition.leaf.exists_false => {
            let root = event.root()?;
            Some(any_at(root, &condition.path, event, &|value| {
                condition.leaf.matches(Some(value), event)
            }))
        }
        Some(_) => None,
    }
}

/// Whether `test` holds for some value at `path` below `node`, looking
/// through arrays on the way (depth is bounded by the event nesting limit).
fn any_at(node: &Node, path: &[u32], event: Event<'_>, test: &dyn Fn(&Node) -> bool) -> bool {
    match (node, path.split_first()) {
        (_, None) => test(node),
        (Node::Arr(items), Some(_)) => event
            .items(*items)
            .iter()
            .any(|item| any_at(item, path, event, test)),
        (Node::Obj(_), Some((id, rest))) => event
            .field(node, *id)
            .is_some_and(|child| any_at(child, rest, event, test)),
        _ => false,
    }
}
