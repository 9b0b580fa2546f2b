//! The structure of a pattern, generic over how fields are named: by string
//! after validation, by trie id once compiled into a matcher.

use crate::event::{Event, Node};
use crate::leaf::Leaf;
use crate::slots::{self, Slot};
use crate::trie::FieldTrie;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Obj<K> {
    pub fields: Vec<(K, Field<K>)>,
    /// Each group is one `$or`: at least one of its branches must match.
    pub ors: Vec<Vec<Obj<K>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field<K> {
    Obj(Obj<K>),
    Leaf(Leaf),
}

impl Obj<String> {
    /// Resolves field names to ids, adding them to `trie`.
    pub(crate) fn compile(&self, trie: &mut FieldTrie, node: u32) -> Obj<u32> {
        Obj {
            fields: self
                .fields
                .iter()
                .map(|(name, field)| {
                    let id = trie.insert(node, name);
                    let field = match field {
                        Field::Obj(obj) => Field::Obj(obj.compile(trie, id)),
                        Field::Leaf(leaf) => Field::Leaf(leaf.clone()),
                    };
                    (id, field)
                })
                .collect(),
            ors: self
                .ors
                .iter()
                .map(|group| {
                    group
                        .iter()
                        .map(|branch| branch.compile(trie, node))
                        .collect()
                })
                .collect(),
        }
    }
}

impl Obj<u32> {
    /// The rule as a plain list of (leaf field id, match list), when it has no
    /// `$or`: then it can be evaluated against a table of field values
    /// instead of by walking the event.
    pub(crate) fn flatten(&self) -> Option<Vec<(u32, Leaf)>> {
        let mut out = Vec::new();
        self.flatten_into(&mut out).then_some(out)
    }

    fn flatten_into(&self, out: &mut Vec<(u32, Leaf)>) -> bool {
        if !self.ors.is_empty() {
            return false;
        }
        self.fields.iter().all(|(id, field)| match field {
            Field::Obj(obj) => obj.flatten_into(out),
            Field::Leaf(leaf) => {
                out.push((*id, leaf.clone()));
                true
            }
        })
    }

    /// Matches the event value found at this object's path (`None` if absent).
    ///
    /// When the event holds an array of objects, one element must satisfy the
    /// whole sub-pattern: fields from different elements never combine. This
    /// is the array consistency of event-ruler's `rulesForJSONEvent` (README,
    /// "JSON Array Matching").
    pub(crate) fn matches(&self, value: Option<&Node>, event: Event<'_>) -> bool {
        match value {
            Some(Node::Arr(items)) => {
                let mut saw_container = false;
                for item in event.items(*items) {
                    let holds = match item {
                        Node::Obj(span) => self.matches_entries(event.entries(*span), event),
                        Node::Arr(_) => self.matches(Some(item), event),
                        _ => continue,
                    };
                    if holds {
                        return true;
                    }
                    saw_container = true;
                }
                !saw_container && self.matches_fields(None, event)
            }
            Some(node @ Node::Obj(_)) => self.matches_fields(Some(node), event),
            // A scalar where an object is expected has no fields.
            _ => self.matches_fields(None, event),
        }
    }

    /// For a `$or`-free rule whose leaves outside arrays already hold: walks
    /// only the sub-patterns whose event value is an array, starting there
    /// (found through the slot table) rather than at the root.
    pub(crate) fn matches_arrays(&self, event: Event<'_>) -> bool {
        self.fields.iter().all(|(id, field)| match field {
            Field::Leaf(_) => true,
            Field::Obj(inner) => match slots::get(*id, event) {
                Slot::Direct(value @ Node::Arr(_)) => inner.matches(Some(value), event),
                // An object, a scalar or nothing here: fields below may still
                // sit elsewhere under joined keys (`"a.b"` beside `a`), so
                // the sub-pattern's own slots decide.
                _ => inner.matches_arrays(event),
            },
        })
    }

    fn matches_fields(&self, object: Option<&Node>, event: Event<'_>) -> bool {
        let entries = match object {
            Some(Node::Obj(span)) => event.entries(*span),
            _ => &[],
        };
        self.matches_entries(entries, event)
    }

    /// Matches an object given its entries (none when it is absent).
    fn matches_entries(&self, entries: &[(u32, Node)], event: Event<'_>) -> bool {
        self.matches_scope(&Scope { entries, up: None }, event)
    }

    fn matches_scope(&self, scope: &Scope<'_, '_>, event: Event<'_>) -> bool {
        for (id, field) in &self.fields {
            let value = scope.find(*id);
            let holds = match field {
                Field::Leaf(leaf) => leaf.matches(value, event),
                Field::Obj(obj) => match value {
                    Some(Node::Obj(span)) => obj.matches_scope(
                        &Scope {
                            entries: event.entries(*span),
                            up: Some(scope),
                        },
                        event,
                    ),
                    Some(array @ Node::Arr(_)) => obj.matches(Some(array), event),
                    _ => obj.matches_scope(
                        &Scope {
                            entries: &[],
                            up: Some(scope),
                        },
                        event,
                    ),
                },
            };
            if !holds {
                return false;
            }
        }
        self.ors.iter().all(|group| {
            group
                .iter()
                .any(|branch| branch.matches_scope(scope, event))
        })
    }
}

/// An object's entries and those of the objects around it, up to the
/// nearest array element. A field the object lacks may sit in one of them
/// under a joined key (the event key `"a.b"` is stored as the field `b` of
/// `a` in the object that holds it, beside an object `a` or instead of it);
/// field ids are unique per path, so an id found there is that very path.
struct Scope<'s, 't> {
    entries: &'t [(u32, Node)],
    up: Option<&'s Scope<'s, 't>>,
}

impl<'t> Scope<'_, 't> {
    fn find(&self, id: u32) -> Option<&'t Node> {
        let mut at = Some(self);
        while let Some(scope) = at {
            if let Some((_, value)) = scope.entries.iter().find(|(key, _)| *key == id) {
                return Some(value);
            }
            at = scope.up;
        }
        None
    }
}
