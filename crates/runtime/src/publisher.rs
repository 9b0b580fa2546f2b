//! The emulated bus as the handlers' publisher: a saga event becomes a
//! PutEvents entry of the emulator's bus.

use emulator::{BusError, Entry, LocalBus};
use events::OutgoingEvent;
use platform::{EventPublisher, PublishError};

/// [`LocalBus`] as an [`EventPublisher`].
#[derive(Clone, Copy)]
pub struct BusPublisher<'a>(pub &'a LocalBus);

fn entry(event: &OutgoingEvent) -> Entry<'_> {
    Entry {
        source: &event.source,
        detail_type: &event.detail_type,
        detail: &event.detail,
    }
}

pub(crate) fn entries(events: &[OutgoingEvent]) -> Vec<Entry<'_>> {
    events.iter().map(entry).collect()
}

/// A put's failure as a publisher reports it, naming the event by its own
/// id.
pub(crate) fn publish_error(events: &[OutgoingEvent], error: BusError) -> PublishError {
    let total = events.len();
    match error {
        BusError::Store(e) => PublishError::Transport(e.to_string()),
        BusError::Detail { index, source } => PublishError::Rejected {
            failed: 1,
            total,
            detail: format!(
                "{}: Detail is not valid JSON: {source}",
                events
                    .get(index)
                    .map(|e| e.event_id.to_string())
                    .unwrap_or_default()
            ),
        },
        other => PublishError::Rejected {
            failed: 1,
            total,
            detail: other.to_string(),
        },
    }
}

impl EventPublisher for BusPublisher<'_> {
    async fn publish(&self, events: &[OutgoingEvent]) -> Result<(), PublishError> {
        self.0
            .put_events_async(&entries(events))
            .await
            .map_err(|e| publish_error(events, e))
    }
}

/// Publishes, for a consumer handling a replayed event, only the outcomes
/// not in the archive yet. A consumer that already handled the event
/// returns its recorded outcome, which was published (archived and routed
/// in one unit) when it first handled it, so every event already archived
/// is left out; only an outcome never published (a crash between its
/// commit and its publish) goes out. Without this, each replay re-emitted
/// the whole saga: three replays grew an archive from 1,500 to 26,100
/// events.
pub(crate) async fn publish_unpublished(
    bus: &LocalBus,
    events: &[OutgoingEvent],
) -> Result<(), PublishError> {
    let ids: Vec<String> = events.iter().map(|e| e.event_id.to_string()).collect();
    let archived = bus
        .archived_ids(&ids)
        .await
        .map_err(|e| PublishError::Transport(e.to_string()))?;
    let unpublished: Vec<OutgoingEvent> = events
        .iter()
        .zip(archived)
        .filter(|(_, archived)| !archived)
        .map(|(e, _)| e.clone())
        .collect();
    if unpublished.is_empty() {
        return Ok(());
    }
    BusPublisher(bus).publish(&unpublished).await
}
