//! Events validated once, then matched over their already-checked bytes.
//!
//! EventBridge checks an event once, when PutEvents accepts it: an entry
//! whose `Detail` is not "a valid JSON object" fails with the error code
//! `MalformedDetail` ("The JSON provided is not valid"; Amazon EventBridge
//! API Reference, `PutEventsRequestEntry` and `PutEventsResultEntry`), and
//! only accepted events are matched against the bus's rules. [`ValidEvent`]
//! is that check: it validates the whole text once and records where each
//! object and array ends, so that matching it (against one rule set or
//! many) steps over the parts no rule names in one jump instead of scanning
//! and validating them again.
//!
//! A `ValidEvent` can only be made by [`ValidEvent::parse`], so holding one
//! proves the check was done on exactly these bytes.

use crate::MAX_NESTING_DEPTH;
use crate::error::EventError;
use crate::scan::{self, Fail, Scan, skip_ws, syntax};
use crate::skip::{self, Recorder, Skip};

/// An event whose text was checked to be one valid JSON object within the
/// nesting limit. See the module documentation.
#[derive(Debug, Clone)]
pub struct ValidEvent<'a> {
    text: &'a str,
    /// `scan::strings_are_plain` of the text.
    plain: bool,
    /// Each object and array, in document order (the event object first).
    skips: Vec<Skip>,
}

impl<'a> ValidEvent<'a> {
    /// Validates `json` as an event: UTF-8 text holding one JSON object,
    /// nested at most [`MAX_NESTING_DEPTH`] levels, and records its layout.
    /// Memory used is proportional to the number of objects and arrays.
    pub fn parse(json: &'a [u8]) -> Result<Self, EventError> {
        let text = utf8(json)?;
        if u32::try_from(json.len()).is_err() {
            return Err(EventError::Syntax {
                offset: u32::MAX as usize,
                reason: "event longer than 4 GiB",
            });
        }
        let plain = scan::strings_are_plain(json);
        let mut recorder = Recorder::default();
        let checked = if plain {
            check_object::<true>(json, &mut recorder)
        } else {
            check_object::<false>(json, &mut recorder)
        };
        checked.map_err(|fail| event_error(*fail))?;
        Ok(Self {
            text,
            plain,
            skips: recorder.skips,
        })
    }

    /// The event's text.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    pub fn as_bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    pub(crate) fn is_plain(&self) -> bool {
        self.plain
    }

    pub(crate) fn skips(&self) -> &[Skip] {
        &self.skips
    }
}

pub(crate) fn utf8(json: &[u8]) -> Result<&str, EventError> {
    std::str::from_utf8(json).map_err(|e| EventError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })
}

pub(crate) fn event_error(fail: Fail) -> EventError {
    match fail {
        Fail::Syntax(offset, reason) => EventError::Syntax { offset, reason },
        Fail::TooDeep => EventError::TooDeep {
            limit: MAX_NESTING_DEPTH,
        },
        Fail::NotAnObject => EventError::NotAnObject,
    }
}

/// Validates the whole text as one object, recording its containers; the
/// same errors as reading it directly (`reader::read_event`).
fn check_object<const PLAIN: bool>(bytes: &[u8], recorder: &mut Recorder) -> Scan<()> {
    let start = skip_ws(bytes, 0);
    match bytes.get(start) {
        Some(b'{') => {}
        Some(_) => {
            // Valid JSON that is not an object is a different mistake from
            // text that is not JSON at all.
            let end = skip::skip_value::<false>(bytes, start, 1)?;
            return match skip_ws(bytes, end) == bytes.len() {
                true => Err(Box::new(Fail::NotAnObject)),
                false => Err(syntax(end, "trailing characters after the event")),
            };
        }
        None => return Err(syntax(start, "empty input")),
    }
    let end = skip_ws(
        bytes,
        skip::skip_recording::<PLAIN>(bytes, start, 1, recorder)?,
    );
    if end != bytes.len() {
        return Err(syntax(end, "trailing characters after the event"));
    }
    Ok(())
}
