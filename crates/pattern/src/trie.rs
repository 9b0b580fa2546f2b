//! The tree of field names that any compiled pattern refers to.
//!
//! The event reader consults it for every key of every object it keeps, to
//! keep only the fields some rule can look at and to skip everything else
//! without building it, which is most of an event. A field is identified by
//! the id of its trie node, so matching compares integers rather than strings.
//!
//! All edges live in one open-addressing table keyed by (parent, key length,
//! first eight key bytes): a lookup is one hash and usually one probe, and
//! keys of up to eight bytes (most JSON keys) never need a byte comparison.

use std::collections::HashMap;

/// The id of the trie root, i.e. the event object itself.
pub(crate) const ROOT: u32 = 0;

/// One edge; `child == 0` marks an empty slot (the root is nobody's child).
/// `head` and `tail` are the key's first and last eight bytes, so keys of up
/// to sixteen bytes compare as two words, without a call to `memcmp`.
#[derive(Debug, Clone, Copy, Default)]
struct Edge {
    head: u64,
    tail: u64,
    len: u32,
    parent: u32,
    child: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct FieldTrie {
    /// The key of each node, by id (the root's is empty).
    keys: Vec<Box<[u8]>>,
    edges: Vec<Edge>,
    /// Each node's own edge, by id (the root's is empty), so that a guessed
    /// child is checked without hashing (see `child_guessed`).
    own: Vec<Edge>,
    /// The keys of joined edges (see `add_joined_keys`), by (parent,
    /// child), kept apart so that `Edge` and its comparison stay as they
    /// were (an extra field in it cost 15 instructions per lookup).
    joined: HashMap<(u32, u32), Box<[u8]>>,
    /// Edges in `edges`, own and joined.
    placed: usize,
    /// By node id, the lengths of its edges' keys as bits (`length_bit`),
    /// so that most keys no rule names are refused without hashing: an
    /// event's objects hold many more keys than the rules name.
    lengths: Vec<u64>,
}

/// A key length's bit in `FieldTrie::lengths`; lengths from 63 share one.
#[inline(always)]
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

impl Default for FieldTrie {
    fn default() -> Self {
        Self {
            keys: vec![Box::default()],
            edges: vec![Edge::default(); 16],
            own: vec![Edge::default()],
            joined: HashMap::new(),
            // The root counts, as it did when the table was sized by nodes.
            placed: 1,
            lengths: vec![0],
        }
    }
}

/// A key's first eight bytes, zero-padded.
fn head(key: &[u8]) -> u64 {
    match key.first_chunk::<8>() {
        Some(chunk) => u64::from_le_bytes(*chunk),
        None => {
            let mut word = [0u8; 8];
            word[..key.len()].copy_from_slice(key);
            u64::from_le_bytes(word)
        }
    }
}

/// A key's last eight bytes (zero-padded); only used for keys over eight.
fn tail(key: &[u8]) -> u64 {
    match key.last_chunk::<8>() {
        Some(chunk) => u64::from_le_bytes(*chunk),
        None => 0,
    }
}

fn slot(parent: u32, len: usize, head: u64, mask: usize) -> usize {
    let mixed = (u64::from(parent) << 32 | len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let hash = (head ^ mixed).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    (hash >> 32) as usize & mask
}

impl FieldTrie {
    /// The id of `key` under `node`; keys are compared as bytes, which is
    /// what the event reader has in hand.
    pub(crate) fn child(&self, node: u32, key: &[u8]) -> Option<u32> {
        self.find(node, key, head(key), tail(key))
    }

    /// Like [`FieldTrie::child`] for `bytes[start..end]`, reading the key's
    /// head straight out of the surrounding text when eight bytes remain.
    #[cfg(test)]
    pub(crate) fn child_in(
        &self,
        node: u32,
        bytes: &[u8],
        start: usize,
        end: usize,
    ) -> Option<u32> {
        self.child_guessed(node, bytes, start, end, ROOT)
    }

    /// The child of `node` whose key is `bytes[start..end]`, reading the
    /// key's head straight out of the surrounding text when eight bytes
    /// remain. `guess` (any id; the root means none) is tried first and
    /// taken only if it is that very child: events of one producer list
    /// their keys in the same order, so the reader guesses the key that
    /// followed the previous one last time and mostly skips the hash.
    #[inline(always)]
    pub(crate) fn child_guessed(
        &self,
        node: u32,
        bytes: &[u8],
        start: usize,
        end: usize,
        guess: u32,
    ) -> Option<u32> {
        let key = bytes.get(start..end)?;
        if self.lengths.get(node as usize).copied().unwrap_or_default() & length_bit(key.len()) == 0
        {
            return None;
        }
        let head = match bytes.get(start..).and_then(<[u8]>::first_chunk::<8>) {
            Some(chunk) if key.len() >= 8 => u64::from_le_bytes(*chunk),
            Some(chunk) => u64::from_le_bytes(*chunk) & ((1u64 << (8 * key.len())) - 1),
            None => head(key),
        };
        let tail = tail(key);
        if let Some(edge) = self.own.get(guess as usize)
            && self.is_edge(edge, node, key, head, tail)
        {
            return Some(guess);
        }
        self.find(node, key, head, tail)
    }

    /// Whether `edge` leads from `parent` by `key` (whose head and tail
    /// words are given); never for an empty slot.
    #[inline(always)]
    fn is_edge(&self, edge: &Edge, parent: u32, key: &[u8], head: u64, tail: u64) -> bool {
        edge.head == head
            && edge.len as usize == key.len()
            && edge.parent == parent
            && edge.tail == tail
            && edge.child != 0
            && (key.len() <= 16
                || self.keys.get(edge.child as usize).map(|k| &**k) == Some(key)
                || self.is_joined_key(edge, key))
    }

    #[cold]
    fn is_joined_key(&self, edge: &Edge, key: &[u8]) -> bool {
        self.joined.get(&(edge.parent, edge.child)).map(|k| &**k) == Some(key)
    }

    #[inline(always)]
    fn find(&self, parent: u32, key: &[u8], head: u64, tail: u64) -> Option<u32> {
        let mask = self.edges.len() - 1;
        let mut at = slot(parent, key.len(), head, mask);
        loop {
            let edge = self.edges.get(at)?;
            if edge.child == 0 {
                return None;
            }
            if self.is_edge(edge, parent, key, head, tail) {
                return Some(edge.child);
            }
            at = (at + 1) & mask;
        }
    }

    /// How many fields (including the root); ids are below this.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn insert(&mut self, parent: u32, key: &str) -> u32 {
        let key = key.as_bytes();
        if let Some(existing) = self.child(parent, key) {
            return existing;
        }
        let child = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        self.keys.push(key.into());
        self.lengths.push(0);
        let edge = Edge {
            head: head(key),
            tail: tail(key),
            len: key.len() as u32,
            parent,
            child,
        };
        self.own.push(edge);
        self.add_edge(edge);
        child
    }

    /// Makes every field reachable from each of its ancestors by its joined
    /// key: `status` under `state` under `detail` also by `"state.status"`
    /// from `detail` and by `"detail.state.status"` from the root.
    ///
    /// EventBridge flattens an event to dotted paths before matching, so the
    /// event key `"state.status"` inside `detail` is the same path as
    /// `status` inside `state` inside `detail` (observed on AWS: the
    /// `dot_joining_event` cases of the conformance suite). With these edges
    /// the reader resolves such a key to the nested field's id in the same
    /// one lookup as any other key, so events without dotted keys pay
    /// nothing; the value is stored in the object holding the joined key,
    /// where the slot table finds it by id, and the tree walks look for a
    /// missing object's fields there (`Obj::matches_entries`). Pattern keys
    /// never hold a dot here (the parser nests them), so a joined key cannot
    /// collide with a field's own key. Call once every field is inserted.
    pub(crate) fn add_joined_keys(&mut self) {
        for node in 1..self.keys.len() {
            let mut key = self.keys[node].to_vec();
            let mut up = self.own[node].parent;
            while up != ROOT {
                let mut longer = self.keys[up as usize].to_vec();
                longer.push(b'.');
                longer.extend_from_slice(&key);
                key = longer;
                let above = self.own[up as usize].parent;
                if self.child(above, &key).is_none() {
                    self.joined
                        .insert((above, node as u32), key.clone().into_boxed_slice());
                    self.add_edge(Edge {
                        head: head(&key),
                        tail: tail(&key),
                        len: key.len() as u32,
                        parent: above,
                        child: node as u32,
                    });
                }
                up = above;
            }
        }
    }

    fn add_edge(&mut self, edge: Edge) {
        if let Some(lengths) = self.lengths.get_mut(edge.parent as usize) {
            *lengths |= length_bit(edge.len as usize);
        }
        self.placed += 1;
        // Keep the table at most half full so that probes stay short.
        if self.placed * 2 > self.edges.len() {
            let grown = vec![Edge::default(); self.edges.len() * 2];
            let old = std::mem::replace(&mut self.edges, grown);
            for edge in old.into_iter().filter(|e| e.child != 0) {
                self.place(edge);
            }
        }
        self.place(edge);
    }

    fn place(&mut self, edge: Edge) {
        let mask = self.edges.len() - 1;
        let mut at = slot(edge.parent, edge.len as usize, edge.head, mask);
        while self.edges[at].child != 0 {
            at = (at + 1) & mask;
        }
        self.edges[at] = edge;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_under_their_parent_only() {
        let mut trie = FieldTrie::default();
        let detail = trie.insert(ROOT, "detail");
        let long = trie.insert(detail, "a-rather-long-key");
        let names: Vec<u32> = (0..100)
            .map(|i| trie.insert(ROOT, &format!("k{i}")))
            .collect();
        assert_eq!(trie.child(ROOT, b"detail"), Some(detail));
        assert_eq!(trie.child(detail, b"a-rather-long-key"), Some(long));
        assert_eq!(trie.child(detail, b"a-rather-long-kez"), None);
        assert_eq!(trie.child(ROOT, b"a-rather-long-key"), None);
        assert_eq!(trie.child(detail, b"detail"), None);
        for (i, id) in names.iter().enumerate() {
            assert_eq!(trie.child(ROOT, format!("k{i}").as_bytes()), Some(*id));
        }
        let text = br#"{"detail":1}"#;
        assert_eq!(trie.child_in(ROOT, text, 2, 8), Some(detail));
        assert_eq!(trie.child_in(ROOT, b"detail", 0, 6), Some(detail));
        assert_eq!(trie.child_in(ROOT, b"detai", 0, 5), None);
    }

    #[test]
    fn keys_of_a_length_no_edge_has_are_refused_before_hashing_and_long_keys_share_a_bit() {
        let mut trie = FieldTrie::default();
        let detail = trie.insert(ROOT, "detail");
        let long = "k".repeat(70);
        let long_id = trie.insert(detail, &long);
        let deep = trie.insert(detail, "state");
        let status = trie.insert(deep, "status");
        trie.add_joined_keys();
        let lookup = |node: u32, key: &[u8]| trie.child_guessed(node, key, 0, key.len(), ROOT);
        assert_eq!(lookup(ROOT, b"detail"), Some(detail));
        assert_eq!(lookup(ROOT, b"detai"), None);
        assert_eq!(lookup(ROOT, b"source"), None);
        assert_eq!(lookup(detail, long.as_bytes()), Some(long_id));
        // 63 bytes and more share a bit: the hash lookup decides.
        assert_eq!(lookup(detail, "k".repeat(63).as_bytes()), None);
        assert_eq!(lookup(detail, "k".repeat(71).as_bytes()), None);
        // Joined keys count with the lengths of the node they leave from.
        assert_eq!(lookup(detail, b"state.status"), Some(status));
        assert_eq!(lookup(ROOT, b"detail.state.status"), Some(status));
        assert_eq!(lookup(ROOT, b"detail.state.statuz"), None);
    }

    #[test]
    fn a_guess_is_taken_only_when_it_is_that_very_child() {
        let mut trie = FieldTrie::default();
        let a = trie.insert(ROOT, "a");
        let b = trie.insert(ROOT, "b");
        let a_b = trie.insert(a, "b");
        let long = trie.insert(a, "a-key-longer-than-sixteen");
        assert_eq!(trie.child_guessed(ROOT, b"b", 0, 1, a_b), Some(b));
        assert_eq!(trie.child_guessed(a, b"b", 0, 1, b), Some(a_b));
        assert_eq!(trie.child_guessed(a, b"b", 0, 1, a_b), Some(a_b));
        assert_eq!(trie.child_guessed(a, b"b", 0, 1, 999), Some(a_b));
        assert_eq!(trie.child_guessed(ROOT, b"c", 0, 1, b), None);
        assert_eq!(trie.child_guessed(ROOT, b"b", 0, 1, ROOT), Some(b));
        let key = b"a-key-longer-than-sixteen";
        assert_eq!(trie.child_guessed(a, key, 0, key.len(), long), Some(long));
        let other = b"a-key-longer-than-sixteeN";
        assert_eq!(trie.child_guessed(a, other, 0, other.len(), long), None);
    }
}
