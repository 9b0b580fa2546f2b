//! The custom event bus: PutEvents archives the event, evaluates every rule
//! of the bus independently (one event can reach several queues) and puts a
//! copy on each matching target's queue, all in one SQLite transaction.

use crate::archive::{self, ArchivedEvent, ReplayFilter};
use crate::queues::{Body, Queues};
use crate::spec::RuleSpec;
use crate::transform::InputSpec;
use chrono::{DateTime, SecondsFormat, Utc};
use pattern::{MatchScratch, Matcher, MatcherBuilder};
use platform::sqlite::Db;
use platform::{Retryable, StoreError};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use thiserror::Error;

/// The message attribute marking a copy of a replayed event.
pub const REPLAY_ATTRIBUTE: &str = "ReplayName";

/// The account and region stamped on local events.
pub const ACCOUNT: &str = "000000000000";
pub const REGION: &str = "local";

#[derive(Debug, Error)]
pub enum BusError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A PutEvents entry whose `Detail` is not a JSON object's text.
    #[error("entry {index}: Detail is not valid JSON")]
    Detail {
        index: usize,
        #[source]
        source: serde_json::Error,
    },
    /// An event the bus's own matcher could not read after it passed
    /// validation: a bug of the pattern crate, never the sender's.
    #[error("the event could not be matched against the bus's rules")]
    Matching(#[source] pattern::EventError),
    #[error("no rule named {0} on this bus")]
    NoRule(String),
    /// Refused by the check every event from outside goes through (the
    /// pattern crate's, the same as `saga test-event-pattern`'s).
    #[error("event refused by the bus: {0}")]
    Refused(#[from] pattern::InvalidEvent),
}

impl Retryable for BusError {
    /// Only the database may do better next time; an event the bus
    /// refuses is refused again.
    fn is_retryable(&self) -> bool {
        matches!(self, BusError::Store(e) if e.is_retryable())
    }
}

/// One PutEvents entry as a producer hands it to the bus.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub source: &'a str,
    pub detail_type: &'a str,
    /// `Detail`: a JSON object's text.
    pub detail: &'a str,
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
        archive::migrate(&db)?;
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
        index: usize,
        entry: &Entry<'_>,
        now: DateTime<Utc>,
    ) -> Result<serde_json::Value, BusError> {
        let detail: serde_json::Value = serde_json::from_str(entry.detail)
            .map_err(|source| BusError::Detail { index, source })?;
        Ok(serde_json::json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": entry.detail_type,
            "source": entry.source,
            "account": ACCOUNT,
            "time": now.to_rfc3339_opts(SecondsFormat::Secs, true),
            "region": REGION,
            "resources": [],
            "detail": detail,
        }))
    }

    /// Validates the event as EventBridge does on ingestion (one validator
    /// for what is put, replayed or redriven), then matches it.
    fn matching_rules(&self, text: &str) -> Result<Vec<usize>, BusError> {
        let event = pattern::validate_event(text.as_bytes())?;
        let mut out = Vec::new();
        let mut scratch = self.scratch.lock().unwrap_or_else(|p| p.into_inner());
        self.matcher
            .matching_valid_indices(&event, &mut scratch, &mut out)
            .map_err(BusError::Matching)?;
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
        let seqs = if routed.archive {
            archive::insert(tx, events, &routed.texts)?
        } else {
            Vec::new()
        };
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
    fn envelopes(entries: &[Entry<'_>]) -> Result<Vec<serde_json::Value>, BusError> {
        let now = Utc::now();
        let events = entries
            .iter()
            .enumerate()
            .map(|(i, e)| Self::envelope(i, e, now))
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
    /// hold up the thread. A handler's events lost in a crash are put
    /// again: the message that caused them was not deleted either, and is
    /// delivered again to a handler that republishes its recorded outcome.
    /// So they share their group's commit without waiting for it.
    pub async fn put_events_async(&self, entries: &[Entry<'_>]) -> Result<(), BusError> {
        let events = Self::envelopes(entries)?;
        self.put_async(&events, false).await
    }

    /// Puts events that already have their envelope (id, time, source,
    /// detail-type, detail...), as the EventBridge API's `PutEvents` builds
    /// them from its entries: archived, matched, delivered, in one unit,
    /// and committed when this returns: the client is told they are on
    /// the bus, and does not send them again.
    pub async fn put_envelopes(&self, events: &[serde_json::Value]) -> Result<(), BusError> {
        self.put_async(events, true).await
    }

    async fn put_async(&self, events: &[serde_json::Value], durable: bool) -> Result<(), BusError> {
        let routed = self.route(events, self.archive, None)?;
        let work = |tx: &rusqlite::Connection| Self::write(tx, events, &routed);
        if durable {
            self.db.transaction_durable(work).await?;
        } else {
            self.db.transaction_async(work).await?;
        }
        self.wake(&routed);
        Ok(())
    }

    pub fn put_events(&self, entries: &[Entry<'_>]) -> Result<(), BusError> {
        let events = Self::envelopes(entries)?;
        self.put(&events, self.archive, None)
    }

    /// Whether the archive holds an event with each of these own ids
    /// (`detail.metadata.eventId`), in order.
    pub async fn archived_ids(&self, ids: &[String]) -> Result<Vec<bool>, StoreError> {
        self.db
            .transaction_async(|tx| {
                let mut stmt = tx.prepare_cached(archive::IS_ARCHIVED)?;
                ids.iter()
                    .map(|id| stmt.exists([id]))
                    .collect::<Result<Vec<bool>, _>>()
                    .map_err(StoreError::from)
            })
            .await
    }

    /// How many events the archive holds, and their bytes.
    pub fn archive_size(&self) -> Result<(i64, i64), StoreError> {
        archive::size(&self.db)
    }

    /// Archived events in time order, optionally of one correlation id
    /// (`detail.metadata.correlationId`) only.
    pub fn archived(
        &self,
        filter: &ReplayFilter,
        correlation: Option<&str>,
    ) -> Result<Vec<ArchivedEvent>, StoreError> {
        archive::read(&self.db, filter, correlation)
    }

    /// The archive's tail, oldest first, at most `limit` events: those
    /// after `seq` when given (a live view following the bus), else the
    /// last `limit` (where it starts).
    pub fn archived_after(
        &self,
        seq: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ArchivedEvent>, StoreError> {
        archive::read_after(&self.db, seq, limit)
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
                return Err(BusError::NoRule(rule.clone()));
            }
        }
        // Consumers look up the archive for each outcome of a replayed
        // event; `replay_finished` drops the index again.
        self.db.migrate(archive::REPLAY_INDEX)?;
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
        self.db.migrate(archive::DROP_REPLAY_INDEX)
    }
}

#[cfg(test)]
pub(crate) mod ingestion_tests {
    use super::*;
    use crate::spec::{QueueSpec, TargetSpec};
    use pattern::{InvalidEvent, MAX_EVENT_BYTES, Pattern};
    use std::time::Duration;

    /// A bus whose one rule takes every event into queue `q`, as it is
    /// (so a queued copy refers to its archived event).
    pub(crate) fn bus() -> (LocalBus, Arc<Queues>, Db) {
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

    fn entry(detail: &str) -> Entry<'_> {
        Entry {
            source: "shop.orders",
            detail_type: "Order Placed",
            detail,
        }
    }

    #[test]
    fn an_event_over_eventbridges_size_limit_is_refused_and_nothing_is_written() {
        let (bus, queues, _db) = bus();
        bus.put_events(&[entry(r#"{"ok": true}"#)]).unwrap();
        let big = format!(r#"{{"blob": "{}"}}"#, "x".repeat(MAX_EVENT_BYTES));
        let refused = bus.put_events(&[entry(&big)]).unwrap_err();
        assert!(
            matches!(refused, BusError::Refused(InvalidEvent::TooLarge { .. })),
            "{refused}"
        );
        assert!(!refused.is_retryable(), "refused again on every retry");
        assert_eq!(queues.depths().unwrap()["q"], 1);
        assert_eq!(
            bus.archived(&ReplayFilter::default(), None).unwrap().len(),
            1
        );
    }

    #[test]
    fn a_detail_that_is_not_json_names_its_entry_and_keeps_the_parse_error() {
        let (bus, _queues, _db) = bus();
        let err = bus
            .put_events(&[entry("{}"), entry("{not json")])
            .unwrap_err();
        assert!(matches!(err, BusError::Detail { index: 1, .. }), "{err}");
        let cause = std::error::Error::source(&err).expect("the serde_json error kept");
        assert!(
            cause.to_string().contains("key must be a string"),
            "{cause}"
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
