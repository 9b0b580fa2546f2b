use crate::{DeadLetter, DlqStore};
use chrono::{DateTime, Utc};
use platform::StoreError;
use platform::sqlite::{CachedStatements, Db};
use rusqlite::params;

const INSERT_DLQ_MESSAGES: &str =
    "INSERT OR IGNORE INTO dlq_messages (queue, message_id, body, error, attempts, received_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const SELECT_DLQ_MESSAGES: &str =
    "SELECT queue, message_id, body, error, attempts, received_at FROM dlq_messages
    WHERE redriven_at IS NULL AND (?1 IS NULL OR queue = ?1) ORDER BY received_at, message_id";
const UPDATE_DLQ_MESSAGES: &str =
    "UPDATE dlq_messages SET redriven_at = ?3 WHERE queue = ?1 AND message_id = ?2";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS dlq_messages (
    queue TEXT NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    error TEXT,
    attempts INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    redriven_at TEXT,
    PRIMARY KEY (queue, message_id)
) WITHOUT ROWID;
";

#[derive(Clone)]
pub struct SqliteDlqStore {
    db: Db,
}

impl SqliteDlqStore {
    pub fn new(db: Db) -> Result<Self, StoreError> {
        db.migrate(SCHEMA)?;
        Ok(Self { db })
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("dlq time {text}: {e}")))
}

impl DlqStore for SqliteDlqStore {
    async fn record(&self, l: &DeadLetter) -> Result<(), StoreError> {
        self.db
            .transaction_async(|tx| {
                tx.execute_cached(
                    INSERT_DLQ_MESSAGES,
                    params![
                        l.queue,
                        l.message_id,
                        l.body,
                        l.error,
                        l.attempts,
                        l.received_at.to_rfc3339()
                    ],
                )?;
                Ok(())
            })
            .await
    }

    async fn pending(&self, queue: Option<&str>) -> Result<Vec<DeadLetter>, StoreError> {
        self.db
            .transaction_async(|tx| {
                let mut stmt = tx.prepare_cached(SELECT_DLQ_MESSAGES)?;
                let rows = stmt
                    .query_map(params![queue], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get::<_, String>(5)?,
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                rows.into_iter()
                    .map(|(queue, message_id, body, error, attempts, at)| {
                        Ok(DeadLetter {
                            queue,
                            message_id,
                            body,
                            error,
                            attempts,
                            received_at: parse_time(&at)?,
                            redriven_at: None,
                        })
                    })
                    .collect()
            })
            .await
    }

    async fn mark_redriven(
        &self,
        queue: &str,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.db
            .transaction_async(|tx| {
                tx.execute_cached(
                    UPDATE_DLQ_MESSAGES,
                    params![queue, message_id, at.to_rfc3339()],
                )?;
                Ok(())
            })
            .await
    }
}
