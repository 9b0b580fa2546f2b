//! What the SQS API asks of a queue beyond the consumers' receive, delete
//! and retry: counts, a visibility change, purge, and moving a DLQ's
//! messages back (`StartMessageMoveTask`).

use super::{Queues, attributes_json, parse_attributes};
use crate::clock::now_ms;
use crate::spec::QueueSpec;
use platform::StoreError;
use platform::sqlite::CachedStatements;
use rusqlite::params;
use std::collections::HashMap;
use std::time::Duration;

/// The attributes the runtime adds when it moves a message to its DLQ
/// (its last error, its receive count, its source queue); a move back
/// takes them off again.
pub const MOVED_ATTRIBUTES: [&str; 3] = ["ErrorMessage", "Attempts", "DeadLetterSourceQueue"];

const COUNTS: &str = "SELECT COALESCE(SUM(visible_at <= ?2), 0),
            COALESCE(SUM(visible_at > ?2 AND receive_count > 0), 0),
            COALESCE(SUM(visible_at > ?2 AND receive_count = 0), 0)
     FROM queue_messages WHERE queue = ?1";
const CHANGE_VISIBILITY: &str = "UPDATE queue_messages SET visible_at = ?4
     WHERE queue = ?1 AND id = ?2 AND receive_count > 0 AND visible_at > ?3";
const PURGE: &str = "DELETE FROM queue_messages WHERE queue = ?1";
const OLDEST: &str =
    "SELECT id, attributes FROM queue_messages WHERE queue = ?1 ORDER BY sent_at LIMIT ?2";
const MOVE: &str = "UPDATE queue_messages
     SET queue = ?3, attributes = ?4, visible_at = ?5, receive_count = 0, last_error = NULL
     WHERE queue = ?1 AND id = ?2";

/// A queue's messages by state, as `GetQueueAttributes` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Visible now (`ApproximateNumberOfMessages`).
    pub visible: i64,
    /// Received and not yet visible again (`…NotVisible`).
    pub in_flight: i64,
    /// Sent with a delay that has not passed (`…Delayed`).
    pub delayed: i64,
}

impl Queues {
    /// Every queue the template defines, by name.
    pub fn specs(&self) -> Vec<&QueueSpec> {
        let mut specs: Vec<&QueueSpec> = self.specs.values().collect();
        specs.sort_by(|a, b| a.name.cmp(&b.name));
        specs
    }

    /// Resolves when any queue changes (a send, a receive, a delete); a
    /// long poll waits on it. Create the future before checking the queue,
    /// so a change in between is not missed.
    pub fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.activity.notified()
    }

    pub fn counts(&self, queue: &str) -> Result<Counts, StoreError> {
        let now = now_ms();
        self.db.transaction(|tx| {
            Ok(tx.query_row_cached(COUNTS, params![queue, now], |r| {
                Ok(Counts {
                    visible: r.get(0)?,
                    in_flight: r.get(1)?,
                    delayed: r.get(2)?,
                })
            })?)
        })
    }

    /// Makes an in-flight message visible again after `timeout`
    /// (`ChangeMessageVisibility`). False when the message is not in
    /// flight: deleted, never received, or visible already.
    pub async fn change_visibility(
        &self,
        queue: &str,
        id: &str,
        timeout: Duration,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let at = now.saturating_add(i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX / 4));
        let changed = self
            .db
            .transaction_async(|tx| {
                Ok::<_, StoreError>(
                    tx.execute_cached(CHANGE_VISIBILITY, params![queue, id, now, at])?,
                )
            })
            .await?;
        self.wake([queue]);
        Ok(changed > 0)
    }

    /// Deletes every message of `queue` (`PurgeQueue`); returns how many.
    pub async fn purge(&self, queue: &str) -> Result<usize, StoreError> {
        let n = self
            .db
            .transaction_async(|tx| Ok::<_, StoreError>(tx.execute_cached(PURGE, params![queue])?))
            .await?;
        self.activity.notify_waiters();
        Ok(n)
    }

    /// Moves up to `limit` messages of the dead-letter queue `from` to
    /// `to`, or each back to the queue it came from when `to` is None (a
    /// message whose source is unknown stays). Moved messages are visible
    /// at once with a receive count of zero, as after an SQS redrive.
    /// Returns how many moved.
    pub async fn move_messages(
        &self,
        from: &str,
        to: Option<&str>,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let now = now_ms();
        let known: Vec<String> = self.specs.keys().cloned().collect();
        let mut touched = Vec::new();
        let moved = self
            .db
            .transaction_async(|tx| {
                let rows: Vec<(String, String)> = {
                    let mut stmt = tx.prepare_cached(OLDEST)?;
                    stmt.query_map(params![from, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()?
                };
                let mut moved = 0;
                for (id, attributes) in rows {
                    let mut attributes: HashMap<String, String> = parse_attributes(&attributes);
                    let source = attributes.get("DeadLetterSourceQueue").cloned();
                    let Some(dest) = to.map(str::to_owned).or(source) else {
                        continue;
                    };
                    if !known.contains(&dest) {
                        continue;
                    }
                    for key in MOVED_ATTRIBUTES {
                        attributes.remove(key);
                    }
                    let attributes = attributes_json(&attributes);
                    tx.execute_cached(MOVE, params![from, id, dest, attributes, now])?;
                    touched.push(dest);
                    moved += 1;
                }
                Ok::<_, StoreError>(moved)
            })
            .await?;
        self.wake(touched.iter().map(String::as_str));
        Ok(moved)
    }
}
