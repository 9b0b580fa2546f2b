//! The order store over the shared SQLite database (local runtime, tests).
//! The outbox is a table written in the same transaction as the order;
//! [`crate::relay_outbox_once`] publishes and acknowledges its rows.

use crate::CONSUMER;
use crate::domain::{IdempotencyKey, OrderStatus};
use crate::ports::{Order, OrderStore, OrderView, Placed, Transition, Transitioned};
use crate::stored::{self, OrderFields, from_json, time, to_json};
use crate::timeline::TimelineEntry;
use events::{EventId, OrderId, OutgoingEvent};
use platform::sqlite::{CachedStatements, Db, mark_processed, processed_outcome};
use platform::{Commit, StoreError};
use rusqlite::{Connection, OptionalExtension, Row, params};

const SELECT_ORDERS_OUTBOX: &str = "SELECT id, event FROM orders_outbox ORDER BY id LIMIT ?1";
const DELETE_ORDERS_OUTBOX: &str = "DELETE FROM orders_outbox WHERE id = ?1";
const SELECT_ORDERS_IDEMPOTENCY_KEYS: &str =
    "SELECT order_id FROM orders_idempotency_keys WHERE idempotency_key = ?1";
const INSERT_ORDERS_IDEMPOTENCY_KEYS: &str =
    "INSERT INTO orders_idempotency_keys (idempotency_key, order_id) VALUES (?1, ?2)";
const INSERT_ORDERS_OUTBOX: &str = "INSERT INTO orders_outbox (event_id, event) VALUES (?1, ?2)";
const SELECT_ORDERS_TIMELINE: &str =
    "SELECT entry FROM orders_timeline WHERE order_id = ?1 ORDER BY sort_key";
const INSERT_ORDERS_TIMELINE: &str =
    "INSERT OR IGNORE INTO orders_timeline (order_id, event_id, sort_key, entry)
    VALUES (?1, ?2, ?3, ?4)";
const SELECT_ORDER_STATUS: &str = "SELECT status FROM orders WHERE order_id = ?1";
const UPDATE_ORDER_STATUS: &str =
    "UPDATE orders SET status = ?2, reason = ?3, updated_at = ?4 WHERE order_id = ?1";

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
-- A rowid table: entries are appended as they happen and only the small
-- key index is written at a random place (see platform's processed_events).
CREATE TABLE IF NOT EXISTS orders_timeline (
    order_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    entry TEXT NOT NULL,
    UNIQUE (order_id, event_id)
);
-- Which order each Idempotency-Key placed. A rowid table, like the
-- timeline: rows are appended and only the small key index is written at
-- a random place, while the order row, keyed by its time-ordered id, goes
-- at the end of its table.
CREATE TABLE IF NOT EXISTS orders_idempotency_keys (
    idempotency_key TEXT NOT NULL UNIQUE,
    order_id TEXT NOT NULL
);
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
            let mut stmt = tx.prepare_cached(SELECT_ORDERS_OUTBOX)?;
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
            let mut stmt = tx.prepare_cached(DELETE_ORDERS_OUTBOX)?;
            for id in ids {
                stmt.execute(params![id])?;
            }
            Ok(())
        })
    }
}

fn read_order(row: &Row<'_>) -> rusqlite::Result<OrderFields> {
    Ok(OrderFields {
        order_id: row.get(0)?,
        status: row.get(1)?,
        customer_id: row.get(2)?,
        lines: row.get(3)?,
        reason: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
        request_hash: row.get(7)?,
    })
}

fn load_order(tx: &Connection, order: OrderId) -> Result<Option<(Order, String)>, StoreError> {
    tx.query_row_cached(
        &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE order_id = ?1"),
        params![order.to_string()],
        read_order,
    )
    .optional()?
    .map(OrderFields::parse)
    .transpose()
}

/// The order an Idempotency-Key placed, with its request hash.
fn keyed_order(
    tx: &Connection,
    key: &IdempotencyKey,
) -> Result<Option<(Order, String)>, StoreError> {
    let order_id: Option<String> = tx
        .query_row_cached(SELECT_ORDERS_IDEMPOTENCY_KEYS, params![key.as_str()], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(order_id) = order_id else {
        return Ok(None);
    };
    let id = OrderId::parse(&order_id)
        .ok_or_else(|| stored::corrupt(format!("idempotency key {key}: order id {order_id:?}")))?;
    match load_order(tx, id)? {
        Some(found) => Ok(Some(found)),
        None => Err(stored::corrupt(format!(
            "idempotency key {key} names order {id}, which does not exist"
        ))),
    }
}

impl OrderStore for SqliteOrderStore {
    async fn place(
        &self,
        order: &Order,
        key: Option<&IdempotencyKey>,
        request_hash: &str,
        outbox: &OutgoingEvent,
    ) -> Result<Placed, StoreError> {
        // Durable: the caller answers 201 once this returns. One writer at
        // a time: the key is looked up and claimed in the same transaction.
        self.db
            .transaction_durable(|tx| {
                if let Some(key) = key {
                    if let Some((existing, hash)) = keyed_order(tx, key)? {
                        return Ok(Placed::Existing {
                            order: existing,
                            same_request: hash == request_hash,
                        });
                    }
                    tx.execute_cached(
                        INSERT_ORDERS_IDEMPOTENCY_KEYS,
                        params![key.as_str(), order.order_id.to_string()],
                    )?;
                }
                let f = OrderFields::of(order, request_hash)?;
                tx.execute_cached(
                &format!(
                    "INSERT INTO orders ({ORDER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                ),
                params![
                    f.order_id,
                    f.status,
                    f.customer_id,
                    f.lines,
                    f.reason,
                    f.created_at,
                    f.updated_at,
                    f.request_hash,
                ],
            )?;
                tx.execute_cached(
                    INSERT_ORDERS_OUTBOX,
                    params![outbox.event_id.to_string(), to_json(outbox)?],
                )?;
                Ok(Placed::Created)
            })
            .await
    }

    async fn get(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        // Durable: what a client is shown never rolls back after a crash.
        self.db
            .transaction_durable(|tx| {
                let Some((order_row, _)) = load_order(tx, order)? else {
                    return Ok(None);
                };
                let mut stmt = tx.prepare_cached(SELECT_ORDERS_TIMELINE)?;
                let timeline = stmt
                    .query_map(params![order.to_string()], |r| r.get::<_, String>(0))?
                    .map(|text| from_json(&text?))
                    .collect::<Result<_, StoreError>>()?;
                Ok(Some(OrderView {
                    order: order_row,
                    timeline,
                }))
            })
            .await
    }

    async fn processed(&self, event: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        self.db
            .transaction_async(|tx| processed_outcome(tx, CONSUMER, event))
            .await
    }

    async fn record_timeline(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
    ) -> Result<(), StoreError> {
        self.db
            .transaction_async(|tx| {
                tx.execute_cached(
                    INSERT_ORDERS_TIMELINE,
                    params![
                        order.to_string(),
                        entry.event_id.to_string(),
                        entry.sort_key(),
                        to_json(entry)?
                    ],
                )?;
                Ok(())
            })
            .await
    }

    async fn transition(&self, change: &Transition) -> Result<Commit<Transitioned>, StoreError> {
        let Transition {
            order, cause, at, ..
        } = *change;
        self.db
            .transaction_async(|tx| {
                if let Some(recorded) = processed_outcome(tx, CONSUMER, cause)? {
                    return Ok(Commit::AlreadyProcessed(recorded));
                }
                let status: Option<String> = tx
                    .query_row_cached(SELECT_ORDER_STATUS, params![order.to_string()], |r| {
                        r.get(0)
                    })
                    .optional()?;
                let Some(status) = status else {
                    return Ok(Commit::Done(Transitioned::UnknownOrder));
                };
                let status = stored::status(&status)?;
                if status != OrderStatus::Pending {
                    return Ok(Commit::Done(Transitioned::NotPending(status)));
                }
                tx.execute_cached(
                    UPDATE_ORDER_STATUS,
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
            .await
    }
}
