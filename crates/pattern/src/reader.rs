//! A validating JSON reader that builds only the parts of an event that some
//! pattern refers to.
//!
//! Parsing a whole event into a `serde_json::Value` costs more than matching
//! it; skipping unreferenced fields without allocating is what keeps a match
//! under a microsecond. Skipped parts are still fully validated (see
//! `scan`), so an invalid event is rejected no matter which rules are loaded.
//! Recursion is bounded by [`MAX_NESTING_DEPTH`](crate::MAX_NESTING_DEPTH),
//! checked before descending.

use crate::MAX_NESTING_DEPTH;
use crate::error::EventError;
use crate::event::{Node, Num, Text, Tree};
use crate::scan::{self, Fail, Scan, skip_ws, syntax};
use crate::skip::{self, Skip};
use crate::trie::{FieldTrie, ROOT};
use crate::valid::{self, ValidEvent};

/// Reads `json` into `tree` as an event object pruned to the fields in
/// `trie`, returning the text the tree's strings point into (checked to be
/// UTF-8).
pub(crate) fn read_event<'a>(
    json: &'a [u8],
    trie: &FieldTrie,
    tree: &mut Tree,
) -> Result<&'a [u8], EventError> {
    tree.begin(trie.len());
    // ASCII is UTF-8: one pass answers both questions for most events.
    let plain = scan::plain_ascii(json) || {
        valid::utf8(json)?;
        scan::strings_are_plain(json)
    };
    read_object(json, plain, trie, tree).map_err(|fail| valid::event_error(*fail))?;
    Ok(json)
}

/// Reads an event validated earlier: parts no rule names are stepped over
/// by the end positions `ValidEvent::parse` recorded, without a scan.
pub(crate) fn read_valid<'a>(
    event: &ValidEvent<'a>,
    trie: &FieldTrie,
    tree: &mut Tree,
) -> Result<&'a [u8], EventError> {
    tree.begin(trie.len());
    let bytes = event.as_bytes();
    let start = skip_ws(bytes, 0);
    let read = if event.is_plain() {
        Reader::<true, true>::new(bytes, trie, tree, event.skips()).object(
            start,
            Place::ROOT,
            Dest::Root,
        )
    } else {
        Reader::<false, true>::new(bytes, trie, tree, event.skips()).object(
            start,
            Place::ROOT,
            Dest::Root,
        )
    };
    read.map_err(|fail| valid::event_error(*fail))?;
    tree.finish();
    Ok(bytes)
}

/// Whether the text was a JSON object; an error for anything but valid JSON.
/// `plain`: `scan::strings_are_plain` holds for `bytes`.
fn read_object(bytes: &[u8], plain: bool, trie: &FieldTrie, tree: &mut Tree) -> Scan<()> {
    let start = skip_ws(bytes, 0);
    let is_object = match bytes.get(start) {
        Some(b'{') => true,
        Some(_) => false,
        None => return Err(syntax(start, "empty input")),
    };
    let end = if !is_object {
        // Valid JSON that is not an object is a different mistake from text
        // that is not JSON at all.
        skip::skip_value::<false>(bytes, start, 1)?
    } else if plain {
        Reader::<true, false>::new(bytes, trie, tree, &[]).object(start, Place::ROOT, Dest::Root)?
    } else {
        Reader::<false, false>::new(bytes, trie, tree, &[]).object(
            start,
            Place::ROOT,
            Dest::Root,
        )?
    };
    let end = skip_ws(bytes, end);
    if end != bytes.len() {
        return Err(syntax(end, "trailing characters after the event"));
    }
    tree.finish();
    if is_object {
        Ok(())
    } else {
        Err(Box::new(Fail::NotAnObject))
    }
}

/// Where a value being read sits: its nesting level, its trie node (arrays
/// are transparent, so elements share their array's), and whether it is
/// (inside) an element of an array.
#[derive(Clone, Copy)]
struct Place {
    depth: usize,
    field: u32,
    in_array: bool,
}

impl Place {
    const ROOT: Place = Place {
        depth: 1,
        field: ROOT,
        in_array: false,
    };
}

/// Where a value that was read goes. Values are stored by the function that
/// read them rather than returned, so that a node never travels back up
/// through a returned aggregate: readers return only a position, which
/// fits a register.
#[derive(Clone, Copy)]
enum Dest {
    Root,
    /// An entry `key` of the object whose entries start at `base`.
    Entry {
        base: usize,
        key: u32,
    },
    Item,
}

/// `PLAIN`: the text passed `scan::strings_are_plain`. `VALID`: it was
/// validated by `ValidEvent::parse`, whose container ends are `skips`.
struct Reader<'a, 't, const PLAIN: bool, const VALID: bool> {
    /// Text checked to be UTF-8.
    bytes: &'a [u8],
    trie: &'t FieldTrie,
    tree: &'t mut Tree,
    skips: &'a [Skip],
    /// The ordinal of the next container in document order.
    next: usize,
}

impl<'a, 't, const PLAIN: bool, const VALID: bool> Reader<'a, 't, PLAIN, VALID> {
    fn new(bytes: &'a [u8], trie: &'t FieldTrie, tree: &'t mut Tree, skips: &'a [Skip]) -> Self {
        Self {
            bytes,
            trie,
            tree,
            skips,
            next: 0,
        }
    }

    /// Steps over a value no rule names (not a string: callers step over
    /// those inline). In a validated event a container is one jump.
    #[inline(always)]
    fn skip(&mut self, pos: usize, depth: usize) -> Scan<usize> {
        if VALID
            && let Some(b'{' | b'[') = self.bytes.get(pos)
            && let Some(skip) = self.skips.get(self.next)
        {
            self.next = skip.next as usize;
            return Ok(skip.end as usize);
        }
        skip::skip_value::<PLAIN>(self.bytes, pos, depth)
    }

    #[inline(always)]
    fn put(&mut self, dest: Dest, node: Node) {
        match dest {
            Dest::Root => self.tree.root = Some(node),
            Dest::Entry { base, key } => self.tree.push_entry(base, key, node),
            Dest::Item => self.tree.open_items.push(node),
        }
    }

    /// Reads the value at `pos` (whitespace skipped) into `dest`, returning
    /// where it ends.
    fn value(&mut self, pos: usize, at: Place, dest: Dest) -> Scan<usize> {
        let (depth, field) = (at.depth, at.field);
        let bytes = self.bytes;
        let (end, node) = match bytes.get(pos) {
            Some(b'{' | b'[') if depth > MAX_NESTING_DEPTH => return Err(Box::new(Fail::TooDeep)),
            Some(b'{') => return self.object(pos, at, dest),
            Some(b'[') => return self.array(pos, depth, field, dest),
            Some(b'"') => self.string(pos)?,
            Some(&c @ (b't' | b'f' | b'n')) => {
                let end = scan::literal_end(bytes, pos)?;
                let node = match c {
                    b't' => Node::Bool(true),
                    b'f' => Node::Bool(false),
                    _ => Node::Null,
                };
                (end, node)
            }
            Some(b'-' | b'0'..=b'9') => {
                let (end, integral) = scan::number_end(bytes, pos)?;
                let text = bytes.get(pos..end).unwrap_or_default();
                (end, Node::Num(Num::new(number_value(text, integral))))
            }
            Some(_) => return Err(syntax(pos, "expected a value")),
            None => return Err(syntax(pos, "unexpected end of input")),
        };
        self.put(dest, node);
        Ok(end)
    }

    fn object(&mut self, pos: usize, at: Place, dest: Dest) -> Scan<usize> {
        let Place {
            depth,
            field,
            in_array,
        } = at;
        let bytes = self.bytes;
        self.next += 1;
        let base = self.tree.open_entries.len();
        let mut pos = skip_ws(bytes, pos + 1);
        if bytes.get(pos) == Some(&b'}') {
            let node = self.tree.close_object(base, in_array);
            self.put(dest, node);
            return Ok(pos + 1);
        }
        let pair = |at: usize| bytes.get(at..).and_then(<[u8]>::first_chunk::<2>);
        if bytes.get(pos) != Some(&b'"') {
            return Err(syntax(pos, "expected a string key"));
        }
        // Where the guess at the next kept key is kept.
        let mut guess_at = 2 * field as usize;
        // `pos` is at a key's opening quote.
        loop {
            let (key_end, escaped) = scan::string_end::<PLAIN>(bytes, pos + 1)?;
            let child = if escaped {
                self.escaped_key(field, pos + 1, key_end - 1)
            } else {
                let guess = self.tree.guesses.get(guess_at).copied().unwrap_or(ROOT);
                let child = self
                    .trie
                    .child_guessed(field, bytes, pos + 1, key_end - 1, guess);
                if let Some(child) = child {
                    if child != guess
                        && let Some(slot) = self.tree.guesses.get_mut(guess_at)
                    {
                        *slot = child;
                    }
                    guess_at = 2 * child as usize + 1;
                }
                child
            };
            // Compact JSON (`"key":"text"`): one two-byte check.
            if pair(key_end) == Some(b":\"") {
                pos = key_end + 1;
            } else {
                pos = skip_ws(bytes, key_end);
                if bytes.get(pos) != Some(&b':') {
                    return Err(syntax(pos, "expected ':' after a key"));
                }
                pos = skip_ws(bytes, pos + 1);
            }
            pos = match child {
                // Most kept values are strings: read them without a call.
                Some(child) if bytes.get(pos) == Some(&b'"') => {
                    let (end, node) = self.string(pos)?;
                    self.tree.push_entry(base, child, node);
                    end
                }
                // Numbers and objects too, without the dispatch of `value`.
                Some(child) if matches!(bytes.get(pos), Some(b'-' | b'0'..=b'9')) => {
                    let (end, integral) = scan::number_end(bytes, pos)?;
                    let text = bytes.get(pos..end).unwrap_or_default();
                    let node = Node::Num(Num::new(number_value(text, integral)));
                    self.tree.push_entry(base, child, node);
                    end
                }
                Some(child) => {
                    let inner = Place {
                        depth: depth + 1,
                        field: child,
                        in_array,
                    };
                    let dest = Dest::Entry { base, key: child };
                    if bytes.get(pos) == Some(&b'{') && inner.depth <= MAX_NESTING_DEPTH {
                        self.object(pos, inner, dest)?
                    } else {
                        self.value(pos, inner, dest)?
                    }
                }
                // Most skipped values are strings: step over them inline.
                None if bytes.get(pos) == Some(&b'"') => {
                    scan::string_end::<PLAIN>(bytes, pos + 1)?.0
                }
                None => self.skip(pos, depth + 1)?,
            };
            // Compact JSON (`,"key"`): one two-byte check.
            if pair(pos) == Some(b",\"") {
                pos += 1;
                continue;
            }
            pos = skip_ws(bytes, pos);
            match bytes.get(pos) {
                Some(b',') => {
                    pos = skip_ws(bytes, pos + 1);
                    if bytes.get(pos) != Some(&b'"') {
                        return Err(syntax(pos, "expected a string key"));
                    }
                }
                Some(b'}') => {
                    let node = self.tree.close_object(base, in_array);
                    self.put(dest, node);
                    return Ok(pos + 1);
                }
                _ => return Err(syntax(pos, "expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, pos: usize, depth: usize, field: u32, dest: Dest) -> Scan<usize> {
        let bytes = self.bytes;
        self.next += 1;
        let base = self.tree.open_items.len();
        let mut pos = skip_ws(bytes, pos + 1);
        if bytes.get(pos) == Some(&b']') {
            let node = self.tree.close_array(base);
            self.put(dest, node);
            return Ok(pos + 1);
        }
        loop {
            // Arrays are transparent to field paths, so elements keep `field`.
            let inner = Place {
                depth: depth + 1,
                field,
                in_array: true,
            };
            let end = self.value(pos, inner, Dest::Item)?;
            pos = skip_ws(bytes, end);
            match bytes.get(pos) {
                Some(b',') => pos = skip_ws(bytes, pos + 1),
                Some(b']') => {
                    let node = self.tree.close_array(base);
                    self.put(dest, node);
                    return Ok(pos + 1);
                }
                _ => return Err(syntax(pos, "expected ',' or ']' in an array")),
            }
        }
    }

    /// Reads the string whose opening quote is at `pos`.
    #[inline(always)]
    fn string(&mut self, pos: usize) -> Scan<(usize, Node)> {
        let (end, escaped) = scan::string_end::<PLAIN>(self.bytes, pos + 1)?;
        let text = if escaped {
            self.unescape(pos + 1, end - 1)
        } else {
            Text::event(pos + 1, end - pos - 2)
        };
        Ok((end, Node::Str(text)))
    }

    /// Looks up a key written with escapes by its unescaped bytes.
    fn escaped_key(&mut self, field: u32, start: usize, end: usize) -> Option<u32> {
        let mark = self.tree.strings.len();
        let span = self.unescape(start, end).span();
        let key = self.tree.strings.as_bytes().get(span.start()..)?;
        let child = self.trie.child(field, key);
        self.tree.strings.truncate(mark);
        child
    }

    /// Decodes the string body `text[start..end]`, already validated by
    /// `scan::string_end`, into the tree's own buffer.
    fn unescape(&mut self, start: usize, end: usize) -> Text {
        let out = &mut self.tree.strings;
        let out_start = out.len();
        // A string body of UTF-8 text ends at ASCII quotes, so it is UTF-8.
        let body = self.bytes.get(start..end).unwrap_or_default();
        let mut rest = std::str::from_utf8(body).unwrap_or_default();
        while let Some(at) = rest.find('\\') {
            out.push_str(&rest[..at]);
            let escape = &rest[at + 1..];
            let (c, used) = match escape.as_bytes().first() {
                Some(b'u') => decode_unicode(escape),
                Some(b'b') => ('\u{8}', 1),
                Some(b'f') => ('\u{c}', 1),
                Some(b'n') => ('\n', 1),
                Some(b'r') => ('\r', 1),
                Some(b't') => ('\t', 1),
                // `"`, `\` and `/` stand for themselves.
                Some(&other) => (char::from(other), 1),
                None => break,
            };
            out.push(c);
            rest = escape.get(used..).unwrap_or_default();
        }
        out.push_str(rest);
        Text::unescaped(out_start, out.len() - out_start)
    }
}

/// The value of a number the scanner validated, ending at `text`'s end.
fn number_value(text: &[u8], integral: bool) -> f64 {
    if integral && text.len() <= 16 {
        // Up to 16 characters an integer fits an i64, and converting it
        // rounds exactly like parsing a double. The scanner checked the
        // digits, so no `parse` needed.
        let (negative, digits) = match text.strip_prefix(b"-") {
            Some(digits) => (true, digits),
            None => (false, text),
        };
        let n = digits
            .iter()
            .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
        (if negative { -n } else { n }) as f64
    } else {
        // Out-of-range text parses to infinity, which compares as nothing.
        std::str::from_utf8(text)
            .ok()
            .and_then(|text| text.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    }
}

fn hex4(text: &str) -> Option<u32> {
    u32::from_str_radix(text.get(..4)?, 16).ok()
}

/// Decodes `uXXXX` (and a following `\uXXXX` low surrogate), returning the
/// character and how many bytes of `escape` it used.
fn decode_unicode(escape: &str) -> (char, usize) {
    let high = escape.get(1..).and_then(hex4).unwrap_or(0xFFFD);
    if (0xD800..0xDC00).contains(&high)
        && let Some(low) = escape.get(5..).and_then(|after| after.strip_prefix("\\u"))
        && let Some(low) = hex4(low)
        && (0xDC00..0xE000).contains(&low)
    {
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        return (char::from_u32(code).unwrap_or('\u{FFFD}'), 11);
    }
    // A lone surrogate cannot be represented in UTF-8.
    (char::from_u32(high).unwrap_or('\u{FFFD}'), 5)
}
