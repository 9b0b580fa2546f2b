//! The bus archive: every event put on the bus, in order, in one SQLite
//! table. The queues read it too: a message whose target takes the event
//! as it is keeps only a reference to its archived copy. Both the bus and
//! the queues depend on this module, not on each other, for the table.
//!
//! Two fields are read from inside an event, by the producer's envelope
//! convention (`detail.metadata.eventId`, `detail.metadata.correlationId`):
//! the event's own id, by which a replay looks up what was already
//! published, and its correlation id, by which `saga trace` reads one
//! saga's events. An event without them is archived all the same.

use chrono::{DateTime, SecondsFormat, Utc};
use platform::StoreError;
use platform::sqlite::Db;
use rusqlite::{Connection, params};

/// The archive table, created by whichever of the bus and the queues
/// opens first.
pub(crate) const TABLE: &str = "
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

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS bus_archive_time ON bus_archive (time);
-- `saga trace` reads an order's events by correlation id. The index was
-- dropped once, when order ids were random and each insert wrote a random
-- page at every group commit; order ids are time-ordered (UUID v7) now, so
-- an order's events land near the index's end, beside the other orders in
-- flight, and a trace no longer scans the whole archive (docs/benchmarks.md,
-- A big database). `seq` is a plain rowid, not AUTOINCREMENT: the
-- retention (crate::retention) never deletes the newest event, so a rowid
-- is never reused, and each insert no longer updates sqlite_sequence.
CREATE INDEX IF NOT EXISTS bus_archive_correlation ON bus_archive (correlation_id);
";

/// During a replay, the archive is looked up by the event's own id (see
/// `LocalBus::put_unpublished_async`); the index exists only while a
/// replay runs, so placements and deliveries never pay for its upkeep.
pub(crate) const REPLAY_INDEX: &str = "CREATE INDEX IF NOT EXISTS bus_archive_event_id \
     ON bus_archive (json_extract(event, '$.detail.metadata.eventId'))";
pub(crate) const DROP_REPLAY_INDEX: &str = "DROP INDEX IF EXISTS bus_archive_event_id";
pub(crate) const IS_ARCHIVED: &str = "SELECT 1 FROM bus_archive \
     WHERE json_extract(event, '$.detail.metadata.eventId') = ?1 LIMIT 1";

const INSERT: &str = "INSERT INTO bus_archive (id, time, source, detail_type, correlation_id, event) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const SIZE: &str = "SELECT COUNT(*), COALESCE(SUM(LENGTH(event)), 0) FROM bus_archive";
const AFTER: &str = "SELECT seq, event FROM bus_archive WHERE seq > ?1 ORDER BY seq LIMIT ?2";
const LAST: &str = "SELECT seq, event FROM bus_archive ORDER BY seq DESC LIMIT ?1";
const SELECT: &str = "SELECT seq, event FROM bus_archive
     WHERE (?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time <= ?2)
     ORDER BY seq";
/// One order's events, through `bus_archive_correlation` (an `OR` with a
/// NULL test, as in SELECT, would keep SQLite from using the index).
const SELECT_CORRELATED: &str = "SELECT seq, event FROM bus_archive
     WHERE correlation_id = ?3 AND (?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time <= ?2)
     ORDER BY seq";

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

pub(crate) fn migrate(db: &Db) -> Result<(), StoreError> {
    db.migrate(TABLE)?;
    db.migrate(INDEXES)
}

/// Archives `events` (their texts alongside) in the caller's unit;
/// returns each one's `seq`.
pub(crate) fn insert(
    tx: &Connection,
    events: &[serde_json::Value],
    texts: &[String],
) -> Result<Vec<i64>, StoreError> {
    let mut seqs = Vec::with_capacity(events.len());
    let mut stmt = tx.prepare_cached(INSERT)?;
    for (event, text) in events.iter().zip(texts) {
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
    Ok(seqs)
}

/// How many events the archive holds, and their bytes.
pub(crate) fn size(db: &Db) -> Result<(i64, i64), StoreError> {
    db.transaction(|tx| Ok(tx.query_row(SIZE, [], |r| Ok((r.get(0)?, r.get(1)?)))?))
}

/// Archived events in time order, optionally of one correlation id only.
pub(crate) fn read(
    db: &Db,
    filter: &ReplayFilter,
    correlation: Option<&str>,
) -> Result<Vec<ArchivedEvent>, StoreError> {
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let (from, to) = (filter.from.map(stamp), filter.to.map(stamp));
    db.transaction(|tx| {
        let mut stmt = match correlation {
            Some(_) => tx.prepare_cached(SELECT_CORRELATED)?,
            None => tx.prepare_cached(SELECT)?,
        };
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&from, &to];
        if let Some(id) = &correlation {
            values.push(id);
        }
        let rows = stmt.query_map(values.as_slice(), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, text) = row?;
            out.push(archived_event(seq, &text)?);
        }
        Ok(out)
    })
}

/// The archive's tail, oldest first, at most `limit` events: those after
/// `seq` when given (a live view following the bus), else the last
/// `limit` (where it starts).
pub(crate) fn read_after(
    db: &Db,
    seq: Option<i64>,
    limit: usize,
) -> Result<Vec<ArchivedEvent>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db.transaction(|tx| {
        let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?));
        let rows: Vec<(i64, String)> = match seq {
            Some(after) => {
                let mut stmt = tx.prepare_cached(AFTER)?;
                stmt.query_map(params![after, limit], row)?
                    .collect::<Result<_, _>>()?
            }
            None => {
                let mut stmt = tx.prepare_cached(LAST)?;
                let mut rows: Vec<(i64, String)> = stmt
                    .query_map(params![limit], row)?
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

/// An archive row as the event it holds.
fn archived_event(seq: i64, text: &str) -> Result<ArchivedEvent, StoreError> {
    let event: serde_json::Value =
        serde_json::from_str(text).map_err(|e| StoreError::record(format!("archive #{seq}"), e))?;
    let time = event["time"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| StoreError::Corrupt(format!("archive #{seq}: no time")))?;
    Ok(ArchivedEvent { seq, time, event })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::Entry;
    use crate::bus::ingestion_tests::bus;

    /// `saga trace` reads one order's events through the correlation id
    /// index, in the order they were archived, and no other order's.
    #[test]
    fn one_orders_events_are_read_through_the_correlation_index_in_archive_order() {
        let (bus, _queues, db) = bus();
        let detail = |order: &str, n: usize| {
            format!(r#"{{"metadata": {{"correlationId": "{order}", "n": {n}}}}}"#)
        };
        let details: Vec<String> = (0..6)
            .map(|n| detail(if n % 2 == 0 { "order-a" } else { "order-b" }, n))
            .collect();
        let entries: Vec<Entry<'_>> = details
            .iter()
            .map(|d| Entry {
                source: "shop.orders",
                detail_type: "Order Placed",
                detail: d,
            })
            .collect();
        bus.put_events(&entries).unwrap();

        let events = read(&db, &ReplayFilter::default(), Some("order-a")).unwrap();
        let ns: Vec<i64> = events
            .iter()
            .map(|e| e.event["detail"]["metadata"]["n"].as_i64().unwrap())
            .collect();
        assert_eq!(ns, [0, 2, 4]);
        assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(read(&db, &ReplayFilter::default(), None).unwrap().len(), 6);

        let plan: String = db
            .transaction(|tx| {
                tx.query_row(
                    &format!("EXPLAIN QUERY PLAN {SELECT_CORRELATED}"),
                    params![None::<String>, None::<String>, "order-a"],
                    |r| r.get(3),
                )
            })
            .unwrap();
        assert!(
            plan.contains("USING INDEX bus_archive_correlation"),
            "{plan}"
        );
    }
}
