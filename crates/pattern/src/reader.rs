//! A validating JSON reader that builds only the parts of an event that some
//! pattern refers to.
//!
//! Parsing a whole event into a `serde_json::Value` costs more than matching
//! it; skipping unreferenced fields without allocating is what keeps a match
//! under a microsecond. Skipped parts are still fully validated, so an invalid
//! event is rejected no matter which rules are loaded. Recursion is bounded by
//! [`MAX_NESTING_DEPTH`](crate::MAX_NESTING_DEPTH), checked before descending.

use crate::MAX_NESTING_DEPTH;
use crate::error::EventError;
use crate::event::{Node, Num, Span, Text, Tree};
use crate::trie::{FieldTrie, ROOT};

/// Reads `json` into `tree` as an event object pruned to the fields in
/// `trie`, returning the text the tree's strings point into.
pub(crate) fn read_event<'a>(
    json: &'a [u8],
    trie: &FieldTrie,
    tree: &mut Tree,
) -> Result<&'a str, EventError> {
    tree.clear();
    let text = std::str::from_utf8(json).map_err(|e| EventError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut reader = Reader {
        text,
        bytes: json,
        pos: 0,
        trie,
        tree,
    };
    reader.skip_ws();
    if reader.peek() != Some(b'{') {
        if reader.peek().is_none() {
            return Err(reader.fail("empty input"));
        }
        // Valid JSON that is not an object is a different mistake from text
        // that is not JSON at all.
        reader.skip_value(1)?;
        reader.skip_ws();
        if reader.pos != reader.bytes.len() {
            return Err(reader.fail("trailing characters after the event"));
        }
        return Err(EventError::NotAnObject);
    }
    let root = reader.value(1, Some(ROOT))?;
    reader.skip_ws();
    if reader.pos != reader.bytes.len() {
        return Err(reader.fail("trailing characters after the event"));
    }
    reader.tree.root = root;
    Ok(text)
}

struct Reader<'a, 't> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    trie: &'t FieldTrie,
    tree: &'t mut Tree,
}

impl Reader<'_, '_> {
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
    fn value(&mut self, depth: usize, field: Option<u32>) -> Result<Option<Node>, EventError> {
        self.skip_ws();
        if field.is_none() {
            self.skip_value(depth)?;
            return Ok(None);
        }
        let keep = true;
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

    /// Validates and steps over one value without building anything. It is
    /// iterative, tracking open containers in a bit stack (1 = object), so
    /// skipped parts cost no recursion; the nesting limit still applies.
    fn skip_value(&mut self, depth: usize) -> Result<(), EventError> {
        let mut open: u128 = 0;
        let mut level = 0usize;
        'value: loop {
            self.skip_ws();
            match self.peek() {
                Some(c @ (b'{' | b'[')) => {
                    if depth + level > MAX_NESTING_DEPTH || level >= 127 {
                        return Err(EventError::TooDeep {
                            limit: MAX_NESTING_DEPTH,
                        });
                    }
                    self.pos += 1;
                    self.skip_ws();
                    let is_object = c == b'{';
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.pos += 1;
                    } else {
                        open = (open << 1) | u128::from(is_object);
                        level += 1;
                        if is_object {
                            self.skip_key()?;
                        }
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    self.pos += 1;
                    self.string(false)?;
                }
                Some(b't') => {
                    self.literal("true", Node::Null, false)?;
                }
                Some(b'f') => {
                    self.literal("false", Node::Null, false)?;
                }
                Some(b'n') => {
                    self.literal("null", Node::Null, false)?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number(false)?;
                }
                Some(_) => return Err(self.fail("expected a value")),
                None => return Err(self.fail("unexpected end of input")),
            }
            // A value is complete: close containers until one continues.
            loop {
                if level == 0 {
                    return Ok(());
                }
                let in_object = open & 1 == 1;
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if in_object {
                            self.skip_key()?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if in_object => {}
                    Some(b']') if !in_object => {}
                    _ => return Err(self.fail("expected ',' or the end of a container")),
                }
                self.pos += 1;
                open >>= 1;
                level -= 1;
            }
        }
    }

    /// Steps over `"key":` inside an object being skipped.
    fn skip_key(&mut self) -> Result<(), EventError> {
        self.expect(b'"', "expected a string key")?;
        self.string(false)?;
        self.expect(b':', "expected ':' after a key")
    }

    fn object(&mut self, depth: usize, field: Option<u32>) -> Result<Option<Node>, EventError> {
        self.pos += 1;
        let base = self.tree.open_entries.len();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(field.map(|_| self.tree.close_object(base)));
        }
        loop {
            self.expect(b'"', "expected a string key")?;
            let key = self.string(field.is_some())?;
            self.expect(b':', "expected ':' after a key")?;
            let child = match (key, field) {
                (Some(key), Some(parent)) => {
                    let (source, span) = match key {
                        Text::Event(span) => (self.bytes, span),
                        Text::Unescaped(span) => (self.tree.strings.as_bytes(), span),
                    };
                    let key = &source[span.start as usize..(span.start + span.len) as usize];
                    self.trie.child(parent, key)
                }
                _ => None,
            };
            if let (Some(value), Some(child)) = (self.value(depth + 1, child)?, child) {
                self.tree.push_entry(base, child, value);
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(field.map(|_| self.tree.close_object(base)));
                }
                _ => return Err(self.fail("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize, field: Option<u32>) -> Result<Option<Node>, EventError> {
        self.pos += 1;
        let base = self.tree.open_items.len();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(field.map(|_| self.tree.close_array(base)));
        }
        loop {
            // Arrays are transparent to field paths, so elements keep `field`.
            if let Some(item) = self.value(depth + 1, field)? {
                self.tree.open_items.push(item);
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(field.map(|_| self.tree.close_array(base)));
                }
                _ => return Err(self.fail("expected ',' or ']' in an array")),
            }
        }
    }

    fn literal(
        &mut self,
        word: &'static str,
        node: Node,
        keep: bool,
    ) -> Result<Option<Node>, EventError> {
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

    fn number(&mut self, keep: bool) -> Result<Option<Node>, EventError> {
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
        let integral = !matches!(self.peek(), Some(b'.' | b'e' | b'E'));
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
        let text = &self.text[start..self.pos];
        let value = if integral && text.len() <= 16 {
            // Up to 15 digits an integer converts to a double exactly.
            text.parse::<i64>().map_or(f64::NAN, |n| n as f64)
        } else {
            // Out-of-range text parses to infinity, which compares as nothing.
            text.parse::<f64>().unwrap_or(f64::NAN)
        };
        Ok(Some(Node::Num(Num::new(value))))
    }

    /// Reads a string body (the opening quote is consumed): a span of the
    /// event text unless it contains escapes; `None` when not kept.
    fn string(&mut self, keep: bool) -> Result<Option<Text>, EventError> {
        let start = self.pos;
        self.pos = plain_run_end(self.bytes, self.pos);
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                return Ok(keep.then_some(Text::Event(Span {
                    start: start as u32,
                    len: (self.pos - 1 - start) as u32,
                })));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.fail("control character in a string")),
            None => return Err(self.fail("unterminated string")),
        }
        let unescaped_start = self.tree.strings.len();
        if keep {
            self.tree.strings.push_str(&self.text[start..self.pos]);
        }
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    let len = self.tree.strings.len() - unescaped_start;
                    return Ok(keep.then_some(Text::Unescaped(Span {
                        start: unescaped_start as u32,
                        len: len as u32,
                    })));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let unescaped = self.escape()?;
                    let run_start = self.pos;
                    self.pos = plain_run_end(self.bytes, self.pos);
                    if keep {
                        self.tree.strings.push(unescaped);
                        self.tree.strings.push_str(&self.text[run_start..self.pos]);
                    }
                }
                Some(_) => return Err(self.fail("control character in a string")),
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

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags the bytes of `word` that are zero; the lowest flag is exact, which
/// is all that `plain_run_end` uses.
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The index of the first quote, backslash or control byte at or after `pos`
/// (or the end). Strings are most of an event's bytes, so this looks at eight
/// bytes per step.
fn plain_run_end(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let quotes = zero_bytes(word ^ (ONES * u64::from(b'"')));
        let backslashes = zero_bytes(word ^ (ONES * u64::from(b'\\')));
        let controls = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let special = quotes | backslashes | controls;
        if special != 0 {
            return pos + (special.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&b) = bytes.get(pos) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        pos += 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::plain_run_end;

    #[test]
    fn plain_runs_stop_at_the_first_special_byte() {
        let text = "abcdefghijkl\"xyz";
        assert_eq!(plain_run_end(text.as_bytes(), 0), 12);
        assert_eq!(plain_run_end(b"abcdefgh\\", 0), 8);
        assert_eq!(plain_run_end(b"ab\x01cdefghij", 0), 2);
        assert_eq!(plain_run_end("caf\u{e9}   \"".as_bytes(), 0), 8);
        assert_eq!(plain_run_end(b"        ", 0), 8);
        assert_eq!(plain_run_end(b"\x1f       ", 0), 0);
        assert_eq!(plain_run_end(b"a", 0), 1);
    }
}
