//! The bus's events as they are archived, filtered, each with the rules
//! and targets it matched: the console's live view. Read from the archive
//! (every event put on the bus is archived in the same unit that routes
//! it), so a view opened late starts with what came before.

use emulator::{ArchivedEvent, LocalBus};
use runtime::Saga as Wiring;
use serde::{Deserialize, Serialize};

/// Which events to show; a field left empty shows every value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Filter {
    pub source: Option<String>,
    pub detail_type: Option<String>,
    pub order_id: Option<String>,
}

fn wanted(wanted: &Option<String>, value: Option<&str>) -> bool {
    match wanted.as_deref().map(str::trim) {
        None | Some("") => true,
        Some(w) => value.is_some_and(|v| v == w),
    }
}

impl Filter {
    pub fn keeps(&self, event: &FeedEvent) -> bool {
        wanted(&self.source, Some(&event.source))
            && wanted(&self.detail_type, Some(&event.detail_type))
            && wanted(&self.order_id, event.order_id.as_deref())
    }
}

/// A rule an event matched, the queue it targets, and who reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub rule: String,
    pub queue: String,
    pub consumers: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedEvent {
    /// The archive's sequence number: the view's cursor.
    pub seq: i64,
    pub time: String,
    pub source: String,
    pub detail_type: String,
    /// The saga's event id (`detail.metadata.eventId`), or the bus's `id`.
    pub event_id: String,
    /// The order it belongs to (`detail.metadata.correlationId`, else
    /// `detail.data.orderId`).
    pub order_id: Option<String>,
    pub routes: Vec<Route>,
    /// Why no route could be computed, if so.
    pub unroutable: Option<String>,
    pub event: serde_json::Value,
}

/// A batch of the archive's tail and where the next one starts.
#[derive(Debug, Clone, Serialize)]
pub struct Feed {
    pub events: Vec<FeedEvent>,
    /// The last archive sequence number read, kept or filtered out.
    pub cursor: Option<i64>,
}

/// The rules an event matches and their targets, as the bus routes it.
pub fn routes(
    bus: &LocalBus,
    wiring: &Wiring,
    event: &serde_json::Value,
) -> Result<Vec<Route>, emulator::BusError> {
    Ok(bus
        .routes_for(event)?
        .into_iter()
        .map(|(rule, queue)| Route {
            rule: rule.to_owned(),
            queue: queue.to_owned(),
            consumers: wiring
                .wiring
                .consumers
                .iter()
                .filter(|c| c.queue == queue)
                .map(|c| c.function.clone())
                .collect(),
        })
        .collect())
}

fn text(v: &serde_json::Value) -> Option<&str> {
    v.as_str().filter(|s| !s.is_empty())
}

pub fn feed_event(bus: &LocalBus, wiring: &Wiring, archived: ArchivedEvent) -> FeedEvent {
    let e = &archived.event;
    let (routes, unroutable) = match routes(bus, wiring, e) {
        Ok(r) => (r, None),
        Err(error) => (Vec::new(), Some(error.to_string())),
    };
    FeedEvent {
        seq: archived.seq,
        time: archived.time.to_rfc3339(),
        source: e["source"].as_str().unwrap_or_default().to_owned(),
        detail_type: e["detail-type"].as_str().unwrap_or_default().to_owned(),
        event_id: text(&e["detail"]["metadata"]["eventId"])
            .or_else(|| text(&e["id"]))
            .unwrap_or_default()
            .to_owned(),
        order_id: text(&e["detail"]["metadata"]["correlationId"])
            .or_else(|| text(&e["detail"]["data"]["orderId"]))
            .map(str::to_owned),
        routes,
        unroutable,
        event: archived.event,
    }
}

/// Up to `limit` archived events after `after` (or the last `limit`) that
/// `filter` keeps.
pub fn feed(
    bus: &LocalBus,
    wiring: &Wiring,
    after: Option<i64>,
    limit: usize,
    filter: &Filter,
) -> Result<Feed, platform::StoreError> {
    let archived = bus.archived_after(after, limit)?;
    let cursor = archived.last().map(|a| a.seq).or(after);
    let events = archived
        .into_iter()
        .map(|a| feed_event(bus, wiring, a))
        .filter(|e| filter.keeps(e))
        .collect();
    Ok(Feed { events, cursor })
}
