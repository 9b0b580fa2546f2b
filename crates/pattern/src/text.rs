//! String comparisons: case-insensitive forms, wildcards and CIDR blocks.

use std::net::IpAddr;

/// The little-endian word at `at`, if eight bytes remain.
#[inline(always)]
fn u64_at(s: &[u8], at: usize) -> Option<u64> {
    s.get(at..)
        .and_then(<[u8]>::first_chunk::<8>)
        .map(|w| u64::from_le_bytes(*w))
}

/// Byte equality without a call to `memcmp` for the short strings events
/// hold (profiling showed the calls at 8% of a match): up to 32 bytes it is
/// two overlapping loads and comparisons per side.
#[inline(always)]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let u32_at = |s: &[u8], at: usize| {
        s.get(at..)
            .and_then(<[u8]>::first_chunk::<4>)
            .map(|w| u32::from_le_bytes(*w))
    };
    match n {
        0 => true,
        // The first, middle and last bytes cover every byte of these.
        1..=3 => a.first() == b.first() && a.get(n / 2) == b.get(n / 2) && a.last() == b.last(),
        4..=7 => u32_at(a, 0) == u32_at(b, 0) && u32_at(a, n - 4) == u32_at(b, n - 4),
        8..=16 => u64_at(a, 0) == u64_at(b, 0) && u64_at(a, n - 8) == u64_at(b, n - 8),
        17..=32 => {
            let u128_at = |s: &[u8], at: usize| {
                s.get(at..)
                    .and_then(<[u8]>::first_chunk::<16>)
                    .map(|w| u128::from_le_bytes(*w))
            };
            u128_at(a, 0) == u128_at(b, 0) && u128_at(a, n - 16) == u128_at(b, n - 16)
        }
        _ => a == b,
    }
}

// Event strings are compared as bytes: they come from text validated as
// UTF-8 and end at ASCII quotes, so they are whole UTF-8 sequences, and
// byte comparisons with (UTF-8) pattern operands agree with `str` ones
// without the char-boundary checks `str` slicing costs.

#[inline(always)]
pub(crate) fn starts_with(have: &[u8], want: &str) -> bool {
    have.get(..want.len())
        .is_some_and(|head| same(head, want.as_bytes()))
}

#[inline(always)]
pub(crate) fn ends_with(have: &[u8], want: &str) -> bool {
    have.len()
        .checked_sub(want.len())
        .and_then(|start| have.get(start..))
        .is_some_and(|tail| same(tail, want.as_bytes()))
}

/// Lower-cases a pattern operand once, at compile time.
pub(crate) fn lower(text: &str) -> Box<str> {
    text.to_lowercase().into_boxed_str()
}

/// Non-ASCII values: Unicode lowering allocates, but is rare in events.
/// (An event string is always valid UTF-8, see above.)
fn lowered_cmp(value: &[u8], lowered: &str, cmp: impl Fn(&str, &str) -> bool) -> bool {
    std::str::from_utf8(value).is_ok_and(|value| cmp(&value.to_lowercase(), lowered))
}

/// Whether ASCII `value`, lowered, equals the already lowered `lowered`;
/// byte by byte, without copying (the common case of `equals-ignore-case`).
/// Eight bytes at a time: `lower_ascii` of a word of the value against the
/// same word of `lowered` (the last word overlapping the one before).
fn ascii_equals_lowered(value: &[u8], lowered: &[u8]) -> bool {
    let n = value.len();
    if n != lowered.len() {
        return false;
    }
    if n < 8 {
        return value
            .iter()
            .zip(lowered)
            .all(|(v, l)| v.to_ascii_lowercase() == *l);
    }
    let same_at = |at: usize| u64_at(value, at).map(lower_ascii) == u64_at(lowered, at);
    (0..n / 8).all(|i| same_at(8 * i)) && same_at(n - 8)
}

/// ASCII lower case of eight ASCII bytes: adding 0x3f (or 0x25) to a byte
/// below 0x80 sets its top bit exactly when it is at least `A` (or above
/// `Z`), with no carry into the next byte; upper-case letters get 0x20.
fn lower_ascii(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let at_least_a = word.wrapping_add(ONES * u64::from(0x80 - b'A'));
    let above_z = word.wrapping_add(ONES * u64::from(0x80 - b'Z' - 1));
    let upper = at_least_a & !above_z & (ONES * 0x80);
    word | upper >> 2
}

pub(crate) fn equals_ignore_case(value: &[u8], lowered: &str) -> bool {
    if value.is_ascii() {
        return ascii_equals_lowered(value, lowered.as_bytes());
    }
    lowered_cmp(value, lowered, |a, b| a == b)
}

pub(crate) fn prefix_ignore_case(value: &[u8], lowered: &str) -> bool {
    if value.is_ascii() {
        return value
            .get(..lowered.len())
            .is_some_and(|head| ascii_equals_lowered(head, lowered.as_bytes()));
    }
    lowered_cmp(value, lowered, |a, b| a.starts_with(b))
}

pub(crate) fn suffix_ignore_case(value: &[u8], lowered: &str) -> bool {
    if value.is_ascii() {
        return value
            .len()
            .checked_sub(lowered.len())
            .and_then(|start| value.get(start..))
            .is_some_and(|tail| ascii_equals_lowered(tail, lowered.as_bytes()));
    }
    lowered_cmp(value, lowered, |a, b| a.ends_with(b))
}

/// A compiled `wildcard` value: literal pieces separated by `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wildcard {
    pieces: Vec<Box<str>>,
}

impl Wildcard {
    /// Parses per the event-ruler README ("Wildcard matching"): `\*` is a
    /// literal star, `\\` a literal backslash, any other escape is rejected and
    /// so are two consecutive wildcard characters.
    pub(crate) fn parse(text: &str) -> Result<Self, &'static str> {
        let mut pieces = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars();
        let mut previous_was_star = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    match chars.next() {
                        Some(escaped @ ('*' | '\\')) => current.push(escaped),
                        _ => return Err("a backslash may only escape '*' or '\\'"),
                    }
                    previous_was_star = false;
                }
                '*' => {
                    if previous_was_star {
                        return Err("consecutive wildcard characters are not allowed");
                    }
                    pieces.push(std::mem::take(&mut current).into_boxed_str());
                    previous_was_star = true;
                }
                other => {
                    current.push(other);
                    previous_was_star = false;
                }
            }
        }
        pieces.push(current.into_boxed_str());
        Ok(Self { pieces })
    }

    /// The literal pieces between the stars (escapes resolved): `a*b` is
    /// `["a", "b"]`, `*` is `["", ""]`.
    pub(crate) fn pieces(&self) -> &[Box<str>] {
        &self.pieces
    }

    pub(crate) fn matches(&self, value: &[u8]) -> bool {
        let (first, rest) = match self.pieces.split_first() {
            Some(split) => split,
            None => return false,
        };
        let Some((last, middle)) = rest.split_last() else {
            return same(value, first.as_bytes());
        };
        if value.len() < first.len() + last.len()
            || !starts_with(value, first)
            || !ends_with(value, last)
        {
            return false;
        }
        // Greedy leftmost placement of each middle piece is optimal: placing a
        // piece earlier never removes options for the pieces after it.
        if middle.is_empty() {
            return true;
        }
        // Between a matched first and last piece (whole UTF-8 sequences),
        // so the window is valid UTF-8 too.
        let Some(mut window) = value
            .get(first.len()..value.len() - last.len())
            .and_then(|window| std::str::from_utf8(window).ok())
        else {
            return false;
        };
        for piece in middle {
            match window.find(&**piece) {
                Some(at) => window = &window[at + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

/// A compiled `cidr` block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cidr {
    V4 { network: u32, mask: u32 },
    V6 { network: u128, mask: u128 },
}

impl Cidr {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (address, length) = match text.split_once('/') {
            Some((address, length)) => {
                if length.is_empty() || !length.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (address, Some(length.parse::<u32>().ok()?))
            }
            None => (text, None),
        };
        match address.parse::<IpAddr>().ok()? {
            IpAddr::V4(ip) => {
                let length = length.unwrap_or(32);
                if length > 32 {
                    return None;
                }
                let mask = u32::MAX.checked_shl(32 - length).unwrap_or(0);
                Some(Cidr::V4 {
                    network: u32::from(ip) & mask,
                    mask,
                })
            }
            IpAddr::V6(ip) => {
                let length = length.unwrap_or(128);
                if length > 128 {
                    return None;
                }
                let mask = u128::MAX.checked_shl(128 - length).unwrap_or(0);
                Some(Cidr::V6 {
                    network: u128::from(ip) & mask,
                    mask,
                })
            }
        }
    }

    pub(crate) fn contains(&self, value: &[u8]) -> bool {
        let Ok(value) = std::str::from_utf8(value) else {
            return false;
        };
        match (self, value.parse::<IpAddr>()) {
            (Cidr::V4 { network, mask }, Ok(IpAddr::V4(ip))) => u32::from(ip) & mask == *network,
            (Cidr::V6 { network, mask }, Ok(IpAddr::V6(ip))) => u128::from(ip) & mask == *network,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wildcard(text: &str) -> Wildcard {
        Wildcard::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn wildcards_match_any_run_of_characters() {
        assert!(wildcard("Simple*Service").matches(b"SimpleQueueService"));
        assert!(wildcard("Simple*Service").matches(b"SimpleService"));
        assert!(!wildcard("Simple*Service").matches(b"SimpleServ"));
        assert!(wildcard("*/lib/*").matches(b"/usr/lib/x.so"));
        assert!(wildcard("a*b*a").matches(b"aba"));
        assert!(!wildcard("a*a").matches(b"a"));
        assert!(wildcard("*").matches(b""));
    }

    #[test]
    fn escaped_stars_and_backslashes_are_literal() {
        assert!(wildcard(r"a\*b").matches(b"a*b"));
        assert!(!wildcard(r"a\*b").matches(b"axb"));
        assert!(wildcard(r"a\\*").matches(br"a\bc"));
    }

    #[test]
    fn malformed_wildcards_are_rejected() {
        assert!(Wildcard::parse("a**b").is_err());
        assert!(Wildcard::parse(r"a\b").is_err());
        assert!(Wildcard::parse("trailing\\").is_err());
        assert!(Wildcard::parse(r"*\**").is_ok());
    }

    #[test]
    fn cidr_blocks_contain_their_addresses() {
        let v4 = Cidr::parse("10.0.0.0/24").expect("valid");
        assert!(v4.contains(b"10.0.0.255"));
        assert!(!v4.contains(b"10.0.1.0"));
        assert!(!v4.contains(b"not an ip"));
        let v6 = Cidr::parse("2001:db8::/32").expect("valid");
        assert!(v6.contains(b"2001:db8:1::1"));
        assert!(!v6.contains(b"2001:db9::1"));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("10.0.0/8").is_none());
        assert!(
            Cidr::parse("0.0.0.0/0")
                .expect("valid")
                .contains(b"1.2.3.4")
        );
    }

    #[test]
    fn short_comparisons_look_at_every_byte() {
        let text = "abcdefghijklmnopqrstuvwxyz";
        for len in 0..=text.len() {
            let a = &text.as_bytes()[..len];
            assert!(same(a, a), "{len}");
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] = b'_';
                assert!(!same(a, &b), "{len} {at}");
            }
        }
        assert!(!same(b"abc", b"ab"));
        assert!(starts_with(b"prefix-rest", "prefix") && !starts_with(b"pre", "prefix"));
        assert!(ends_with(b"rest-suffix", "suffix") && !ends_with(b"fix", "suffix"));
    }

    #[test]
    fn ascii_lowering_by_words_agrees_with_bytes() {
        let all: Vec<u8> = (0u8..0x80).collect();
        for start in 0..all.len() {
            for len in 0..=(all.len() - start).min(40) {
                let value = &all[start..start + len];
                let lowered = value.to_ascii_lowercase();
                assert!(ascii_equals_lowered(value, &lowered), "{value:?}");
                for at in 0..len {
                    let mut other = lowered.clone();
                    other[at] ^= 0x01;
                    assert!(!ascii_equals_lowered(value, &other), "{value:?} {at}");
                }
            }
        }
    }

    #[test]
    fn ignore_case_comparisons_handle_unicode() {
        assert!(equals_ignore_case(
            "ÉVÉNEMENT".as_bytes(),
            &lower("événement")
        ));
        assert!(prefix_ignore_case(b"EventBridge", "eventb"));
        assert!(suffix_ignore_case(b"IMAGE.PNG", ".png"));
    }
}
