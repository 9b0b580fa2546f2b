//! The tree of field names that any compiled pattern refers to.
//!
//! The event reader consults it to keep only the fields some rule can look at
//! and to skip everything else without building it, which is most of an event.
//! A field is identified by the id of its trie node, so matching compares
//! integers rather than strings.

use crate::hash::FastMap;

/// Past this many children a node switches from a linear scan to a hash map.
const LINEAR_LIMIT: usize = 8;

/// A key's length and first eight bytes: most mismatching keys differ
/// there, which settles them without a byte-by-byte comparison.
fn fingerprint(key: &[u8]) -> (usize, u64) {
    let mut head = [0u8; 8];
    let n = key.len().min(8);
    head[..n].copy_from_slice(&key[..n]);
    (key.len(), u64::from_le_bytes(head))
}

#[derive(Debug, Clone, Default)]
struct TrieNode {
    fingerprints: Vec<(usize, u64)>,
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
            None => {
                let wanted = fingerprint(key);
                node.fingerprints
                    .iter()
                    .zip(&node.keys)
                    .find(|(print, (name, _))| {
                        **print == wanted && (key.len() <= 8 || **name == *key)
                    })
                    .map(|(_, (_, id))| *id)
            }
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
        node.fingerprints.push(fingerprint(key.as_bytes()));
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
