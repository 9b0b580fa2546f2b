//! The saga's invariants, checked against the stores after a run: every
//! order final, stock conserved, no cancelled order holding an authorized
//! payment, every confirmed order paid once, no event lost.
//!
//! It reads the services' SQLite tables directly: the check spans every
//! service, which no single service's port should.

use crate::Runtime;
use inventory::StockItem;
use platform::StoreError;
use std::collections::BTreeMap;

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

/// Checks the invariants against the stock that was loaded (`initial`).
pub async fn check(
    runtime: &Runtime,
    initial: &[StockItem],
) -> Result<InvariantReport, StoreError> {
    let mut report = InvariantReport::default();
    let depths = runtime.queues.depths()?;
    report.undelivered = runtime
        .wiring
        .consumers
        .iter()
        .map(|c| depths.get(&c.queue).copied().unwrap_or(0))
        .sum();
    let items = runtime.services.inventory.all_items()?;
    runtime.services.db.transaction(|tx| {
        let mut stmt = tx.prepare("SELECT status, COUNT(*) FROM orders GROUP BY status")?;
        report.orders_by_status = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        report.not_final = report.orders_by_status.get("PENDING").copied().unwrap_or(0);
        report.reservations_held = count(tx, "SELECT COUNT(*) FROM inventory_reservations WHERE state = 'RESERVED'")?;
        report.cancelled_with_authorized_payment = count(
            tx,
            "SELECT COUNT(*) FROM orders o JOIN payments p ON p.order_id = o.order_id
             WHERE o.status = 'CANCELLED' AND p.status = 'AUTHORIZED'",
        )?;
        report.confirmed_without_payment = count(
            tx,
            "SELECT COUNT(*) FROM orders o LEFT JOIN payments p ON p.order_id = o.order_id
             WHERE o.status = 'CONFIRMED' AND (p.status IS NULL OR p.status != 'AUTHORIZED')",
        )?;
        let mut stmt = tx.prepare("SELECT queue, COUNT(*) FROM dlq_messages WHERE redriven_at IS NULL GROUP BY queue")?;
        report.dead_letters = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        // The counters must agree with the reservations behind them.
        let mut held: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut stmt = tx.prepare("SELECT lines, state FROM inventory_reservations")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (lines, state) = row?;
            let lines: Vec<events::OrderLine> =
                serde_json::from_str(&lines).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            for line in lines {
                *held.entry((line.sku.to_string(), state.clone())).or_default() += i64::from(line.quantity.get());
            }
        }
        for item in &items {
            let sku = item.sku.to_string();
            let loaded = initial.iter().find(|i| i.sku == item.sku).map_or(0, |i| i.available);
            let total = item.available + item.reserved + item.shipped;
            if total != loaded {
                report.stock_violations.push(format!("{sku}: {total} in stock, {loaded} loaded"));
            }
            let of = |state: &str| held.get(&(sku.clone(), state.to_owned())).copied().unwrap_or(0);
            if i64::from(item.reserved) != of("RESERVED") || i64::from(item.shipped) != of("SHIPPED") {
                report.stock_violations.push(format!(
                    "{sku}: counters reserved={} shipped={} but reservations hold {} and shipped {}",
                    item.reserved,
                    item.shipped,
                    of("RESERVED"),
                    of("SHIPPED")
                ));
            }
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(report)
}
