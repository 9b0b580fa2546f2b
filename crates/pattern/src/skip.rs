//! Validating and stepping over whole values no rule names, and recording
//! where each container ends so that an event validated once can later be
//! stepped over without scanning it again (see `valid`).

use crate::MAX_NESTING_DEPTH;
use crate::scan::{Fail, Scan, literal_end, skip_number, skip_ws, string_end, syntax};

/// Where a container ends: the position after its closing bracket, and the
/// ordinal (in document order) of the first container after it, i.e. after
/// every container nested in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Skip {
    pub end: u32,
    pub next: u32,
}

/// What `skip_value` does as containers open and close: nothing, or record
/// a `Skip` for each. A trait so that plain validation pays nothing for it.
pub(crate) trait Containers {
    /// A container opens.
    fn open(&mut self);
    /// The innermost open container closed just before `end`.
    fn close(&mut self, end: usize);
}

impl Containers for () {
    #[inline(always)]
    fn open(&mut self) {}

    #[inline(always)]
    fn close(&mut self, _: usize) {}
}

/// Records a `Skip` per container, in document order.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub skips: Vec<Skip>,
    /// Ordinals of the containers open now, innermost last.
    open: Vec<u32>,
}

impl Containers for Recorder {
    fn open(&mut self) {
        self.open.push(self.skips.len() as u32);
        self.skips.push(Skip { end: 0, next: 0 });
    }

    fn close(&mut self, end: usize) {
        let next = self.skips.len() as u32;
        if let Some(ordinal) = self.open.pop()
            && let Some(skip) = self.skips.get_mut(ordinal as usize)
        {
            *skip = Skip {
                end: end as u32,
                next,
            };
        }
    }
}

/// Steps over `"key" :` and the whitespace after it; `pos` is at the quote.
#[inline(always)]
fn key_end<const PLAIN: bool>(bytes: &[u8], pos: usize) -> Scan<usize> {
    if bytes.get(pos) != Some(&b'"') {
        return Err(syntax(pos, "expected a string key"));
    }
    let (pos, _) = string_end::<PLAIN>(bytes, pos + 1)?;
    let pos = skip_ws(bytes, pos);
    if bytes.get(pos) != Some(&b':') {
        return Err(syntax(pos, "expected ':' after a key"));
    }
    Ok(skip_ws(bytes, pos + 1))
}

/// The fast lane of `skip_value` for compact objects: steps over a run of
/// members whose value is a string or a number, written without whitespace
/// (`,"key":"text"`, `,"key":12`), with two-byte checks where the general
/// loop would dispatch on every byte between tokens. `first`: `pos` is at
/// the first key of an object rather than at a comma. Stops before anything
/// else, or just after `"key":` (then `true`: a value of another kind starts
/// at the returned position).
#[inline(always)]
fn compact_members<const PLAIN: bool>(
    bytes: &[u8],
    mut pos: usize,
    mut first: bool,
) -> Scan<(usize, bool)> {
    let pair = |at: usize| bytes.get(at..).and_then(<[u8]>::first_chunk::<2>);
    loop {
        let key = if first {
            if bytes.get(pos) != Some(&b'"') {
                return Err(syntax(pos, "expected a string key"));
            }
            first = false;
            pos + 1
        } else if pair(pos) == Some(b",\"") {
            pos + 2
        } else {
            return Ok((pos, false));
        };
        let (key_end, _) = string_end::<PLAIN>(bytes, key)?;
        pos = match pair(key_end) {
            Some(b":\"") => string_end::<PLAIN>(bytes, key_end + 2)?.0,
            Some([b':', b'-' | b'0'..=b'9']) => skip_number(bytes, key_end + 1)?,
            _ => {
                let colon = skip_ws(bytes, key_end);
                if bytes.get(colon) != Some(&b':') {
                    return Err(syntax(colon, "expected ':' after a key"));
                }
                return Ok((skip_ws(bytes, colon + 1), true));
            }
        };
    }
}

/// Validates and steps over one value at `pos` (whitespace already skipped)
/// without building anything; `depth` is the nesting level of the value.
/// It is iterative, tracking open containers in a small stack array, so
/// skipped parts cost no recursion; the nesting limit still applies.
pub(crate) fn skip_value<const PLAIN: bool>(bytes: &[u8], pos: usize, depth: usize) -> Scan<usize> {
    skip_recording::<PLAIN>(bytes, pos, depth, &mut ())
}

/// `skip_value`, telling `containers` where each container opens and ends.
pub(crate) fn skip_recording<const PLAIN: bool>(
    bytes: &[u8],
    mut pos: usize,
    depth: usize,
    containers: &mut impl Containers,
) -> Scan<usize> {
    // Whether each open container is an object, by nesting level.
    let mut objects = [false; 128];
    let mut level = 0usize;
    'value: loop {
        pos = match bytes.get(pos) {
            Some(b'"') => string_end::<PLAIN>(bytes, pos + 1)?.0,
            Some(&c @ (b'{' | b'[')) => {
                if depth + level > MAX_NESTING_DEPTH || level >= 127 {
                    return Err(Box::new(Fail::TooDeep));
                }
                let is_object = c == b'{';
                containers.open();
                pos = skip_ws(bytes, pos + 1);
                if bytes.get(pos) == Some(&(c + 2)) {
                    // `{}` or `[]`: the closing bracket is two code points on.
                    containers.close(pos + 1);
                    pos + 1
                } else {
                    level += 1;
                    if let Some(slot) = objects.get_mut(level) {
                        *slot = is_object;
                    }
                    if !is_object {
                        continue 'value;
                    }
                    let (next, at_value) = compact_members::<PLAIN>(bytes, pos, true)?;
                    pos = next;
                    if at_value {
                        continue 'value;
                    }
                    // Members were consumed: what follows is `,` or `}`.
                    pos
                }
            }
            Some(b'-' | b'0'..=b'9') => skip_number(bytes, pos)?,
            Some(b't' | b'f' | b'n') => literal_end(bytes, pos)?,
            Some(_) => return Err(syntax(pos, "expected a value")),
            None => return Err(syntax(pos, "unexpected end of input")),
        };
        // A value is complete: close containers until one continues.
        loop {
            if level == 0 {
                return Ok(pos);
            }
            let in_object = objects.get(level).copied().unwrap_or_default();
            if in_object {
                let (next, at_value) = compact_members::<PLAIN>(bytes, pos, false)?;
                pos = next;
                if at_value {
                    continue 'value;
                }
            }
            pos = skip_ws(bytes, pos);
            match bytes.get(pos) {
                Some(b',') => {
                    pos = skip_ws(bytes, pos + 1);
                    if in_object {
                        pos = key_end::<PLAIN>(bytes, pos)?;
                    }
                    continue 'value;
                }
                Some(b'}') if in_object => {}
                Some(b']') if !in_object => {}
                _ => return Err(syntax(pos, "expected ',' or the end of a container")),
            }
            pos += 1;
            containers.close(pos);
            level -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_validates_structure() {
        let ok = br#"{"a": [1, {"b": null}, [], {}], "c": "d"}"#;
        assert_eq!(skip_value::<false>(ok, 0, 1), Ok(ok.len()));
        assert_eq!(skip_value::<true>(ok, 0, 1), Ok(ok.len()));
        let mut recorder = Recorder::default();
        assert_eq!(
            skip_recording::<true>(ok, 0, 1, &mut recorder),
            Ok(ok.len())
        );
        // The outer object, the array, `{"b": null}`, `[]` and `{}`.
        let ends: Vec<(u32, u32)> = recorder.skips.iter().map(|s| (s.end, s.next)).collect();
        assert_eq!(ends, [(41, 5), (30, 5), (21, 3), (25, 4), (29, 5)]);
        for bad in [
            r#"{"a" 1}"#,
            r#"{"a": 1,}"#,
            "[1 2]",
            "[1,]",
            r#"{1: 2}"#,
            "[}",
            "{]",
        ] {
            assert!(skip_value::<false>(bad.as_bytes(), 0, 1).is_err(), "{bad}");
            assert!(skip_value::<true>(bad.as_bytes(), 0, 1).is_err(), "{bad}");
        }
    }
}
