//! SQS semantics over SQLite: messages with a visibility timeout, a receive
//! count, and a move to the dead-letter queue once a message has been
//! received `maxReceiveCount` times without being deleted
//! (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
//! Every change is a committed transaction: a message is never lost, and a
//! message in flight when the process dies is received again after restart.

use crate::clock::now_ms;
use crate::spec::QueueSpec;
use platform::sqlite::{CachedStatements, Db};
use platform::{Retryable, StoreError};
use rusqlite::{Connection, params};
use std::collections::HashMap;
use std::sync::Arc;
use thiserror::Error;
use tokio::sync::Notify;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS queue_messages (
    queue TEXT NOT NULL,
    id TEXT NOT NULL,
    -- Empty when the body is the archived event `archive_seq` (SQS
    -- bodies are never empty): each event would otherwise be stored once
    -- more for every queue it reaches, and be written again, whole, by
    -- each receive that updates its row.
    body TEXT NOT NULL,
    archive_seq INTEGER,
    attributes TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (queue, id)
);
-- Matches the receive query's WHERE and ORDER BY, so a receive reads its
-- LIMIT rows in index order instead of sorting every visible message.
CREATE INDEX IF NOT EXISTS queue_messages_receive ON queue_messages (queue, visible_at, sent_at);
DROP INDEX IF EXISTS queue_messages_visible;
";

/// A new message id. Time-ordered (UUID v7, RFC 9562): the messages of a
/// queue are sent and deleted roughly in order, so their primary-key pages
/// are the few at either end of the index instead of a random page per
/// message, each written again at every commit. SQS documents its
/// message ids only as unique strings of at most 100 characters.
pub(crate) fn message_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A message body as stored: its own text, or the archived event it is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Body<'a> {
    Inline(&'a str),
    /// The `seq` of a `bus_archive` row. The archive's retention copies
    /// the event into the message before it deletes the row.
    Archived(i64),
}

/// The columns a receive and a peek read; the body is read wherever it is
/// stored (the archive table is [`crate::archive`]'s).
macro_rules! select_messages {
    () => {
        "SELECT m.id, COALESCE((SELECT event FROM bus_archive WHERE seq = m.archive_seq), m.body),
                m.attributes, m.receive_count, m.sent_at, m.last_error FROM queue_messages m"
    };
}

const COLUMNS: &str = "SELECT name FROM pragma_table_info('queue_messages')";
const ADD_ARCHIVE_SEQ: &str = "ALTER TABLE queue_messages ADD COLUMN archive_seq INTEGER";
/// The archive's retention finds the messages whose body is an expiring
/// event by it (crate::retention). `archive_seq` only grows, so each send
/// appends to the index's last page.
const ARCHIVE_SEQ_INDEX: &str = "CREATE INDEX IF NOT EXISTS queue_messages_archive_seq \
     ON queue_messages (archive_seq) WHERE archive_seq IS NOT NULL";
const SEND: &str = "INSERT INTO queue_messages
     (queue, id, body, archive_seq, attributes, sent_at, visible_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const RECEIVE: &str = concat!(
    select_messages!(),
    " WHERE m.queue = ?1 AND m.visible_at <= ?2 ORDER BY m.visible_at, m.sent_at LIMIT ?3"
);
const MOVE_TO_DLQ: &str = "UPDATE queue_messages
     SET queue = ?3, attributes = ?4, visible_at = ?5, receive_count = 0, last_error = NULL
     WHERE queue = ?1 AND id = ?2";
const MARK_RECEIVED: &str = "UPDATE queue_messages
     SET receive_count = receive_count + 1, visible_at = ?3
     WHERE queue = ?1 AND id = ?2";
const DELETE: &str = "DELETE FROM queue_messages WHERE queue = ?1 AND id = ?2";
const RETRY_LATER: &str = "UPDATE queue_messages SET visible_at = ?3, last_error = ?4
     WHERE queue = ?1 AND id = ?2";
/// Per queue, on the receive index's prefix (`queue, visible_at`): only
/// the messages not yet visible are read. Without `queue` it scanned
/// every message, which the queues nothing consumes accumulate (~833,000
/// at 1M orders: 270 ms of `saga run`'s start-up, docs/benchmarks.md).
const RECOVER_IN_FLIGHT: &str = "UPDATE queue_messages SET visible_at = ?1
     WHERE queue = ?2 AND visible_at > ?1 AND receive_count > 0";
const NEXT_VISIBLE: &str = "SELECT MIN(visible_at) FROM queue_messages WHERE queue = ?1";
const DEPTHS: &str = "SELECT queue, COUNT(*) FROM queue_messages GROUP BY queue";
const PEEK: &str = concat!(select_messages!(), " WHERE m.queue = ?1 ORDER BY m.sent_at");

/// What a queue operation fails with.
#[derive(Debug, Error)]
pub enum QueueError {
    /// A queue the resources do not define: the caller's mistake.
    #[error("no queue {0}")]
    NoQueue(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Retryable for QueueError {
    fn is_retryable(&self) -> bool {
        matches!(self, QueueError::Store(e) if e.is_retryable())
    }
}

mod admin;
pub use admin::{Counts, MOVED_ATTRIBUTES};

/// A message to send: its body, attributes, and how long it stays
/// invisible first (`DelaySeconds`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewMessage {
    pub body: String,
    pub attributes: HashMap<String, String>,
    pub delay: std::time::Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMessage {
    pub queue: String,
    pub id: String,
    pub body: String,
    pub attributes: HashMap<String, String>,
    pub receive_count: u32,
    pub sent_at: i64,
}

pub struct Queues {
    db: Db,
    specs: HashMap<String, QueueSpec>,
    notify: HashMap<String, Arc<Notify>>,
    /// Signalled after every change, for whoever waits for the saga to
    /// settle.
    pub(crate) activity: Arc<Notify>,
}

type Row = (String, String, String, u32, i64, Option<String>);

impl Queues {
    pub fn new(db: Db, specs: &[QueueSpec]) -> Result<Self, StoreError> {
        db.migrate(crate::archive::TABLE)?;
        db.migrate(SCHEMA)?;
        // A database from before `archive_seq` existed.
        let columns: Vec<String> = db.transaction(|tx| {
            let mut stmt = tx.prepare(COLUMNS)?;
            let names = stmt.query_map([], |r| r.get(0))?;
            Ok::<_, StoreError>(names.collect::<Result<_, _>>()?)
        })?;
        if !columns.iter().any(|c| c == "archive_seq") {
            db.migrate(ADD_ARCHIVE_SEQ)?;
        }
        db.migrate(ARCHIVE_SEQ_INDEX)?;
        Ok(Self {
            db,
            specs: specs.iter().map(|q| (q.name.clone(), q.clone())).collect(),
            notify: specs
                .iter()
                .map(|q| (q.name.clone(), Arc::new(Notify::new())))
                .collect(),
            activity: Arc::new(Notify::new()),
        })
    }

    pub fn spec(&self, queue: &str) -> Option<&QueueSpec> {
        self.specs.get(queue)
    }

    fn known(&self, queue: &str) -> Result<&QueueSpec, QueueError> {
        self.specs
            .get(queue)
            .ok_or_else(|| QueueError::NoQueue(queue.to_owned()))
    }

    pub(crate) fn notifier(&self, queue: &str) -> Option<Arc<Notify>> {
        self.notify.get(queue).cloned()
    }

    /// Wakes the consumers of `queues` and whoever waits for activity.
    pub(crate) fn wake<'a>(&self, queues: impl IntoIterator<Item = &'a str>) {
        for q in queues {
            // One idle poller per change, not all of the mapping's: a
            // poller only sleeps after an empty receive, and one that is
            // about to sleep finds the stored permit.
            if let Some(n) = self.notify.get(q) {
                n.notify_one();
            }
        }
        self.activity.notify_waiters();
    }

    /// Sends one message, like `SendMessage`.
    pub fn send(&self, queue: &str, body: &str) -> Result<String, QueueError> {
        self.known(queue)?;
        let id = message_id();
        self.db
            .transaction(|tx| Self::send_in(tx, queue, &id, Body::Inline(body), &HashMap::new(), 0))
            .map_err(QueueError::Store)?;
        self.wake([queue]);
        Ok(id)
    }

    /// Sends messages to one queue in one transaction, like
    /// `SendMessageBatch`; each may be delayed. Returns their ids in order,
    /// once the transaction is committed: SQS's `200` means the messages
    /// are stored, so a crash right after it must not lose them.
    pub async fn send_batch(
        &self,
        queue: &str,
        messages: &[NewMessage],
    ) -> Result<Vec<String>, QueueError> {
        self.known(queue)?;
        let ids: Vec<String> = messages.iter().map(|_| message_id()).collect();
        self.db
            .transaction_durable(|tx| {
                for (m, id) in messages.iter().zip(&ids) {
                    let delay = i64::try_from(m.delay.as_millis()).unwrap_or(i64::MAX / 4);
                    Self::send_in(tx, queue, id, Body::Inline(&m.body), &m.attributes, delay)?;
                }
                Ok::<_, StoreError>(())
            })
            .await?;
        self.wake([queue]);
        Ok(ids)
    }

    /// Adds a message inside the caller's transaction (the bus puts an
    /// event's copies for every matching target in one transaction).
    pub(crate) fn send_in(
        tx: &Connection,
        queue: &str,
        id: &str,
        body: Body<'_>,
        attributes: &HashMap<String, String>,
        delay_ms: i64,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let (body, archive_seq) = match body {
            Body::Inline(text) => (text, None),
            Body::Archived(seq) => ("", Some(seq)),
        };
        let visible_at = now.saturating_add(delay_ms);
        let attributes = attributes_json(attributes);
        tx.execute_cached(
            SEND,
            params![queue, id, body, archive_seq, attributes, now, visible_at],
        )?;
        Ok(())
    }

    /// Receives up to `max` visible messages, making them invisible for the
    /// queue's visibility timeout. A message already received
    /// `maxReceiveCount` times moves to the DLQ instead, carrying its last
    /// error and receive count as attributes.
    pub async fn receive(&self, queue: &str, max: usize) -> Result<Vec<QueueMessage>, QueueError> {
        self.receive_for(queue, max, None).await
    }

    /// [`Queues::receive`] with the visibility timeout a `ReceiveMessage`
    /// call may set instead of the queue's.
    pub async fn receive_for(
        &self,
        queue: &str,
        max: usize,
        visibility: Option<std::time::Duration>,
    ) -> Result<Vec<QueueMessage>, QueueError> {
        let spec = self.known(queue)?;
        let now = now_ms();
        let visibility = visibility.unwrap_or(spec.visibility_timeout);
        let visibility = i64::try_from(visibility.as_millis()).unwrap_or(i64::MAX / 4);
        let (received, moved_to) = self
            .db
            .transaction_async(|tx| Self::receive_in(tx, spec, max, now, visibility))
            .await?;
        if let Some(dlq) = moved_to {
            self.wake([dlq.as_str()]);
        }
        Ok(received)
    }

    /// [`Queues::receive_for`] in the caller's unit: the received messages,
    /// and the DLQ that got a message, if one did.
    fn receive_in(
        tx: &Connection,
        spec: &QueueSpec,
        max: usize,
        now: i64,
        visibility: i64,
    ) -> Result<(Vec<QueueMessage>, Option<String>), StoreError> {
        let queue = spec.name.as_str();
        let rows: Vec<Row> = {
            let mut stmt = tx.prepare_cached(RECEIVE)?;
            stmt.query_map(params![queue, now, max as i64], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?
        };
        let mut moved_to = None;
        let mut out = Vec::with_capacity(rows.len());
        for (id, body, attributes, count, sent_at, last_error) in rows {
            let mut attributes = parse_attributes(&attributes);
            let redrive = spec.redrive.as_ref();
            if let Some(redrive) = redrive.filter(|r| count >= r.max_receive_count) {
                let error = last_error.unwrap_or_else(|| "unknown".into());
                attributes.insert("ErrorMessage".into(), error);
                attributes.insert("Attempts".into(), count.to_string());
                attributes.insert("DeadLetterSourceQueue".into(), queue.to_owned());
                let attributes = attributes_json(&attributes);
                let dlq = &redrive.dead_letter_queue;
                tx.execute_cached(MOVE_TO_DLQ, params![queue, id, dlq, attributes, now])?;
                tracing::warn!(queue, message_id = %id, receives = count, %dlq, "moved to the DLQ");
                moved_to = Some(dlq.clone());
                continue;
            }
            let visible_at = now.saturating_add(visibility);
            tx.execute_cached(MARK_RECEIVED, params![queue, id, visible_at])?;
            out.push(QueueMessage {
                queue: queue.to_owned(),
                id,
                body,
                attributes,
                receive_count: count + 1,
                sent_at,
            });
        }
        Ok((out, moved_to))
    }

    /// Deletes handled messages. A delete lost in a crash only delivers
    /// the messages again, which the poller's functions are idempotent
    /// for: it shares its group's commit without waiting for it.
    pub async fn delete(&self, queue: &str, ids: &[&str]) -> Result<(), StoreError> {
        self.delete_in(queue, ids, false).await
    }

    /// [`Queues::delete`] that returns once the delete is committed, for
    /// `DeleteMessage`: a client told its message is deleted must not get
    /// it again after a crash.
    pub async fn delete_durable(&self, queue: &str, ids: &[&str]) -> Result<(), StoreError> {
        self.delete_in(queue, ids, true).await
    }

    async fn delete_in(&self, queue: &str, ids: &[&str], durable: bool) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let work = |tx: &Connection| {
            let mut stmt = tx.prepare_cached(DELETE)?;
            for id in ids {
                stmt.execute(params![queue, id])?;
            }
            Ok::<_, StoreError>(())
        };
        if durable {
            self.db.transaction_durable(work).await?;
        } else {
            self.db.transaction_async(work).await?;
        }
        self.activity.notify_waiters();
        Ok(())
    }

    /// Returns failed messages to the queue after `delay_ms`, keeping the
    /// error for the dead letter they may become.
    pub async fn retry_later(
        &self,
        queue: &str,
        failed: &[(&str, &str)],
        delay_ms: i64,
    ) -> Result<(), StoreError> {
        let at = now_ms().saturating_add(delay_ms);
        self.db
            .transaction_async(|tx| {
                let mut stmt = tx.prepare_cached(RETRY_LATER)?;
                for (id, error) in failed {
                    stmt.execute(params![queue, id, at, error])?;
                }
                Ok::<_, StoreError>(())
            })
            .await?;
        self.activity.notify_waiters();
        Ok(())
    }

    /// Messages still in flight when the last process died are received
    /// again at once: no one else can be holding them.
    /// (A queue the resources do not define has no poller to receive
    /// from it, so its messages are left as they are.)
    pub fn recover_in_flight(&self) -> Result<usize, StoreError> {
        let now = now_ms();
        self.db.transaction(|tx| {
            let mut recovered = 0;
            for queue in self.specs.keys() {
                recovered += tx.execute_cached(RECOVER_IN_FLIGHT, params![now, queue])?;
            }
            Ok(recovered)
        })
    }

    /// When the next message of `queue` becomes visible, if it has any.
    pub async fn next_visible_at(&self, queue: &str) -> Result<Option<i64>, StoreError> {
        self.db
            .transaction_async(|tx| {
                Ok(tx.query_row_cached(NEXT_VISIBLE, params![queue], |r| r.get(0))?)
            })
            .await
    }

    /// Messages per queue, for `saga dlq list`, the idle check and reports.
    pub fn depths(&self) -> Result<HashMap<String, i64>, StoreError> {
        self.db.transaction(|tx| {
            let mut stmt = tx.prepare_cached(DEPTHS)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Every message of a queue, oldest first, without receiving it.
    pub fn peek(&self, queue: &str) -> Result<Vec<QueueMessage>, StoreError> {
        self.db.transaction(|tx| {
            let mut stmt = tx.prepare_cached(PEEK)?;
            let rows = stmt.query_map(params![queue], |r| {
                Ok(QueueMessage {
                    queue: queue.to_owned(),
                    id: r.get(0)?,
                    body: r.get(1)?,
                    attributes: parse_attributes(&r.get::<_, String>(2)?),
                    receive_count: r.get(3)?,
                    sent_at: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

fn attributes_json(attributes: &HashMap<String, String>) -> String {
    serde_json::to_string(attributes).unwrap_or_else(|_| "{}".into())
}

fn parse_attributes(text: &str) -> HashMap<String, String> {
    serde_json::from_str(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn one_queue() -> Queues {
        let spec = QueueSpec {
            name: "q".into(),
            visibility_timeout: Duration::from_secs(30),
            redrive: None,
        };
        Queues::new(Db::in_memory().unwrap(), &[spec]).unwrap()
    }

    #[tokio::test]
    async fn messages_in_flight_when_the_process_died_are_visible_again_and_read_through_the_receive_index()
     {
        let queues = one_queue();
        queues.send("q", "held").unwrap();
        queues.send("q", "waiting").unwrap();
        let held = queues.receive("q", 1).await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(
            queues.receive("q", 10).await.unwrap().len(),
            1,
            "one left visible"
        );

        assert_eq!(queues.recover_in_flight().unwrap(), 2, "both now in flight");
        let again = queues.receive("q", 10).await.unwrap();
        assert_eq!(again.len(), 2);
        assert!(
            again
                .iter()
                .any(|m| m.id == held[0].id && m.receive_count == 2)
        );
        let plan: String = queues
            .db
            .transaction(|tx| {
                tx.query_row(
                    &format!("EXPLAIN QUERY PLAN {RECOVER_IN_FLIGHT}"),
                    params![0, "q"],
                    |r| r.get(3),
                )
            })
            .unwrap();
        assert!(
            plan.contains("USING INDEX queue_messages_receive"),
            "{plan}"
        );
    }

    #[test]
    fn a_constraint_violation_in_the_queue_table_is_a_bug_that_a_retry_would_not_fix() {
        let queues = one_queue();
        let send = |tx: &Connection| {
            Queues::send_in(tx, "q", "same-id", Body::Inline("{}"), &HashMap::new(), 0)
        };
        queues.db.transaction(send).unwrap();
        let err = queues.db.transaction(send).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Sqlite {
                    fault: platform::store::SqliteFault::Constraint,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            !err.is_retryable(),
            "retried five times, then dead-lettered"
        );
        let err = QueueError::from(err);
        assert!(!err.is_retryable());
        assert!(
            std::error::Error::source(&err).is_some(),
            "the SQLite error is kept"
        );
    }

    #[test]
    fn a_queue_the_resources_do_not_define_is_the_callers_mistake_not_a_damaged_store() {
        let err = one_queue().send("nope", "{}").unwrap_err();
        assert!(
            matches!(err, QueueError::NoQueue(ref q) if q == "nope"),
            "{err}"
        );
        assert!(!err.is_retryable());
    }

    #[tokio::test]
    async fn a_database_from_before_archived_bodies_is_migrated_and_keeps_its_messages() {
        let db = Db::in_memory().unwrap();
        db.migrate(
            "CREATE TABLE queue_messages (
                queue TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
                attributes TEXT NOT NULL, sent_at INTEGER NOT NULL,
                visible_at INTEGER NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0,
                last_error TEXT, PRIMARY KEY (queue, id));
             INSERT INTO queue_messages VALUES ('q', 'old', '{\"old\":1}', '{}', 1, 1, 0, NULL);",
        )
        .unwrap();
        let spec = QueueSpec {
            name: "q".into(),
            visibility_timeout: Duration::from_secs(30),
            redrive: None,
        };
        let queues = Queues::new(db, &[spec]).unwrap();
        queues.send("q", "{\"new\":2}").unwrap();
        let bodies: Vec<String> = queues
            .receive("q", 10)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.body)
            .collect();
        assert_eq!(bodies, ["{\"old\":1}", "{\"new\":2}"]);
    }
}
