//! The order store over the shared SQLite database (local runtime, tests).
//! The outbox is a table written in the same transaction as the order;
//! [`crate::relay_outbox_once`] publishes and acknowledges its rows.

use crate::CONSUMER;
use crate::domain::OrderStatus;
use crate::ports::{Order, OrderStore, OrderView, Placed, Transition, Transitioned};
use crate::timeline::TimelineEntry;
use chrono::{DateTime, SecondsFormat, Utc};
use events::{CustomerId, EventId, OrderId, OutgoingEvent};
use platform::sqlite::{Db, mark_processed, processed_outcome};
use platform::{Commit, StoreError};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    lines TEXT NOT NULL,
    reason TEXT,
    request_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS orders_timeline (
    order_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (order_id, event_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS orders_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL
);
";

const ORDER_COLUMNS: &str =
    "order_id, status, customer_id, lines, reason, created_at, updated_at, request_hash";

/// An outbox row not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub event: OutgoingEvent,
}

#[derive(Clone)]
pub struct SqliteOrderStore {
    db: Db,
}

impl SqliteOrderStore {
    pub fn new(db: Db) -> Result<Self, StoreError> {
        db.migrate(SCHEMA)?;
        Ok(Self { db })
    }

    /// The oldest `limit` outbox events, in the order they were written.
    pub fn take_outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        self.db.transaction(|tx| {
            let mut stmt =
                tx.prepare("SELECT id, event FROM orders_outbox ORDER BY id LIMIT ?1")?;
            let rows = stmt.query_map(params![limit as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            rows.map(|row| {
                let (id, text) = row?;
                Ok(OutboxEntry {
                    id,
                    event: from_json(&text)?,
                })
            })
            .collect()
        })
    }

    /// Removes published outbox rows.
    pub fn ack_outbox(&self, ids: &[i64]) -> Result<(), StoreError> {
        self.db.transaction(|tx| {
            let mut stmt = tx.prepare("DELETE FROM orders_outbox WHERE id = ?1")?;
            for id in ids {
                stmt.execute(params![id])?;
            }
            Ok(())
        })
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("time {text:?}: {e}")))
}

/// The raw columns of an order row, parsed outside rusqlite's callback.
struct OrderRow([Option<String>; 8]);

impl OrderRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        let mut columns: [Option<String>; 8] = Default::default();
        for (i, column) in columns.iter_mut().enumerate() {
            *column = row.get(i)?;
        }
        Ok(Self(columns))
    }

    fn parse(self) -> Result<(Order, String), StoreError> {
        let [id, status, customer, lines, reason, created, updated, hash] = self.0;
        let text = |c: Option<String>| c.ok_or_else(|| StoreError::Corrupt("null column".into()));
        let id = text(id)?;
        let order = Order {
            order_id: OrderId::parse(&id)
                .ok_or_else(|| StoreError::Corrupt(format!("order id {id:?}")))?,
            status: parse_status(&text(status)?)?,
            customer_id: CustomerId::parse(text(customer)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            lines: from_json(&text(lines)?)?,
            reason: reason.map(|r| from_json(&r)).transpose()?,
            created_at: parse_time(&text(created)?)?,
            updated_at: parse_time(&text(updated)?)?,
        };
        Ok((order, text(hash)?))
    }
}

fn parse_status(text: &str) -> Result<OrderStatus, StoreError> {
    OrderStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("order status {text:?}")))
}

fn load_order(tx: &Transaction<'_>, order: OrderId) -> Result<Option<(Order, String)>, StoreError> {
    tx.query_row(
        &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE order_id = ?1"),
        params![order.to_string()],
        OrderRow::read,
    )
    .optional()?
    .map(OrderRow::parse)
    .transpose()
}

impl OrderStore for SqliteOrderStore {
    async fn place(
        &self,
        order: &Order,
        request_hash: &str,
        outbox: &OutgoingEvent,
    ) -> Result<Placed, StoreError> {
        self.db.transaction(|tx| {
            if let Some((existing, hash)) = load_order(tx, order.order_id)? {
                return Ok(Placed::Existing {
                    order: existing,
                    same_request: hash == request_hash,
                });
            }
            tx.execute(
                &format!(
                    "INSERT INTO orders ({ORDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                ),
                params![
                    order.order_id.to_string(),
                    order.status.as_str(),
                    order.customer_id.as_str(),
                    to_json(&order.lines)?,
                    order.reason.as_ref().map(to_json).transpose()?,
                    time(order.created_at),
                    time(order.updated_at),
                    request_hash,
                ],
            )?;
            tx.execute(
                "INSERT INTO orders_outbox (event_id, event) VALUES (?1, ?2)",
                params![outbox.event_id.to_string(), to_json(outbox)?],
            )?;
            Ok(Placed::Created)
        })
    }

    async fn get(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        self.db.transaction(|tx| {
            let Some((order_row, _)) = load_order(tx, order)? else {
                return Ok(None);
            };
            let mut stmt = tx.prepare(
                "SELECT entry FROM orders_timeline WHERE order_id = ?1 ORDER BY sort_key",
            )?;
            let timeline = stmt
                .query_map(params![order.to_string()], |r| r.get::<_, String>(0))?
                .map(|text| from_json(&text?))
                .collect::<Result<_, StoreError>>()?;
            Ok(Some(OrderView {
                order: order_row,
                timeline,
            }))
        })
    }

    async fn processed(&self, event: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        self.db
            .transaction(|tx| processed_outcome(tx, CONSUMER, event))
    }

    async fn record_timeline(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
    ) -> Result<(), StoreError> {
        self.db.transaction(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO orders_timeline (order_id, event_id, sort_key, entry)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    order.to_string(),
                    entry.event_id.to_string(),
                    entry.sort_key(),
                    to_json(entry)?
                ],
            )?;
            Ok(())
        })
    }

    async fn transition(&self, change: &Transition) -> Result<Commit<Transitioned>, StoreError> {
        let Transition {
            order, cause, at, ..
        } = *change;
        self.db.transaction(|tx| {
            if let Some(recorded) = processed_outcome(tx, CONSUMER, cause)? {
                return Ok(Commit::AlreadyProcessed(recorded));
            }
            let status: Option<String> = tx
                .query_row(
                    "SELECT status FROM orders WHERE order_id = ?1",
                    params![order.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(status) = status else {
                return Ok(Commit::Done(Transitioned::UnknownOrder));
            };
            let status = parse_status(&status)?;
            if status != OrderStatus::Pending {
                return Ok(Commit::Done(Transitioned::NotPending(status)));
            }
            tx.execute(
                "UPDATE orders SET status = ?2, reason = ?3, updated_at = ?4 WHERE order_id = ?1",
                params![
                    order.to_string(),
                    change.to.as_str(),
                    change.reason.as_ref().map(to_json).transpose()?,
                    time(at),
                ],
            )?;
            mark_processed(tx, CONSUMER, cause, &change.outcome)?;
            Ok(Commit::Done(Transitioned::Applied))
        })
    }
}
