//! [`InventoryStore`] over the local runtime's SQLite database. Each method
//! is one transaction, so a reservation, its stock counters and its
//! idempotency record commit together.

use crate::CONSUMER;
use crate::StockItem;
use crate::ports::{InventoryStore, Reservation, ReservationState, Reserve, Settle};
use events::{Currency, EventId, Money, OrderId, OrderLine, OutgoingEvent, Sku};
use platform::sqlite::{CachedStatements, Db, mark_processed, processed_outcome};
use platform::{Commit, StoreError};
use rusqlite::{Connection, OptionalExtension, params};

const SELECT_INVENTORY_ITEMS: &str =
    "SELECT sku, name, price_minor, currency, available, reserved, shipped FROM inventory_items";
const SELECT_INVENTORY_RESERVATIONS: &str =
    "SELECT lines, state FROM inventory_reservations WHERE order_id = ?1";
const UPDATE_INVENTORY_ITEMS: &str =
    "UPDATE inventory_items SET available = available - ?1, reserved = reserved + ?1
    WHERE sku = ?2 AND available >= ?1";
const INSERT_INVENTORY_RESERVATIONS: &str =
    "INSERT INTO inventory_reservations (order_id, lines, state) VALUES (?1, ?2, 'RESERVED')";
const UPDATE_INVENTORY_RESERVATIONS: &str =
    "UPDATE inventory_reservations SET state = ?1 WHERE order_id = ?2";
const INSERT_INVENTORY_ITEMS: &str =
    "INSERT INTO inventory_items (sku, name, price_minor, currency, available, reserved, shipped)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
    ON CONFLICT (sku) DO UPDATE SET name = ?2, price_minor = ?3, currency = ?4,
    available = ?5, reserved = ?6, shipped = ?7";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS inventory_items (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    available INTEGER NOT NULL CHECK (available >= 0),
    reserved INTEGER NOT NULL CHECK (reserved >= 0),
    shipped INTEGER NOT NULL CHECK (shipped >= 0)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inventory_reservations (
    order_id TEXT PRIMARY KEY,
    lines TEXT NOT NULL,
    state TEXT NOT NULL
) WITHOUT ROWID;
";

#[derive(Clone)]
pub struct SqliteInventoryStore {
    db: Db,
}

impl SqliteInventoryStore {
    pub fn new(db: Db) -> Result<Self, StoreError> {
        db.migrate(SCHEMA)?;
        Ok(Self { db })
    }

    /// Every catalogue entry, for reports and invariant checks.
    pub fn all_items(&self) -> Result<Vec<StockItem>, StoreError> {
        self.db.transaction(|tx| {
            let mut stmt = tx.prepare_cached(&format!("{SELECT_ITEM} ORDER BY sku"))?;
            let rows = stmt
                .query_map([], raw_item)?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(to_item).collect()
        })
    }
}

const SELECT_ITEM: &str = SELECT_INVENTORY_ITEMS;

type RawItem = (String, String, i64, String, u32, u32, u32);

fn raw_item(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawItem> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn to_item(
    (sku, name, price, currency, available, reserved, shipped): RawItem,
) -> Result<StockItem, StoreError> {
    let corrupt =
        |e: events::ValidationError| StoreError::Corrupt(format!("inventory item {sku}: {e}"));
    Ok(StockItem {
        sku: Sku::parse(sku.clone()).map_err(corrupt)?,
        name,
        unit_price: Money::new(price, Currency::parse(currency).map_err(corrupt)?),
        available,
        reserved,
        shipped,
    })
}

fn load_reservation(tx: &Connection, order: OrderId) -> Result<Option<Reservation>, StoreError> {
    let row: Option<(String, String)> = tx
        .query_row_cached(
            SELECT_INVENTORY_RESERVATIONS,
            params![order.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(lines, state)| {
        Ok(Reservation {
            order_id: order,
            lines: serde_json::from_str(&lines)
                .map_err(|e| StoreError::Corrupt(format!("reservation {order}: {e}")))?,
            state: ReservationState::parse(&state).ok_or_else(|| {
                StoreError::Corrupt(format!("reservation {order}: state {state}"))
            })?,
        })
    })
    .transpose()
}

/// Aborts a transaction, carrying either a decision or a failure.
enum Rollback {
    Decision(Reserve),
    Store(StoreError),
}

impl From<rusqlite::Error> for Rollback {
    fn from(e: rusqlite::Error) -> Self {
        Rollback::Store(e.into())
    }
}

impl From<StoreError> for Rollback {
    fn from(e: StoreError) -> Self {
        Rollback::Store(e)
    }
}

/// Moves each line's quantity from counter `from` to counter `to`.
fn move_stock(
    tx: &Connection,
    lines: &[OrderLine],
    from: &str,
    to: &str,
) -> Result<(), StoreError> {
    let sql =
        format!("UPDATE inventory_items SET {from} = {from} - ?1, {to} = {to} + ?1 WHERE sku = ?2");
    for line in lines {
        tx.execute_cached(&sql, params![line.quantity.get(), line.sku.as_str()])?;
    }
    Ok(())
}

impl InventoryStore for SqliteInventoryStore {
    async fn processed(&self, event: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        self.db
            .transaction_async(|tx| processed_outcome(tx, CONSUMER, event))
            .await
    }

    async fn items(&self, skus: &[Sku]) -> Result<Vec<StockItem>, StoreError> {
        self.db
            .transaction_async(|tx| {
                let mut stmt = tx.prepare_cached(&format!("{SELECT_ITEM} WHERE sku = ?1"))?;
                let mut items = Vec::with_capacity(skus.len());
                for sku in skus {
                    if let Some(raw) = stmt.query_row(params![sku.as_str()], raw_item).optional()? {
                        items.push(to_item(raw)?);
                    }
                }
                Ok(items)
            })
            .await
    }

    async fn reservation(&self, order: OrderId) -> Result<Option<Reservation>, StoreError> {
        self.db
            .transaction_async(|tx| load_reservation(tx, order))
            .await
    }

    async fn reserve(
        &self,
        order: OrderId,
        lines: &[OrderLine],
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Reserve, StoreError> {
        let result = self
            .db
            .transaction_async(|tx| {
                if let Some(recorded) = processed_outcome(tx, CONSUMER, cause)? {
                    return Err(Rollback::Decision(Reserve::AlreadyProcessed(recorded)));
                }
                for line in lines {
                    let changed = tx.execute_cached(
                        UPDATE_INVENTORY_ITEMS,
                        params![line.quantity.get(), line.sku.as_str()],
                    )?;
                    if changed == 0 {
                        // Returning Err rolls the transaction back: no line is
                        // reserved unless all are.
                        return Err(Rollback::Decision(Reserve::Insufficient(line.sku.clone())));
                    }
                }
                let lines_json = serde_json::to_string(lines)
                    .map_err(|e| StoreError::record("a reservation's lines", e))?;
                tx.execute_cached(
                    INSERT_INVENTORY_RESERVATIONS,
                    params![order.to_string(), lines_json],
                )?;
                mark_processed(tx, CONSUMER, cause, outcome)?;
                Ok(())
            })
            .await;
        match result {
            Ok(()) => Ok(Reserve::Done),
            Err(Rollback::Decision(d)) => Ok(d),
            Err(Rollback::Store(e)) => Err(e),
        }
    }

    async fn settle(
        &self,
        order: OrderId,
        to: ReservationState,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Settle, StoreError> {
        self.db
            .transaction_async(|tx| {
                if let Some(recorded) = processed_outcome(tx, CONSUMER, cause)? {
                    return Ok(Settle::AlreadyProcessed(recorded));
                }
                let Some(reservation) = load_reservation(tx, order)? else {
                    return Ok(Settle::NotReserved(None));
                };
                if reservation.state != ReservationState::Reserved {
                    return Ok(Settle::NotReserved(Some(reservation.state)));
                }
                let target = match to {
                    ReservationState::Shipped => "shipped",
                    _ => "available",
                };
                move_stock(tx, &reservation.lines, "reserved", target)?;
                tx.execute_cached(
                    UPDATE_INVENTORY_RESERVATIONS,
                    params![to.as_str(), order.to_string()],
                )?;
                mark_processed(tx, CONSUMER, cause, outcome)?;
                Ok(Settle::Done)
            })
            .await
    }

    async fn record(
        &self,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        self.db
            .transaction_async(|tx| {
                if let Some(recorded) = processed_outcome(tx, CONSUMER, cause)? {
                    return Ok(Commit::AlreadyProcessed(recorded));
                }
                mark_processed(tx, CONSUMER, cause, outcome)?;
                Ok(Commit::Done(()))
            })
            .await
    }

    async fn put_item(&self, item: &StockItem) -> Result<(), StoreError> {
        self.db
            .transaction_async(|tx| {
                tx.execute_cached(
                    INSERT_INVENTORY_ITEMS,
                    params![
                        item.sku.as_str(),
                        item.name,
                        item.unit_price.minor,
                        item.unit_price.currency.as_str(),
                        item.available,
                        item.reserved,
                        item.shipped
                    ],
                )?;
                Ok(())
            })
            .await
    }
}
