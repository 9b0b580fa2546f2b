//! Any bytes as the body of an SQS message carrying an EventBridge event:
//! the envelope parser accepts or rejects without panicking; whatever
//! `detail` it reads is also offered to the parser of every event type;
//! and an accepted event serializes and parses back to itself.
#![no_main]

use events::{BusEvent, EventKind, SagaEvent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(bus) = BusEvent::from_json(text) else {
        return;
    };
    for kind in EventKind::ALL {
        if let Ok(event) = SagaEvent::parse(kind.source(), kind.detail_type(), bus.detail.clone()) {
            assert_eq!(event.kind(), *kind);
            let detail = serde_json::from_str(&event.detail_json()).expect("detail serializes to JSON");
            let again = SagaEvent::parse(kind.source(), kind.detail_type(), detail);
            assert_eq!(again.ok(), Some(event), "a parsed event must round-trip");
        }
    }
    let _ = bus.into_saga();
});
