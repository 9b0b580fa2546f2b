//! The custom event bus: PutEvents archives the event, evaluates every rule
//! of the bus independently (one event can reach several queues) and puts a
//! copy on each matching target's queue, all in one SQLite transaction.

use crate::queues::{Body, Queues};
use crate::transform::InputSpec;
use crate::wiring::RuleSpec;
use chrono::{DateTime, SecondsFormat, Utc};
use events::OutgoingEvent;
use pattern::{MatchScratch, Matcher, MatcherBuilder};
use platform::sqlite::Db;
use platform::{EventPublisher, PublishError, StoreError};
use rusqlite::params;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use thiserror::Error;

/// The archive, which the queues also read: a message whose target takes
/// the event as it is keeps only a reference to its archived copy.
pub(crate) const ARCHIVE_TABLE: &str = "
CREATE TABLE IF NOT EXISTS bus_archive (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    time TEXT NOT NULL,
    source TEXT NOT NULL,
    detail_type TEXT NOT NULL,
    correlation_id TEXT,
    event TEXT NOT NULL
);
";

const SCHEMA: &str = "
CREATE INDEX IF NOT EXISTS bus_archive_time ON bus_archive (time);
-- No index on correlation_id: `saga trace` reads an order's events by a
-- scan (`archived` cannot use one anyway), and each event's insert into an
-- index keyed by a random order id cost a write of a random page at every
-- group commit. `seq` is a plain rowid, not AUTOINCREMENT: archived events
-- are never deleted, so a rowid is never reused, and each insert no longer
-- updates sqlite_sequence as well.
DROP INDEX IF EXISTS bus_archive_correlation;
";

/// During a replay, the archive is looked up by the saga's event id (see
/// [`LocalBus::put_unpublished_async`]); the index exists only while a
/// replay runs, so placements and deliveries never pay for its upkeep.
const REPLAY_INDEX: &str = "CREATE INDEX IF NOT EXISTS bus_archive_event_id ON bus_archive (json_extract(event, '$.detail.metadata.eventId'))";
const DROP_REPLAY_INDEX: &str = "DROP INDEX IF EXISTS bus_archive_event_id";
const IS_ARCHIVED: &str =
    "SELECT 1 FROM bus_archive WHERE json_extract(event, '$.detail.metadata.eventId') = ?1 LIMIT 1";

/// The message attribute marking a copy of a replayed event.
pub const REPLAY_ATTRIBUTE: &str = "ReplayName";

/// The account and region stamped on local events.
pub const ACCOUNT: &str = "000000000000";
pub const REGION: &str = "local";

#[derive(Debug, Error)]
pub enum BusError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("event {0} does not match its own bus's event format: {1}")]
    Unmatchable(String, String),
    /// Refused by the check every event from outside goes through (the
    /// pattern crate's, the same as `saga test-event-pattern`'s).
    #[error("event refused by the bus: {0}")]
    Refused(#[from] pattern::InvalidEvent),
}

/// One archived event, as it was put on the bus.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchivedEvent {
    pub seq: i64,
    pub time: DateTime<Utc>,
    pub event: serde_json::Value,
}

/// Which archived events a replay puts back, and where.
#[derive(Debug, Clone, Default)]
pub struct ReplayFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Deliver only to this rule's targets (EventBridge replays to all
    /// rules, or to the rules a replay names).
    pub rule: Option<String>,
}

/// What a put writes: the events' texts and a message per target.
struct Routed {
    texts: Vec<String>,
    messages: Vec<RoutedMessage>,
    archive: bool,
}

struct RoutedMessage {
    /// Which of the put's events this is a copy of.
    event: usize,
    queue: String,
    id: String,
    /// None when the body is the archived event.
    body: Option<String>,
    attributes: HashMap<String, String>,
}

/// An archive row as the event it holds.
fn archived_event(seq: i64, text: &str) -> Result<ArchivedEvent, StoreError> {
    let event: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("archive #{seq}: {e}")))?;
    let time = event["time"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| StoreError::Corrupt(format!("archive #{seq}: no time")))?;
    Ok(ArchivedEvent { seq, time, event })
}

pub struct LocalBus {
    db: Db,
    queues: Arc<Queues>,
    rules: Vec<RuleSpec>,
    matcher: Matcher<usize>,
    archive: bool,
    scratch: Mutex<MatchScratch>,
}

impl LocalBus {
    pub fn new(
        db: Db,
        queues: Arc<Queues>,
        rules: Vec<RuleSpec>,
        archive: bool,
    ) -> Result<Self, StoreError> {
        db.migrate(ARCHIVE_TABLE)?;
        db.migrate(SCHEMA)?;
        let mut builder = MatcherBuilder::new();
        for (i, rule) in rules.iter().enumerate() {
            builder.add(i, rule.pattern.clone());
        }
        Ok(Self {
            db,
            queues,
            rules,
            matcher: builder.build(),
            archive,
            scratch: Mutex::new(MatchScratch::default()),
        })
    }

    pub fn rules(&self) -> &[RuleSpec] {
        &self.rules
    }

    /// The full event EventBridge would deliver for a PutEvents entry.
    fn envelope(
        entry: &OutgoingEvent,
        now: DateTime<Utc>,
        replay: Option<&str>,
    ) -> Result<serde_json::Value, BusError> {
        let detail: serde_json::Value = serde_json::from_str(&entry.detail)
            .map_err(|e| BusError::Unmatchable(entry.event_id.to_string(), e.to_string()))?;
        let mut event = serde_json::json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": entry.detail_type,
            "source": entry.source,
            "account": ACCOUNT,
            "time": now.to_rfc3339_opts(SecondsFormat::Secs, true),
            "region": REGION,
            "resources": [],
            "detail": detail,
        });
        if let Some(name) = replay {
            event["replay-name"] = name.into();
        }
        Ok(event)
    }

    /// Validates the event as EventBridge does on ingestion (one validator
    /// for what is put, replayed or redriven), then matches it.
    fn matching_rules(&self, text: &str) -> Result<Vec<usize>, BusError> {
        let event = pattern::validate_event(text.as_bytes())?;
        let mut out = Vec::new();
        let mut scratch = self.scratch.lock().unwrap_or_else(|p| p.into_inner());
        self.matcher
            .matching_valid_indices(&event, &mut scratch, &mut out)
            .map_err(|e| BusError::Unmatchable(String::new(), e.to_string()))?;
        Ok(out)
    }

    /// The rules (and their target queues) an event would reach.
    pub fn routes_for(&self, event: &serde_json::Value) -> Result<Vec<(&str, &str)>, BusError> {
        let mut out = Vec::new();
        for index in self.matching_rules(&event.to_string())? {
            let rule = &self.rules[index];
            if rule.enabled {
                out.extend(
                    rule.targets
                        .iter()
                        .map(|t| (rule.name.as_str(), t.queue.as_str())),
                );
            }
        }
        Ok(out)
    }

    /// Matches `events` against the rules and builds a message for each
    /// target, outside the connection's lock. `only_rules` limits a replay
    /// to those rules' targets.
    fn route(
        &self,
        events: &[serde_json::Value],
        archive: bool,
        only_rules: Option<&[String]>,
    ) -> Result<Routed, BusError> {
        let mut messages = Vec::new();
        let texts: Vec<String> = events.iter().map(serde_json::Value::to_string).collect();
        for (n, (event, text)) in events.iter().zip(&texts).enumerate() {
            for index in self.matching_rules(text)? {
                let rule = &self.rules[index];
                if !rule.enabled || only_rules.is_some_and(|only| !only.contains(&rule.name)) {
                    continue;
                }
                for target in &rule.targets {
                    // The target takes the event as archived: the queue
                    // keeps a reference to that copy.
                    let body = (!archive || target.input != InputSpec::Event)
                        .then(|| target.input.apply(event, text));
                    let mut attributes =
                        HashMap::from([("RuleName".to_owned(), rule.name.clone())]);
                    if let Some(name) = event["replay-name"].as_str() {
                        attributes.insert(REPLAY_ATTRIBUTE.to_owned(), name.to_owned());
                    }
                    messages.push(RoutedMessage {
                        event: n,
                        queue: target.queue.clone(),
                        id: crate::queues::message_id(),
                        body,
                        attributes,
                    });
                }
            }
        }
        Ok(Routed {
            texts,
            messages,
            archive,
        })
    }

    /// Archives the events (unless replayed) and sends their messages, in
    /// the caller's unit: all of it or none.
    fn write(
        tx: &rusqlite::Connection,
        events: &[serde_json::Value],
        routed: &Routed,
    ) -> Result<(), StoreError> {
        let mut seqs = Vec::with_capacity(events.len());
        if routed.archive {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO bus_archive (id, time, source, detail_type, correlation_id, event) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (event, text) in events.iter().zip(&routed.texts) {
                let correlation = event["detail"]["metadata"]["correlationId"].as_str();
                stmt.execute(params![
                    event["id"].as_str(),
                    event["time"].as_str(),
                    event["source"].as_str(),
                    event["detail-type"].as_str(),
                    correlation,
                    text
                ])?;
                seqs.push(tx.last_insert_rowid());
            }
        }
        for m in &routed.messages {
            let body = match &m.body {
                Some(text) => Body::Inline(text),
                None => Body::Archived(seqs[m.event]),
            };
            Queues::send_in(tx, &m.queue, &m.id, body, &m.attributes, 0)?;
        }
        Ok(())
    }

    fn wake(&self, routed: &Routed) {
        let touched: BTreeSet<&str> = routed.messages.iter().map(|m| m.queue.as_str()).collect();
        self.queues.wake(touched);
    }

    /// Puts events on the bus; `archive` is false for replayed events,
    /// which are not archived again.
    fn put(
        &self,
        events: &[serde_json::Value],
        archive: bool,
        only_rules: Option<&[String]>,
    ) -> Result<(), BusError> {
        let routed = self.route(events, archive, only_rules)?;
        self.db.transaction(|tx| Self::write(tx, events, &routed))?;
        self.wake(&routed);
        Ok(())
    }

    /// The events `entries` become, each with its bus envelope.
    fn envelopes(entries: &[OutgoingEvent]) -> Result<Vec<serde_json::Value>, BusError> {
        let now = Utc::now();
        let events = entries
            .iter()
            .map(|e| Self::envelope(e, now, None))
            .collect::<Result<Vec<_>, _>>()?;
        for e in &events {
            tracing::info!(
                source = e["source"].as_str(),
                detail_type = e["detail-type"].as_str(),
                order_id = e["detail"]["metadata"]["correlationId"].as_str(),
                "event put on the bus"
            );
        }
        Ok(events)
    }

    /// `PutEvents` for the handlers: waiting for the database does not
    /// hold up the thread.
    pub async fn put_events_async(&self, entries: &[OutgoingEvent]) -> Result<(), BusError> {
        let events = Self::envelopes(entries)?;
        let routed = self.route(&events, self.archive, None)?;
        self.db
            .transaction_async(|tx| Self::write(tx, &events, &routed))
            .await?;
        self.wake(&routed);
        Ok(())
    }

    /// Puts events that already have their envelope (id, time, source,
    /// detail-type, detail...), as the EventBridge API's `PutEvents` builds
    /// them from its entries: archived, matched, delivered, in one unit.
    pub async fn put_envelopes(&self, events: &[serde_json::Value]) -> Result<(), BusError> {
        let routed = self.route(events, self.archive, None)?;
        self.db
            .transaction_async(|tx| Self::write(tx, events, &routed))
            .await?;
        self.wake(&routed);
        Ok(())
    }

    /// How many events the archive holds, and their bytes.
    pub fn archive_size(&self) -> Result<(i64, i64), StoreError> {
        self.db.transaction(|tx| {
            Ok(tx.query_row(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(event)), 0) FROM bus_archive",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
    }

    /// `PutEvents` for a consumer handling a replayed event: a consumer
    /// that already handled the event returns its recorded outcome, which
    /// was published (archived and routed in one unit) when it first
    /// handled it, so every event already archived is left out. Only an
    /// outcome never published (a crash between its commit and its
    /// publish) goes out. Without this, each replay re-emitted the whole
    /// saga: three replays grew an archive from 1,500 to 26,100 events.
    pub async fn put_unpublished_async(&self, entries: &[OutgoingEvent]) -> Result<(), BusError> {
        let ids: Vec<String> = entries.iter().map(|e| e.event_id.to_string()).collect();
        let archived = self
            .db
            .transaction_async(|tx| {
                let mut stmt = tx.prepare_cached(IS_ARCHIVED)?;
                ids.iter()
                    .map(|id| stmt.exists([id]))
                    .collect::<Result<Vec<bool>, _>>()
                    .map_err(StoreError::from)
            })
            .await?;
        let unpublished: Vec<OutgoingEvent> = entries
            .iter()
            .zip(archived)
            .filter(|(_, archived)| !archived)
            .map(|(e, _)| e.clone())
            .collect();
        if unpublished.is_empty() {
            return Ok(());
        }
        self.put_events_async(&unpublished).await
    }

    pub fn put_events(&self, entries: &[OutgoingEvent]) -> Result<(), BusError> {
        let events = Self::envelopes(entries)?;
        self.put(&events, self.archive, None)
    }

    /// Archived events in time order, optionally of one order only.
    pub fn archived(
        &self,
        filter: &ReplayFilter,
        order: Option<&str>,
    ) -> Result<Vec<ArchivedEvent>, StoreError> {
        let from = filter
            .from
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
        let to = filter
            .to
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
        self.db.transaction(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT seq, event FROM bus_archive
                 WHERE (?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time <= ?2) AND (?3 IS NULL OR correlation_id = ?3)
                 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![from, to, order], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, text) = row?;
                out.push(archived_event(seq, &text)?);
            }
            Ok(out)
        })
    }

    /// The archive's tail, oldest first, at most `limit` events: those
    /// after `seq` when given (a live view following the bus), else the
    /// last `limit` (where it starts).
    pub fn archived_after(
        &self,
        seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ArchivedEvent>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.db.transaction(|tx| {
            let rows: Vec<(i64, String)> = match seq {
                Some(after) => {
                    let mut stmt = tx.prepare_cached(
                        "SELECT seq, event FROM bus_archive WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                    )?;
                    stmt.query_map(params![after, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()?
                }
                None => {
                    let mut stmt = tx.prepare_cached(
                        "SELECT seq, event FROM bus_archive ORDER BY seq DESC LIMIT ?1",
                    )?;
                    let mut rows: Vec<(i64, String)> = stmt
                        .query_map(params![limit], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()?;
                    rows.reverse();
                    rows
                }
            };
            rows.into_iter()
                .map(|(seq, text)| archived_event(seq, &text))
                .collect()
        })
    }

    /// Replays archived events: each is put again with a new id and a
    /// `replay-name`, is not archived again, and goes only to the named
    /// rule's targets when one is given.
    pub fn replay(&self, name: &str, filter: &ReplayFilter) -> Result<usize, BusError> {
        self.replay_to(name, filter, filter.rule.as_ref().map(std::slice::from_ref))
    }

    /// [`LocalBus::replay`] to the targets of `rules` only (a replay's
    /// `Destination.FilterArns`), or to every rule when None.
    pub fn replay_to(
        &self,
        name: &str,
        filter: &ReplayFilter,
        rules: Option<&[String]>,
    ) -> Result<usize, BusError> {
        for rule in rules.unwrap_or_default() {
            if !self.rules.iter().any(|r| &r.name == rule) {
                return Err(BusError::Unmatchable(
                    String::new(),
                    format!("no rule named {rule} on this bus"),
                ));
            }
        }
        // Consumers look up the archive for each outcome of a replayed
        // event; `replay_finished` drops the index again.
        self.db.migrate(REPLAY_INDEX)?;
        let events: Vec<serde_json::Value> = self
            .archived(filter, None)?
            .into_iter()
            .map(|a| {
                let mut e = a.event;
                e["id"] = uuid::Uuid::new_v4().to_string().into();
                e["replay-name"] = name.into();
                e
            })
            .collect();
        self.put(&events, false, rules)?;
        Ok(events.len())
    }

    /// Drops the replay's index once its events are delivered. Replayed
    /// messages still queued are handled the same way after it, only with
    /// a scan of the archive per outcome.
    pub fn replay_finished(&self) -> Result<(), StoreError> {
        self.db.migrate(DROP_REPLAY_INDEX)
    }
}

/// A put's failure as a publisher reports it.
pub(crate) fn publish_error(total: usize) -> impl Fn(BusError) -> PublishError {
    move |e| match e {
        BusError::Store(e) => PublishError::Transport(e.to_string()),
        BusError::Unmatchable(id, error) => PublishError::Rejected {
            failed: 1,
            total,
            detail: format!("{id}: {error}"),
        },
        refused @ BusError::Refused(_) => PublishError::Rejected {
            failed: 1,
            total,
            detail: refused.to_string(),
        },
    }
}

impl EventPublisher for LocalBus {
    async fn publish(&self, events: &[OutgoingEvent]) -> Result<(), PublishError> {
        self.put_events_async(events)
            .await
            .map_err(publish_error(events.len()))
    }
}

#[cfg(test)]
mod ingestion_tests {
    use super::*;
    use crate::wiring::{QueueSpec, TargetSpec};
    use events::{EventId, OrderId};
    use pattern::{InvalidEvent, MAX_EVENT_BYTES, Pattern};
    use std::time::Duration;

    /// A bus whose one rule takes every event into queue `q`.
    fn bus() -> (LocalBus, Arc<Queues>, Db) {
        let db = Db::in_memory().unwrap();
        let spec = QueueSpec {
            name: "q".into(),
            visibility_timeout: Duration::from_secs(30),
            redrive: None,
        };
        let queues = Arc::new(Queues::new(db.clone(), &[spec]).unwrap());
        let rule = RuleSpec {
            name: "all".into(),
            pattern: Pattern::parse(r#"{"source": [{"prefix": ""}]}"#).unwrap(),
            event_pattern: r#"{"source": [{"prefix": ""}]}"#.into(),
            enabled: true,
            targets: vec![TargetSpec {
                id: "t".into(),
                queue: "q".into(),
                input: InputSpec::Event,
            }],
        };
        let bus = LocalBus::new(db.clone(), queues.clone(), vec![rule], true).unwrap();
        (bus, queues, db)
    }

    fn entry(detail: String) -> OutgoingEvent {
        let order = OrderId::random();
        OutgoingEvent {
            source: "shop.orders".into(),
            detail_type: "Order Placed".into(),
            detail,
            event_id: EventId::for_order_placed(order),
            order_id: order,
        }
    }

    #[test]
    fn an_event_over_eventbridges_size_limit_is_refused_and_nothing_is_written() {
        let (bus, queues, _db) = bus();
        bus.put_events(&[entry(r#"{"ok": true}"#.into())]).unwrap();
        let big = format!(r#"{{"blob": "{}"}}"#, "x".repeat(MAX_EVENT_BYTES));
        let refused = bus.put_events(&[entry(big)]).unwrap_err();
        assert!(
            matches!(refused, BusError::Refused(InvalidEvent::TooLarge { .. })),
            "{refused}"
        );
        assert_eq!(queues.depths().unwrap()["q"], 1);
        assert_eq!(
            bus.archived(&ReplayFilter::default(), None).unwrap().len(),
            1
        );
    }

    #[test]
    fn a_replayed_event_goes_through_the_same_check_as_test_event_pattern() {
        let (bus, queues, db) = bus();
        // An archived event without `source` (written by something else):
        // TestEventPattern would refuse it, so the replay does too.
        db.transaction(|tx| {
            tx.execute(
                "INSERT INTO bus_archive (id, time, source, detail_type, event) VALUES ('e', '2026-01-01T00:00:00Z', '', 'x', ?1)",
                [r#"{"id": "e", "time": "2026-01-01T00:00:00Z", "account": "1", "region": "r", "detail-type": "x", "detail": {}}"#],
            )
        })
        .unwrap();
        let refused = bus.replay("r1", &ReplayFilter::default()).unwrap_err();
        assert!(
            matches!(
                refused,
                BusError::Refused(InvalidEvent::MissingField("source"))
            ),
            "{refused}"
        );
        assert_eq!(queues.depths().unwrap().get("q").copied().unwrap_or(0), 0);
    }
}
