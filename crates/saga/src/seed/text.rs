//! A stored text of the template run, cut into what stays and what each
//! copy changes: ids (hyphenated UUIDs, the 32 hex digits of `pay_`/`shp_`
//! ids, `SIM` tracking numbers) and RFC 3339 UTC timestamps. Cut once,
//! rendered once per copy by concatenation.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    /// An id, replaced by the copy's id for it.
    Id(String),
    /// A timestamp with `digits` fraction digits (0, 3, 6 or 9), moved by
    /// the copy's shift.
    Time {
        at: DateTime<Utc>,
        digits: u8,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Text(Vec<Segment>);

fn is_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn uuid_at(s: &[u8], i: usize) -> bool {
    s.len() >= i + 36
        && (0..36).all(|k| match k {
            8 | 13 | 18 | 23 => s[i + k] == b'-',
            _ => is_hex(s[i + k]),
        })
        && s.get(i + 36).is_none_or(|b| !b.is_ascii_alphanumeric())
}

fn hex32_at(s: &[u8], i: usize) -> bool {
    s.len() >= i + 32
        && s[i..i + 32].iter().all(|b| is_hex(*b))
        && s.get(i + 32).is_none_or(|b| !b.is_ascii_alphanumeric())
}

fn sim_at(s: &[u8], i: usize) -> bool {
    s.len() >= i + 15
        && &s[i..i + 3] == b"SIM"
        && s[i + 3..i + 15].iter().all(u8::is_ascii_digit)
        && s.get(i + 15).is_none_or(|b| !b.is_ascii_digit())
}

/// A `YYYY-MM-DDTHH:MM:SS[.fraction]Z` at `i`: its length and fraction digits.
fn time_at(s: &[u8], i: usize) -> Option<(usize, u8)> {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if s.len() < i + shape.len() + 1 {
        return None;
    }
    let fits = shape.iter().enumerate().all(|(k, c)| match c {
        b'd' => s[i + k].is_ascii_digit(),
        c => s[i + k] == *c,
    });
    if !fits {
        return None;
    }
    let mut end = i + shape.len();
    let mut digits = 0u8;
    if s[end] == b'.' {
        end += 1;
        while end < s.len() && s[end].is_ascii_digit() {
            end += 1;
            digits += 1;
        }
    }
    (matches!(digits, 0 | 3 | 6 | 9) && s.get(end) == Some(&b'Z')).then_some((end + 1 - i, digits))
}

impl Text {
    pub fn parse(text: &str) -> Self {
        let s = text.as_bytes();
        let mut out = Vec::new();
        let (mut i, mut literal_from) = (0, 0);
        let boundary = |i: usize| i == 0 || !s[i - 1].is_ascii_alphanumeric();
        while i < s.len() {
            let found = if let Some((len, digits)) = time_at(s, i).filter(|_| boundary(i)) {
                DateTime::parse_from_rfc3339(&text[i..i + len])
                    .ok()
                    .map(|t| {
                        (
                            len,
                            Segment::Time {
                                at: t.with_timezone(&Utc),
                                digits,
                            },
                        )
                    })
            } else if boundary(i) && uuid_at(s, i) {
                Some((36, Segment::Id(text[i..i + 36].to_owned())))
            } else if (i == 0 || !is_hex(s[i - 1]) && s[i - 1] != b'-') && hex32_at(s, i) {
                Some((32, Segment::Id(text[i..i + 32].to_owned())))
            } else if boundary(i) && sim_at(s, i) {
                Some((15, Segment::Id(text[i..i + 15].to_owned())))
            } else {
                None
            };
            match found {
                Some((len, segment)) => {
                    if literal_from < i {
                        out.push(Segment::Literal(text[literal_from..i].to_owned()));
                    }
                    out.push(segment);
                    i += len;
                    literal_from = i;
                }
                None => i += 1,
            }
        }
        if literal_from < s.len() {
            out.push(Segment::Literal(text[literal_from..].to_owned()));
        }
        Self(out)
    }

    /// The ids this text holds.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|s| match s {
            Segment::Id(id) => Some(id.as_str()),
            _ => None,
        })
    }

    /// The text of a copy: each id as `id` maps it, each time moved by
    /// `shift` (a time in whole seconds stays in whole seconds).
    pub fn render(&self, id: impl Fn(&str) -> String, shift: Duration) -> String {
        let mut out = String::new();
        for segment in &self.0 {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Id(old) => out.push_str(&id(old)),
                Segment::Time { at, digits } => {
                    let format = match digits {
                        0 => SecondsFormat::Secs,
                        3 => SecondsFormat::Millis,
                        6 => SecondsFormat::Micros,
                        _ => SecondsFormat::Nanos,
                    };
                    out.push_str(&(*at + shift).to_rfc3339_opts(format, true));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_times_are_found_and_everything_else_is_kept_as_it_was() {
        let text = r#"{"id":"01a24550-c71f-74e8-be6a-918af0f54fc8","pay":"pay_11bde725d1145532a71bd87889d13380","t":"SIM793007767660","at":"2026-12-05T08:27:31.487503656Z","s":"2026-12-05T08:27:31Z","hash":"f94789ba84cfa123c605549abf2d79e7424ddee4d166a2a61d3fa811259c0834","k":"demo-0"}"#;
        let parsed = Text::parse(text);
        assert_eq!(
            parsed.ids().collect::<Vec<_>>(),
            [
                "01a24550-c71f-74e8-be6a-918af0f54fc8",
                "11bde725d1145532a71bd87889d13380",
                "SIM793007767660"
            ],
            "a 64-digit hash is not an id"
        );
        assert_eq!(parsed.render(str::to_owned, Duration::zero()), text);
        let moved = parsed.render(|id| format!("<{id}>"), Duration::days(-1));
        assert!(
            moved.contains(r#""at":"2026-12-04T08:27:31.487503656Z""#)
                && moved.contains(r#""s":"2026-12-04T08:27:31Z""#)
                && moved.contains("pay_<11bde725d1145532a71bd87889d13380>")
                && moved.contains("<01a24550-c71f-74e8-be6a-918af0f54fc8>"),
            "{moved}"
        );
    }
}
