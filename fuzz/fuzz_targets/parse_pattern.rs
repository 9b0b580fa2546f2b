//! Any text given as a pattern parses or fails cleanly; a valid pattern can
//! then match an event without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pattern::Pattern;

const EVENT: &[u8] = br#"{"source": "a", "detail": {"n": 1, "s": "x", "l": [1, "y", null, {"k": true}]}}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pattern) = Pattern::parse(text) {
        let _ = pattern.matches_json(EVENT);
    }
});
