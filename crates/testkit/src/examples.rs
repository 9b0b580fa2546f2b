//! The example events of `events-schema/examples`, one per event type,
//! as a rule target receives them (the whole EventBridge envelope).

use events::{BusEvent, EventKind, SagaEvent};
use std::path::PathBuf;

/// The folder of the examples.
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../events-schema/examples"
    ))
}

/// The example named `slug` (`order-placed`, `payment-failed`, ...) as
/// JSON text.
pub fn text(slug: &str) -> String {
    let path = dir().join(format!("{slug}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The example of that kind as JSON text.
pub fn text_of(kind: EventKind) -> String {
    text(&kind.slug())
}

/// The example named `slug`, parsed as a bus event (its `detail` still
/// JSON, for a test that edits it).
pub fn bus(slug: &str) -> BusEvent {
    BusEvent::from_json(&text(slug)).unwrap_or_else(|e| panic!("example {slug}: {e}"))
}

/// The example named `slug` as the saga event its consumers handle.
pub fn event(slug: &str) -> SagaEvent {
    bus(slug)
        .into_saga()
        .unwrap_or_else(|e| panic!("example {slug}: {e}"))
}

/// The example of that kind as the saga event its consumers handle.
pub fn event_of(kind: EventKind) -> SagaEvent {
    event(&kind.slug())
}
