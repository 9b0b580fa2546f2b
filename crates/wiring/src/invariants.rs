//! The saga's invariants, checked against the stores after a run: every
//! order final, stock conserved, no cancelled order holding an authorized
//! payment, every confirmed order paid once, no event lost.
//!
//! It reads the services' SQLite tables directly: the check spans every
//! service, which no single service's port should.

use inventory::StockItem;
use platform::StoreError;
use platform::sqlite::Db;
use std::collections::BTreeMap;

const ORDERS_BY_STATUS: &str = "SELECT status, COUNT(*) FROM orders GROUP BY status";
const RESERVATIONS_HELD: &str =
    "SELECT COUNT(*) FROM inventory_reservations WHERE state = 'RESERVED'";
const CANCELLED_WITH_AUTHORIZED_PAYMENT: &str = "SELECT COUNT(*)
     FROM orders o JOIN payments p ON p.order_id = o.order_id
     WHERE o.status = 'CANCELLED' AND p.status = 'AUTHORIZED'";
const CONFIRMED_WITHOUT_PAYMENT: &str = "SELECT COUNT(*)
     FROM orders o LEFT JOIN payments p ON p.order_id = o.order_id
     WHERE o.status = 'CONFIRMED' AND (p.status IS NULL OR p.status != 'AUTHORIZED')";
const DEAD_LETTERS: &str =
    "SELECT queue, COUNT(*) FROM dlq_messages WHERE redriven_at IS NULL GROUP BY queue";
const RESERVATIONS: &str = "SELECT lines, state FROM inventory_reservations";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InvariantReport {
    pub orders_by_status: BTreeMap<String, i64>,
    /// Orders still PENDING.
    pub not_final: i64,
    /// SKUs whose available + reserved + shipped differs from the stock
    /// loaded, or whose counters disagree with the reservations.
    pub stock_violations: Vec<String>,
    /// Reservations still held although the saga settled.
    pub reservations_held: i64,
    pub cancelled_with_authorized_payment: i64,
    pub confirmed_without_payment: i64,
    /// Messages on consumed queues that nobody handled.
    pub undelivered: i64,
    /// Dead letters recorded by the DLQ service, by queue.
    pub dead_letters: BTreeMap<String, i64>,
}

impl InvariantReport {
    pub fn holds(&self) -> bool {
        self.not_final == 0
            && self.stock_violations.is_empty()
            && self.reservations_held == 0
            && self.cancelled_with_authorized_payment == 0
            && self.confirmed_without_payment == 0
            && self.undelivered == 0
    }
}

fn count(tx: &rusqlite::Connection, sql: &str) -> Result<i64, StoreError> {
    Ok(tx.query_row(sql, [], |r| r.get(0))?)
}

/// Checks the invariants of the stores in `db` against the stock that
/// was loaded (`initial`); `items` is the inventory now, `undelivered` the
/// messages left on the consumers' queues.
pub fn check(
    db: &Db,
    items: &[StockItem],
    undelivered: i64,
    initial: &[StockItem],
) -> Result<InvariantReport, StoreError> {
    let mut report = InvariantReport {
        undelivered,
        ..InvariantReport::default()
    };
    db.transaction(|tx| {
        let mut stmt = tx.prepare(ORDERS_BY_STATUS)?;
        report.orders_by_status = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        report.not_final = report.orders_by_status.get("PENDING").copied().unwrap_or(0);
        report.reservations_held = count(tx, RESERVATIONS_HELD)?;
        report.cancelled_with_authorized_payment = count(tx, CANCELLED_WITH_AUTHORIZED_PAYMENT)?;
        report.confirmed_without_payment = count(tx, CONFIRMED_WITHOUT_PAYMENT)?;
        let mut stmt = tx.prepare(DEAD_LETTERS)?;
        report.dead_letters = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        // The counters must agree with the reservations behind them.
        let held = held_by_state(tx)?;
        report.stock_violations = stock_violations(items, initial, &held);
        Ok::<_, StoreError>(())
    })?;
    Ok(report)
}

/// Units held per (SKU, reservation state), from the reservations.
fn held_by_state(tx: &rusqlite::Connection) -> Result<BTreeMap<(String, String), i64>, StoreError> {
    let mut held = BTreeMap::new();
    let mut stmt = tx.prepare(RESERVATIONS)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (lines, state) = row?;
        let lines: Vec<events::OrderLine> =
            serde_json::from_str(&lines).map_err(|e| StoreError::record("reservation lines", e))?;
        for line in lines {
            let units = i64::from(line.quantity.get());
            *held
                .entry((line.sku.to_string(), state.clone()))
                .or_default() += units;
        }
    }
    Ok(held)
}

/// SKUs whose stock differs from what was loaded, or whose counters
/// disagree with the reservations behind them.
fn stock_violations(
    items: &[StockItem],
    initial: &[StockItem],
    held: &BTreeMap<(String, String), i64>,
) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        let sku = item.sku.to_string();
        let loaded = initial
            .iter()
            .find(|i| i.sku == item.sku)
            .map_or(0, |i| i.available);
        let total = item.available + item.reserved + item.shipped;
        if total != loaded {
            out.push(format!("{sku}: {total} in stock, {loaded} loaded"));
        }
        let of = |state: &str| {
            held.get(&(sku.clone(), state.to_owned()))
                .copied()
                .unwrap_or(0)
        };
        let (reserved, shipped) = (of("RESERVED"), of("SHIPPED"));
        if i64::from(item.reserved) != reserved || i64::from(item.shipped) != shipped {
            let counters = format!("reserved={} shipped={}", item.reserved, item.shipped);
            out.push(format!(
                "{sku}: counters {counters} but reservations hold {reserved} and shipped {shipped}"
            ));
        }
    }
    out
}
