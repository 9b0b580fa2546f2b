//! Validating scanners over event bytes: strings, numbers and literals
//! (whole skipped values are in `skip`).
//!
//! They are free functions over `(&[u8], position)` rather than methods of
//! the reader so that the position lives in a register: skipping the parts of
//! an event no rule names is most of the work of a match, and this is the
//! loop it runs. Everything skipped is still fully validated (EventBridge
//! rejects invalid JSON whichever fields the rules name), so the speed comes
//! from doing each check once and cheaply, not from leaving checks out.

/// A syntax error: where, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    Syntax(usize, &'static str),
    TooDeep,
    /// Valid JSON, but not an object.
    NotAnObject,
}

/// Failures are boxed: a `Result` of a position and a box fits two
/// registers, where one carrying the failure inline is returned through
/// memory by every scanner on the hot path.
pub(crate) type Scan<T> = Result<T, Box<Fail>>;

#[cold]
pub(crate) fn syntax(pos: usize, reason: &'static str) -> Box<Fail> {
    Box::new(Fail::Syntax(pos, reason))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags the bytes of `word` equal to `byte`; the lowest flag is exact
/// (borrows only create false flags above a true one), which is all that
/// callers use.
fn equal_bytes(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Flags quotes, backslashes and control bytes (lowest flag exact).
fn special_bytes(word: u64) -> u64 {
    let controls = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    equal_bytes(word, b'"') | equal_bytes(word, b'\\') | controls
}

/// The first whitespace-free position at or after `pos`. Compact JSON has
/// no whitespace between tokens, so the common case is one comparison.
#[inline(always)]
pub(crate) fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    if bytes.get(pos).is_some_and(|&b| b > b' ') {
        return pos;
    }
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// Whether no string in `bytes` can hold an escape or a control byte: the
/// text has no backslash and no byte below 0x20 at all. Then a string ends
/// at the very next quote, and scanning it needs one comparison per byte
/// instead of three. Compact events (EventBridge's own form) usually
/// qualify; the check is a branch-free pass that the compiler vectorizes.
pub(crate) fn strings_are_plain(bytes: &[u8]) -> bool {
    none_of(bytes, |b| (b < 0x20) | (b == b'\\'))
}

/// Whether the text is ASCII and `strings_are_plain`, in one pass: then it
/// is valid UTF-8 without a separate check (compact events usually are).
pub(crate) fn plain_ascii(bytes: &[u8]) -> bool {
    // Outside 0x20..0x80 (control or non-ASCII), or a backslash.
    none_of(bytes, |b| (b.wrapping_sub(0x20) >= 0x60) | (b == b'\\'))
}

/// Whether no byte is `special`: 64 bytes a step, branch-free within a
/// step so that the compiler vectorizes it; the last step overlaps the one
/// before rather than going byte by byte.
#[inline(always)]
fn none_of(bytes: &[u8], special: impl Fn(u8) -> bool) -> bool {
    let seen = |chunk: &[u8]| chunk.iter().fold(false, |seen, &b| seen | special(b));
    let mut chunks = bytes.chunks_exact(64);
    for chunk in &mut chunks {
        if chunk.first_chunk::<64>().is_some_and(|chunk| seen(chunk)) {
            return false;
        }
    }
    if let Some(last) = bytes.last_chunk::<64>() {
        return chunks.remainder().is_empty() || !seen(last);
    }
    match bytes.last_chunk::<32>() {
        Some(last) => !seen(last) && !seen(bytes.get(..32).unwrap_or_default()),
        None => !bytes.iter().any(|&b| special(b)),
    }
}

/// Steps over a string body (`pos` is just past the opening quote) and
/// returns the position just past the closing quote, and whether the string
/// holds escapes. Eight bytes are examined per step: strings are most of an
/// event's bytes. `PLAIN` says `strings_are_plain` holds for the whole
/// text, so only quotes need finding. Inlined into its callers, with the
/// rare escapes and the input's last bytes left to `string_rest`, it costs a
/// handful of instructions per short string instead of a call.
#[inline(always)]
pub(crate) fn string_end<const PLAIN: bool>(bytes: &[u8], mut pos: usize) -> Scan<(usize, bool)> {
    let detect = |word: u64| {
        if PLAIN {
            equal_bytes(word, b'"')
        } else {
            special_bytes(word)
        }
    };
    // Sixteen bytes a step: most keys and values end within the first step,
    // so the loop's exit branch is predictable (profiling showed the exit of
    // an eight-byte loop mispredicted about once per string).
    while let Some(chunk) = bytes.get(pos..).and_then(<[u8]>::first_chunk::<16>) {
        let both = u128::from_le_bytes(*chunk);
        let low = detect(both as u64);
        let high = detect((both >> 64) as u64);
        if low | high != 0 {
            // A select, not a branch: strings of 8 to 15 bytes are common.
            let bits = if low != 0 {
                low.trailing_zeros()
            } else {
                64 + high.trailing_zeros()
            };
            pos += (bits / 8) as usize;
            if PLAIN || bytes.get(pos) == Some(&b'"') {
                return Ok((pos + 1, false));
            }
            break;
        }
        pos += 16;
    }
    string_rest(bytes, pos)
}

/// The rest of a string from `pos`, byte by byte: escapes, control bytes,
/// and strings that run into the last eight bytes of the input.
#[cold]
#[inline(never)]
fn string_rest(bytes: &[u8], mut pos: usize) -> Scan<(usize, bool)> {
    let mut escaped = false;
    loop {
        match bytes.get(pos) {
            Some(b'"') => return Ok((pos + 1, escaped)),
            Some(b'\\') => {
                escaped = true;
                pos = escape_end(bytes, pos + 1)?;
            }
            Some(0..0x20) => return Err(syntax(pos, "control character in a string")),
            Some(_) => pos += 1,
            None => return Err(syntax(pos, "unterminated string")),
        }
    }
}

/// Validates the escape after a backslash (`pos` is the byte after it).
fn escape_end(bytes: &[u8], pos: usize) -> Scan<usize> {
    match bytes.get(pos) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(pos + 1),
        Some(b'u') => match bytes.get(pos + 1..pos + 5) {
            Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(pos + 5),
            Some(_) => Err(syntax(pos, "invalid \\u escape")),
            None => Err(syntax(pos, "truncated \\u escape")),
        },
        _ => Err(syntax(pos, "invalid escape in a string")),
    }
}

fn digits_end(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(b'0'..=b'9') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// Steps over a number starting at `pos`; returns its end and whether it is
/// an integer (no fraction or exponent).
#[inline]
pub(crate) fn number_end(bytes: &[u8], start: usize) -> Scan<(usize, bool)> {
    let mut pos = start + usize::from(bytes.get(start) == Some(&b'-'));
    pos = match bytes.get(pos) {
        Some(b'0') => pos + 1,
        Some(b'1'..=b'9') => digits_end(bytes, pos + 1),
        _ => return Err(syntax(pos, "invalid number")),
    };
    let mut integral = true;
    if bytes.get(pos) == Some(&b'.') {
        integral = false;
        let end = digits_end(bytes, pos + 1);
        if end == pos + 1 {
            return Err(syntax(end, "invalid number: no digits after '.'"));
        }
        pos = end;
    }
    if let Some(b'e' | b'E') = bytes.get(pos) {
        integral = false;
        pos += 1;
        if let Some(b'+' | b'-') = bytes.get(pos) {
            pos += 1;
        }
        let end = digits_end(bytes, pos);
        if end == pos {
            return Err(syntax(end, "invalid number: no digits in exponent"));
        }
        pos = end;
    }
    Ok((pos, integral))
}

/// Steps over a number no rule names, starting at `pos`: `number_end`, with
/// the common case (a short integer not starting with 0) inline, so that
/// skipping it costs no call and no result returned through memory.
#[inline(always)]
pub(crate) fn skip_number(bytes: &[u8], pos: usize) -> Scan<usize> {
    if let Some(b'1'..=b'9') = bytes.get(pos) {
        let end = digits_end(bytes, pos + 1);
        if !matches!(bytes.get(end), Some(b'.' | b'e' | b'E')) {
            return Ok(end);
        }
    }
    Ok(number_end(bytes, pos)?.0)
}

/// Steps over `true`, `false` or `null` starting at `pos`.
#[inline]
pub(crate) fn literal_end(bytes: &[u8], pos: usize) -> Scan<usize> {
    let word: &[u8] = match bytes.get(pos) {
        Some(b't') => b"true",
        Some(b'f') => b"false",
        _ => b"null",
    };
    if bytes.get(pos..pos + word.len()) == Some(word) {
        Ok(pos + word.len())
    } else {
        Err(syntax(pos, "invalid literal"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_end_at_the_first_unescaped_quote() {
        assert_eq!(
            string_end::<false>(b"abcdefghijkl\"xyz", 0),
            Ok((13, false))
        );
        assert_eq!(string_end::<false>(br#"ab\"cdefghij" "#, 0), Ok((13, true)));
        assert_eq!(string_end::<false>(br#"\u00e9\\""#, 0), Ok((9, true)));
        assert_eq!(
            string_end::<false>("caf\u{e9}   \"".as_bytes(), 0),
            Ok((9, false))
        );
        assert!(string_end::<false>(b"ab\x01cdefghij\"", 0).is_err());
        assert!(string_end::<false>(b"abcdefghij\tx\"", 0).is_err());
        assert!(string_end::<false>(br#"ab\x""#, 0).is_err());
        assert!(string_end::<false>(br#"ab\u12"#, 0).is_err());
        assert!(string_end::<false>(b"abcdefghijk", 0).is_err());
    }

    #[test]
    fn plain_strings_have_no_escapes_or_control_bytes() {
        let long = "x".repeat(100);
        assert!(strings_are_plain(
            format!(r#"{{"a": "{long}"}}"#).as_bytes()
        ));
        assert!(!strings_are_plain(
            format!(r#"{{"a": "{long}\\n"}}"#).as_bytes()
        ));
        assert!(!strings_are_plain(format!("{long}\n{long}").as_bytes()));
        assert!(!strings_are_plain(b"\t"));
        assert_eq!(string_end::<true>(b"abcdefghijkl\"xyz", 0), Ok((13, false)));
    }

    #[test]
    fn plain_ascii_needs_every_byte_printable_ascii_and_no_backslash() {
        for len in 0..140 {
            let clean = vec![b'a'; len];
            assert!(plain_ascii(&clean), "{len}");
            assert_eq!(plain_ascii(&clean), strings_are_plain(&clean));
            for at in 0..len {
                for bad in [b'\\', b'\n', 0x00, 0x1f, 0x80, 0xc3, 0xff] {
                    let mut text = clean.clone();
                    text[at] = bad;
                    assert!(!plain_ascii(&text), "{len} {at} {bad}");
                }
                let mut text = clean.clone();
                text[at] = 0x7f;
                assert!(plain_ascii(&text), "DEL is printable enough for JSON");
            }
        }
    }

    #[test]
    fn a_plain_string_ends_at_the_next_quote_at_any_distance_and_alignment() {
        // Every body length around the 16-byte steps, starting at every
        // offset, in ASCII and in multi-byte UTF-8 (whose bytes are never a
        // quote), with the string running to the very end of the text or not.
        for body in 0..70 {
            for lead in 0..20 {
                for filler in ["a", "é", "€"] {
                    let mut text = " ".repeat(lead) + "\"" + &filler.repeat(body);
                    let open = lead + 1;
                    let close = text.len();
                    assert_eq!(
                        string_end::<true>(text.as_bytes(), open),
                        Err(syntax(text.len(), "unterminated string")),
                        "unterminated {body} {lead} {filler}"
                    );
                    text.push('"');
                    assert_eq!(
                        string_end::<true>(text.as_bytes(), open),
                        Ok((close + 1, false))
                    );
                    text.push_str(r#","b":"c""#);
                    assert_eq!(
                        string_end::<true>(text.as_bytes(), open),
                        Ok((close + 1, false))
                    );
                    assert_eq!(
                        string_end::<false>(text.as_bytes(), open),
                        Ok((close + 1, false))
                    );
                }
            }
        }
    }

    #[test]
    fn skipping_a_number_agrees_with_reading_it() {
        for text in [
            "0",
            "7",
            "12",
            "8419",
            "1234567890123",
            "-0",
            "-12",
            "0.5",
            "10.25",
            "1e5",
            "2E-3",
            "3.5e+10",
            "01",
            "-",
            "1.",
            "1e",
            ".5",
            "+1",
            "1.e3",
            "-a",
            "12x",
        ] {
            for tail in ["", ",", "}", "]", " "] {
                let bytes = format!("{text}{tail}");
                let read = number_end(bytes.as_bytes(), 0).map(|(end, _)| end);
                assert_eq!(skip_number(bytes.as_bytes(), 0), read, "{bytes}");
            }
        }
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        assert_eq!(number_end(b"-0.5e+3,", 0), Ok((7, false)));
        assert_eq!(number_end(b"120]", 0), Ok((3, true)));
        assert_eq!(number_end(b"0123", 0), Ok((1, true)));
        for bad in ["-", "1.", "1e", ".5", "+1", "1.e3"] {
            assert!(number_end(bad.as_bytes(), 0).is_err(), "{bad}");
        }
    }
}
