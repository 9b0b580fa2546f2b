//! The exact strings the rules name, per field, in one open-addressing table.
//!
//! Every kept string of an event is looked up here, so a lookup must cost
//! little more than hashing the string once: entries carry the full hash,
//! so a probe settles on integers and compares bytes only on a real match.
//! The keys come from the operator's own rules, not from events, so a fast
//! non-keyed multiply-rotate hash (the scheme rustc uses internally) is
//! enough.

use crate::checks::CheckId;

#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    hash: u64,
    field: u32,
    /// Index into `keys` and `checks`, plus one; zero marks an empty slot.
    index: u32,
}

#[derive(Debug, Default)]
pub(crate) struct StrTable {
    entries: Vec<Entry>,
    keys: Vec<(u32, Box<[u8]>)>,
    checks: Vec<Vec<CheckId>>,
}

fn hash_key(field: u32, key: &[u8]) -> u64 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut hash = u64::from(field).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ key.len() as u64;
    let mut chunks = key.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
    }
    let tail = chunks
        .remainder()
        .iter()
        .rev()
        .fold(0u64, |word, &byte| word << 8 | u64::from(byte));
    hash = (hash.rotate_left(5) ^ tail).wrapping_mul(SEED);
    hash ^ hash >> 29
}

impl StrTable {
    /// The checks naming `key` on `field` (empty if none).
    #[inline]
    pub(crate) fn get(&self, field: u32, key: &str) -> &[CheckId] {
        let key = key.as_bytes();
        let hash = hash_key(field, key);
        let mask = self.entries.len().wrapping_sub(1);
        let mut at = hash as usize & mask;
        while let Some(entry) = self.entries.get(at) {
            if entry.index == 0 {
                break;
            }
            let index = entry.index as usize - 1;
            if entry.hash == hash
                && entry.field == field
                && self.keys.get(index).is_some_and(|(_, k)| **k == *key)
            {
                return self.checks.get(index).map_or(&[], Vec::as_slice);
            }
            at = (at + 1) & mask;
        }
        &[]
    }

    /// Files `check` under `key` on `field`; whether `key` was new there.
    pub(crate) fn insert(&mut self, field: u32, key: &str, check: CheckId) -> bool {
        let bytes = key.as_bytes();
        let hash = hash_key(field, bytes);
        if let Some(index) = self.find(field, bytes, hash) {
            let list = &mut self.checks[index];
            if list.last() != Some(&check) {
                list.push(check);
            }
            return false;
        }
        self.keys.push((field, bytes.into()));
        self.checks.push(vec![check]);
        // At most half full, so that probes stay short.
        if self.keys.len() * 2 > self.entries.len() {
            let size = (self.entries.len() * 2).max(16);
            self.entries = vec![Entry::default(); size];
            for (index, (field, key)) in self.keys.iter().enumerate() {
                let entry = Entry {
                    hash: hash_key(*field, key),
                    field: *field,
                    index: index as u32 + 1,
                };
                place(&mut self.entries, entry);
            }
        } else {
            let index = self.keys.len() as u32;
            place(&mut self.entries, Entry { hash, field, index });
        }
        true
    }

    fn find(&self, field: u32, key: &[u8], hash: u64) -> Option<usize> {
        let mask = self.entries.len().wrapping_sub(1);
        let mut at = hash as usize & mask;
        while let Some(entry) = self.entries.get(at) {
            if entry.index == 0 {
                return None;
            }
            let index = entry.index as usize - 1;
            if entry.hash == hash && entry.field == field && *self.keys[index].1 == *key {
                return Some(index);
            }
            at = (at + 1) & mask;
        }
        None
    }
}

fn place(entries: &mut [Entry], entry: Entry) {
    let mask = entries.len() - 1;
    let mut at = entry.hash as usize & mask;
    while entries[at].index != 0 {
        at = (at + 1) & mask;
    }
    entries[at] = entry;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_found_under_their_field_only() {
        let mut table = StrTable::default();
        for i in 0..100u32 {
            table.insert(i % 3, &format!("value-{i}"), i);
        }
        assert!(!table.insert(1, "value-1", 1000));
        assert_eq!(table.get(1, "value-1"), [1, 1000]);
        assert_eq!(table.get(0, "value-1"), [] as [u32; 0]);
        assert_eq!(table.get(2, "value-98"), [98]);
        assert_eq!(table.get(2, "value-9"), [] as [u32; 0]);
        assert_eq!(StrTable::default().get(0, "x"), [] as [u32; 0]);
    }
}
