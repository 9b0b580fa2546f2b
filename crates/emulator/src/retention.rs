//! The archive's retention: events older than the archive's
//! `RetentionDays` are deleted, as EventBridge discards them ("the number
//! of days to retain events for ... If set to 0, events are retained
//! indefinitely",
//! https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html;
//! "the retention period to store events in the archive before they are
//! discarded",
//! https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archives.html).
//!
//! Deletion runs in units of at most [`BATCH`] events, each its own unit
//! of the group commit, so placements and deliveries interleave with a
//! large sweep instead of waiting behind one long write. The file does not
//! shrink (no `auto_vacuum`, no `VACUUM`: either rewrites pages under the
//! writer): the freed pages go to SQLite's freelist and the next archived
//! events reuse them, so a run at a steady rate stops growing once its
//! oldest events pass the retention.
//!
//! This module writes both the archive and the queue table, which the
//! archive module must not (the queues depend on it): a queued message
//! whose body is an expiring event gets a copy of the event first, so no
//! message ever loses its body.

use chrono::{DateTime, SecondsFormat, Utc};
use platform::StoreError;
use platform::sqlite::Db;
use rusqlite::{Connection, params};
use std::time::Duration;
use tokio::sync::watch;

/// Events deleted per unit: a few milliseconds of the writer's time.
pub const BATCH: usize = 500;

/// How often a running runtime sweeps (and once when it starts). AWS
/// documents no schedule for its discards; an hour keeps a day-old
/// excess at most an hour's worth of events.
pub const EVERY: Duration = Duration::from_secs(3600);

/// One batch of expired events, oldest first. The newest archived event
/// is never deleted: `seq` is a plain rowid, and SQLite would give an
/// empty table's next row the `seq` of a deleted one, which a live view
/// following `seq` (the console) would mistake for an event it has shown.
macro_rules! batch {
    () => {
        "SELECT seq FROM bus_archive
         WHERE time < ?1 AND seq < (SELECT MAX(seq) FROM bus_archive)
         ORDER BY time, seq LIMIT ?2"
    };
}

/// A queued message whose body is an expiring event gets the event's text
/// as its own body first: in SQS a message is a copy, which the archive's
/// retention never touches.
const DETACH: &str = concat!(
    "UPDATE queue_messages
     SET body = (SELECT event FROM bus_archive WHERE seq = queue_messages.archive_seq),
         archive_seq = NULL
     WHERE archive_seq IN (",
    batch!(),
    ")"
);
const EXPIRE: &str = concat!("DELETE FROM bus_archive WHERE seq IN (", batch!(), ")");

/// An archive's retention, in whole days as the template gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    days: u32,
}

impl Retention {
    /// None for 0 days: AWS keeps such an archive's events indefinitely.
    pub fn days(days: u32) -> Option<Self> {
        (days > 0).then_some(Self { days })
    }

    pub fn in_days(&self) -> u32 {
        self.days
    }

    /// The oldest time an event may have and still be kept at `now`.
    pub fn cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::days(i64::from(self.days))
    }
}

/// Deletes every archived event older than `cutoff` but the newest, a
/// unit of at most [`BATCH`] events at a time; returns how many it deleted.
pub async fn expire(db: &Db, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut deleted = 0;
    loop {
        let batch = db
            .transaction_async(|tx| expire_batch(tx, cutoff, BATCH))
            .await?;
        deleted += batch;
        if batch < BATCH {
            return Ok(deleted);
        }
        // Let the units waiting for the connection go first.
        tokio::task::yield_now().await;
    }
}

/// Deletes at most `limit` events archived before `cutoff` in the
/// caller's unit; returns how many it deleted.
fn expire_batch(tx: &Connection, cutoff: DateTime<Utc>, limit: usize) -> Result<usize, StoreError> {
    // The archive's `time` is the put's RFC 3339 text in whole seconds
    // and UTC, so text order is time order.
    let cutoff = cutoff.to_rfc3339_opts(SecondsFormat::Secs, true);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // Both statements select the same batch: the first changes no
    // archived row, and the order is total.
    tx.prepare_cached(DETACH)?.execute(params![cutoff, limit])?;
    Ok(tx.prepare_cached(EXPIRE)?.execute(params![cutoff, limit])?)
}

/// Sweeps now, then every `every` until `stop` turns true; a failed sweep
/// is logged and tried again at the next one (nothing is lost by waiting).
pub async fn run(db: Db, retention: Retention, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        match expire(&db, retention.cutoff(Utc::now())).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "archived events past the retention deleted"),
            Err(error) => tracing::warn!(%error, "the archive's retention sweep failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::ReplayFilter;
    use crate::bus::ingestion_tests::bus;
    use crate::bus::{Entry, LocalBus};
    use crate::spec::ArchiveSpec;

    /// Puts `n` events marked `tag` and dates them (the archive's column
    /// and the event's own `time`) `age` before now, as if put then.
    fn put_aged(bus: &LocalBus, db: &Db, tag: &str, n: usize, age: chrono::Duration) {
        let detail = format!(r#"{{"tag": "{tag}"}}"#);
        let entries: Vec<Entry<'_>> = (0..n)
            .map(|_| Entry {
                source: "shop.orders",
                detail_type: "Order Placed",
                detail: &detail,
            })
            .collect();
        bus.put_events(&entries).unwrap();
        let time = (Utc::now() - age).to_rfc3339_opts(SecondsFormat::Secs, true);
        db.transaction(|tx| {
            tx.execute(
                "UPDATE bus_archive SET time = ?1, event = json_set(event, '$.time', ?1)
                 WHERE json_extract(event, '$.detail.tag') = ?2",
                params![time, tag],
            )
        })
        .unwrap();
    }

    fn tags(bus: &LocalBus) -> Vec<String> {
        bus.archived(&ReplayFilter::default(), None)
            .unwrap()
            .iter()
            .map(|a| a.event["detail"]["tag"].as_str().unwrap().to_owned())
            .collect()
    }

    fn days(n: i64) -> chrono::Duration {
        chrono::Duration::days(n)
    }

    const NINETY: Retention = Retention { days: 90 };

    #[tokio::test]
    async fn events_older_than_the_retention_are_deleted_younger_ones_kept_and_their_window_still_replays()
     {
        let (bus, queues, db) = bus();
        put_aged(&bus, &db, "old", 5, days(100));
        put_aged(&bus, &db, "young", 3, days(89));
        put_aged(&bus, &db, "new", 1, days(0));
        // Every copy delivered: no queued message holds an archived event.
        queues.purge("q").await.unwrap();

        let deleted = expire(&db, NINETY.cutoff(Utc::now())).await.unwrap();

        assert_eq!(deleted, 5);
        assert_eq!(tags(&bus), ["young", "young", "young", "new"]);
        assert_eq!(bus.archive_size().unwrap().0, 4);
        let window = ReplayFilter {
            from: Some(Utc::now() - days(90)),
            to: Some(Utc::now()),
            rule: None,
        };
        assert_eq!(bus.replay("r", &window).unwrap(), 4);
        assert_eq!(queues.depths().unwrap()["q"], 4);
        // A second sweep finds nothing more to do.
        assert_eq!(expire(&db, NINETY.cutoff(Utc::now())).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_large_expiry_is_deleted_in_units_of_at_most_the_batch_size() {
        let (bus, queues, db) = bus();
        put_aged(&bus, &db, "old", 2 * BATCH + 7, days(91));
        put_aged(&bus, &db, "new", 1, days(0));
        queues.purge("q").await.unwrap();

        // In memory every unit commits at once: commits count the units.
        let before = db.commits();
        let deleted = expire(&db, NINETY.cutoff(Utc::now())).await.unwrap();

        assert_eq!(deleted, 2 * BATCH + 7);
        assert_eq!(db.commits() - before, 3, "500, 500 and 7, one unit each");
        assert_eq!(tags(&bus), ["new"]);
    }

    #[tokio::test]
    async fn a_queued_message_whose_body_is_an_expired_event_keeps_its_body_as_an_sqs_copy_would() {
        let (bus, queues, db) = bus();
        put_aged(&bus, &db, "queued", 1, days(120));
        put_aged(&bus, &db, "new", 1, days(0));
        let queued = queues.peek("q").unwrap();

        assert_eq!(expire(&db, NINETY.cutoff(Utc::now())).await.unwrap(), 1);

        assert_eq!(tags(&bus), ["new"]);
        let kept = queues.peek("q").unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].id, queued[0].id);
        assert_eq!(
            kept[0].body, queued[0].body,
            "the event's text, now the message's own"
        );
        let body: serde_json::Value = serde_json::from_str(&kept[0].body).unwrap();
        assert_eq!(body["detail"]["tag"], "queued");
        let received = queues.receive("q", 10).await.unwrap();
        assert_eq!(received[0].body, queued[0].body);
    }

    #[tokio::test]
    async fn the_newest_event_is_kept_past_the_retention_so_its_seq_is_never_given_again() {
        let (bus, queues, db) = bus();
        put_aged(&bus, &db, "a", 2, days(200));
        queues.purge("q").await.unwrap();
        let last = bus.archived(&ReplayFilter::default(), None).unwrap()[1].seq;

        assert_eq!(expire(&db, NINETY.cutoff(Utc::now())).await.unwrap(), 1);
        put_aged(&bus, &db, "b", 1, days(0));

        let seqs: Vec<i64> = bus
            .archived(&ReplayFilter::default(), None)
            .unwrap()
            .iter()
            .map(|a| a.seq)
            .collect();
        assert_eq!(seqs, [last, last + 1]);
    }

    #[test]
    fn a_retention_of_0_days_or_none_keeps_events_indefinitely_as_aws_does() {
        // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html:
        // "Default value is 0. If set to 0, events are retained indefinitely".
        assert_eq!(Retention::days(0), None);
        let spec = ArchiveSpec {
            name: "a".into(),
            retention_days: 0,
        };
        assert_eq!(spec.retention(), None);
        let ninety = ArchiveSpec {
            retention_days: 90,
            ..spec
        };
        let now = Utc::now();
        assert_eq!(ninety.retention().unwrap().cutoff(now), now - days(90));
    }
}
