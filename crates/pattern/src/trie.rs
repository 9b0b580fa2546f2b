//! The tree of field names that any compiled pattern refers to.
//!
//! The event reader consults it to keep only the fields some rule can look at
//! and to skip everything else without building it, which is most of an event.
//! A field is identified by the id of its trie node, so matching compares
//! integers rather than strings.

use crate::hash::FastMap;

/// Past this many children a node switches from a linear scan to a hash map.
const LINEAR_LIMIT: usize = 8;

#[derive(Debug, Clone, Default)]
struct TrieNode {
    keys: Vec<(Box<[u8]>, u32)>,
    map: Option<FastMap<Box<[u8]>, u32>>,
}

#[derive(Debug, Clone)]
pub(crate) struct FieldTrie {
    nodes: Vec<TrieNode>,
}

/// The id of the trie root, i.e. the event object itself.
pub(crate) const ROOT: u32 = 0;

impl Default for FieldTrie {
    fn default() -> Self {
        Self {
            nodes: vec![TrieNode::default()],
        }
    }
}

impl FieldTrie {
    /// The id of `key` under `node`; keys are compared as bytes, which is
    /// what the event reader has in hand.
    pub(crate) fn child(&self, node: u32, key: &[u8]) -> Option<u32> {
        let node = self.nodes.get(node as usize)?;
        match &node.map {
            Some(map) => map.get(key).copied(),
            None => node
                .keys
                .iter()
                .find(|(name, _)| **name == *key)
                .map(|(_, id)| *id),
        }
    }

    /// How many fields (including the root); ids are below this.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn insert(&mut self, parent: u32, key: &str) -> u32 {
        if let Some(existing) = self.child(parent, key.as_bytes()) {
            return existing;
        }
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(TrieNode::default());
        let node = &mut self.nodes[parent as usize];
        node.keys.push((key.as_bytes().into(), id));
        match &mut node.map {
            Some(map) => {
                map.insert(key.as_bytes().into(), id);
            }
            None if node.keys.len() > LINEAR_LIMIT => {
                node.map = Some(node.keys.iter().cloned().collect());
            }
            None => {}
        }
        id
    }
}
