//! Where each field the rules name sits in one event.
//!
//! Most rules are a conjunction of leaf conditions on paths that cross no
//! array of objects. For those, looking a leaf up in this table is enough;
//! only fields found inside arrays need the element-by-element walk of
//! `Obj::matches` to keep array consistency. The table holds indices into
//! the tree's entries, so it is reused from event to event.

use crate::event::{Event, Node};
use crate::ops::Leaf;

const ABSENT: u32 = u32::MAX;
const IN_ARRAY: u32 = u32::MAX - 1;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Slot<'t> {
    Absent,
    /// The field's only value, reached through objects alone.
    Direct(&'t Node),
    /// Seen inside an array of objects: only the tree walk is exact.
    InArray,
}

#[derive(Debug, Default)]
pub(crate) struct SlotTable {
    slots: Vec<u32>,
}

impl SlotTable {
    pub(crate) fn fill(&mut self, event: Event<'_>, fields: usize) {
        self.slots.clear();
        self.slots.resize(fields, ABSENT);
        if let Some(root) = event.root() {
            self.visit(root, false, event);
        }
    }

    fn visit(&mut self, node: &Node, in_array: bool, event: Event<'_>) {
        match node {
            Node::Obj(span) => {
                for (offset, (id, child)) in event.entries(*span).iter().enumerate() {
                    if let Some(slot) = self.slots.get_mut(*id as usize) {
                        *slot = if in_array {
                            IN_ARRAY
                        } else {
                            span.start + offset as u32
                        };
                    }
                    self.visit(child, in_array, event);
                }
            }
            Node::Arr(span) => {
                for item in event.items(*span) {
                    self.visit(item, true, event);
                }
            }
            _ => {}
        }
    }

    pub(crate) fn get<'t>(&self, id: u32, event: Event<'t>) -> Slot<'t> {
        match self.slots.get(id as usize).copied().unwrap_or(ABSENT) {
            ABSENT => Slot::Absent,
            IN_ARRAY => Slot::InArray,
            entry => event
                .tree
                .entries
                .get(entry as usize)
                .map_or(Slot::Absent, |(_, node)| Slot::Direct(node)),
        }
    }

    /// Evaluates a flattened rule; `None` when a field is inside an array
    /// and the caller must walk the tree instead.
    pub(crate) fn evaluate(&self, conditions: &[(u32, Leaf)], event: Event<'_>) -> Option<bool> {
        let mut needs_walk = false;
        for (id, leaf) in conditions {
            let holds = match self.get(*id, event) {
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
}
