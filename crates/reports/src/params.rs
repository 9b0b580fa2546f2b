//! The time window a report covers, validated: the only values that ever
//! reach a query, and only as bound parameters.

use crate::error::ReportError;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// `[from, to)` in UTC; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The bounds an unbounded side stands for in a query (SQL has no
/// infinity for timestamps; these are far outside any event's time). The
/// Athena queries add a day to `to` for partition pruning: a day short of
/// year 10000, whose dates no longer compare as text.
const EARLIEST: &str = "1970-01-01T00:00:00.000Z";
const LATEST: &str = "9999-12-30T00:00:00.000Z";

/// An RFC 3339 time (`2026-11-22T09:00:00Z`, any offset) or a date
/// (`2026-11-22`, meaning its midnight UTC).
pub fn parse_time(name: &str, text: &str) -> Result<DateTime<Utc>, ReportError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc());
    }
    Err(ReportError::bad(
        name,
        format!(
            "{text:?} is not a time: use RFC 3339 (2026-11-22T09:00:00Z) or a date (2026-11-22)"
        ),
    ))
}

impl Window {
    pub fn new(from: Option<&str>, to: Option<&str>) -> Result<Self, ReportError> {
        let window = Self {
            from: from.map(|t| parse_time("from", t)).transpose()?,
            to: to.map(|t| parse_time("to", t)).transpose()?,
        };
        if let (Some(from), Some(to)) = (window.from, window.to)
            && from >= to
        {
            return Err(ReportError::bad(
                "to",
                format!("{} is not after from ({})", text(to), text(from)),
            ));
        }
        Ok(window)
    }

    /// The lower bound as query text, millisecond precision, `Z`.
    pub fn from_text(&self) -> String {
        self.from.map_or_else(|| EARLIEST.to_owned(), text)
    }

    pub fn to_text(&self) -> String {
        self.to.map_or_else(|| LATEST.to_owned(), text)
    }
}

fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// How a window is shown in a report: the bounds as given, `null` when
/// unbounded.
pub fn shown(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// Decodes `%XX` escapes of a query-string value. `+` stays a plus: it is
/// how an RFC 3339 offset is written, and no report value has a space.
pub fn percent_decode(name: &str, text: &str) -> Result<String, ReportError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| ReportError::bad(name, "has a malformed %-escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ReportError::bad(name, "is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_accepts_rfc3339_times_and_dates_and_shows_them_in_utc() {
        let w = Window::new(Some("2026-11-22T10:00:00+01:00"), Some("2026-11-23")).unwrap();
        assert_eq!(w.from_text(), "2026-11-22T09:00:00.000Z");
        assert_eq!(w.to_text(), "2026-11-23T00:00:00.000Z");
        assert_eq!(Window::default().from_text(), EARLIEST);
    }

    #[test]
    fn a_window_names_the_bad_parameter() {
        let e = Window::new(Some("yesterday"), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("parameter from:") && e.contains("yesterday"),
            "{e}"
        );
        let e = Window::new(Some("2026-11-23"), Some("2026-11-22"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("parameter to:"), "{e}");
    }

    #[test]
    fn percent_escapes_are_decoded_and_a_broken_one_is_refused() {
        assert_eq!(
            percent_decode("from", "2026-11-22T09%3A00%3A00%2B01:00").unwrap(),
            "2026-11-22T09:00:00+01:00"
        );
        assert!(percent_decode("from", "%G1").is_err());
    }
}
