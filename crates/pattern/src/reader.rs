//! A validating JSON reader that builds only the parts of an event that some
//! pattern refers to.
//!
//! Parsing a whole event into a `serde_json::Value` costs more than matching
//! it; skipping unreferenced fields without allocating is what keeps a match
//! under a microsecond. Skipped parts are still fully validated, so an invalid
//! event is rejected no matter which rules are loaded. Recursion is bounded by
//! [`MAX_NESTING_DEPTH`](crate::MAX_NESTING_DEPTH), checked before descending.

use std::borrow::Cow;

use crate::MAX_NESTING_DEPTH;
use crate::error::EventError;
use crate::event::{Node, Num};
use crate::trie::{FieldTrie, ROOT};

/// Reads `json` as an event object pruned to the fields in `trie`.
pub(crate) fn read_event<'a>(json: &'a [u8], trie: &FieldTrie) -> Result<Node<'a>, EventError> {
    let text = std::str::from_utf8(json).map_err(|e| EventError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut reader = Reader {
        text,
        bytes: json,
        pos: 0,
        trie,
    };
    reader.skip_ws();
    if reader.peek() != Some(b'{') {
        return Err(match reader.peek() {
            None => reader.fail("empty input"),
            Some(_) => EventError::NotAnObject,
        });
    }
    let root = reader.value(1, Some(ROOT))?;
    reader.skip_ws();
    if reader.pos != reader.bytes.len() {
        return Err(reader.fail("trailing characters after the event"));
    }
    root.ok_or(EventError::NotAnObject)
}

struct Reader<'a, 't> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    trie: &'t FieldTrie,
}

impl<'a> Reader<'a, '_> {
    fn fail(&self, reason: &'static str) -> EventError {
        EventError::Syntax {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), EventError> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.fail(reason))
        }
    }

    /// Reads one value; builds it only when `field` names a trie node.
    fn value(&mut self, depth: usize, field: Option<u32>) -> Result<Option<Node<'a>>, EventError> {
        self.skip_ws();
        let keep = field.is_some();
        match self.peek() {
            Some(b'{') | Some(b'[') if depth > MAX_NESTING_DEPTH => Err(EventError::TooDeep {
                limit: MAX_NESTING_DEPTH,
            }),
            Some(b'{') => self.object(depth, field),
            Some(b'[') => self.array(depth, field),
            Some(b'"') => {
                self.pos += 1;
                let s = self.string(keep)?;
                Ok(s.map(Node::Str))
            }
            Some(b't') => self.literal("true", Node::Bool(true), keep),
            Some(b'f') => self.literal("false", Node::Bool(false), keep),
            Some(b'n') => self.literal("null", Node::Null, keep),
            Some(b'-' | b'0'..=b'9') => self.number(keep),
            Some(_) => Err(self.fail("expected a value")),
            None => Err(self.fail("unexpected end of input")),
        }
    }

    fn object(&mut self, depth: usize, field: Option<u32>) -> Result<Option<Node<'a>>, EventError> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(field.map(|_| Node::Obj(entries)));
        }
        loop {
            self.expect(b'"', "expected a string key")?;
            let key = self.string(field.is_some())?;
            self.expect(b':', "expected ':' after a key")?;
            let child = match (&key, field) {
                (Some(key), Some(parent)) => self.trie.child(parent, key),
                _ => None,
            };
            if let (Some(value), Some(child)) = (self.value(depth + 1, child)?, child) {
                // A repeated key keeps its last value, as serde_json does.
                match entries.iter_mut().find(|(key, _)| *key == child) {
                    Some(entry) => entry.1 = value,
                    None => entries.push((child, value)),
                }
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(field.map(|_| Node::Obj(entries)));
                }
                _ => return Err(self.fail("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize, field: Option<u32>) -> Result<Option<Node<'a>>, EventError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(field.map(|_| Node::Arr(items)));
        }
        loop {
            // Arrays are transparent to field paths, so elements keep `field`.
            if let Some(item) = self.value(depth + 1, field)? {
                items.push(item);
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(field.map(|_| Node::Arr(items)));
                }
                _ => return Err(self.fail("expected ',' or ']' in an array")),
            }
        }
    }

    fn literal(
        &mut self,
        word: &'static str,
        node: Node<'a>,
        keep: bool,
    ) -> Result<Option<Node<'a>>, EventError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(keep.then_some(node))
        } else {
            Err(self.fail("invalid literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self, keep: bool) -> Result<Option<Node<'a>>, EventError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.fail("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.fail("invalid number: no digits after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.fail("invalid number: no digits in exponent"));
            }
        }
        if !keep {
            return Ok(None);
        }
        // Out-of-range text parses to infinity, which compares as nothing.
        let value = self.text[start..self.pos]
            .parse::<f64>()
            .unwrap_or(f64::NAN);
        Ok(Some(Node::Num(Num::new(value))))
    }

    /// Reads a string body (the opening quote is consumed). Borrowed unless
    /// it contains escapes; `None` when not kept.
    fn string(&mut self, keep: bool) -> Result<Option<Cow<'a, str>>, EventError> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(keep.then(|| Cow::Borrowed(&self.text[start..self.pos - 1])));
                }
                Some(b'\\') => break,
                Some(0x00..=0x1f) => return Err(self.fail("control character in a string")),
                Some(_) => self.pos += 1,
                None => return Err(self.fail("unterminated string")),
            }
        }
        let mut owned = String::from(&self.text[start..self.pos]);
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(keep.then_some(Cow::Owned(owned)));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let unescaped = self.escape()?;
                    owned.push(unescaped);
                }
                Some(0x00..=0x1f) => return Err(self.fail("control character in a string")),
                Some(_) => {
                    // Copy a whole run of plain characters at once.
                    let run_start = self.pos;
                    while let Some(b) = self.peek() {
                        if b == b'"' || b == b'\\' || b < 0x20 {
                            break;
                        }
                        self.pos += 1;
                    }
                    owned.push_str(&self.text[run_start..self.pos]);
                }
                None => return Err(self.fail("unterminated string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, EventError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) && self.bytes[self.pos..].starts_with(b"\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    self.pos = save;
                }
                // A lone surrogate cannot be represented in UTF-8.
                return Ok(char::from_u32(high).unwrap_or('\u{FFFD}'));
            }
            _ => return Err(self.fail("invalid escape in a string")),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, EventError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.fail("truncated \\u escape"))?;
        let mut code = 0u32;
        for &d in digits {
            let v = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.fail("invalid \\u escape"))?;
            code = code * 16 + v;
        }
        self.pos += 4;
        Ok(code)
    }
}
