//! The template run: the real saga (the template's wiring, the services'
//! handlers, the emulator) places one order of each kind of the demo's
//! mix in memory and settles; every row it wrote is then read back and
//! assigned to the order it belongs to. A row the seeder cannot assign,
//! or a table it does not know, is an error: a seeded database must hold
//! every row the saga writes, nothing less.

use super::text::Text;
use anyhow::Context;
use runtime::{Options, Runtime, Saga};
use rusqlite::types::Value;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Tables whose rows belong to one order, and how each is read: the
/// order's rows, in the order they were written.
const BY_ORDER: &[(&str, &str)] = &[
    ("orders", "SELECT * FROM orders WHERE order_id = ?1"),
    (
        "orders_timeline",
        "SELECT * FROM orders_timeline WHERE order_id = ?1 ORDER BY rowid",
    ),
    (
        "orders_idempotency_keys",
        "SELECT * FROM orders_idempotency_keys WHERE order_id = ?1",
    ),
    (
        "inventory_reservations",
        "SELECT * FROM inventory_reservations WHERE order_id = ?1",
    ),
    ("payments", "SELECT * FROM payments WHERE order_id = ?1"),
    ("shipments", "SELECT * FROM shipments WHERE order_id = ?1"),
];
const ARCHIVE: &str = "SELECT * FROM bus_archive WHERE correlation_id = ?1 ORDER BY seq";
const PROCESSED: &str = "SELECT * FROM processed_events WHERE event_id = ?1 ORDER BY rowid";
const QUEUED: &str = "SELECT * FROM queue_messages WHERE archive_seq = ?1 ORDER BY sent_at";
const ORDERS: &str = "SELECT order_id FROM orders ORDER BY created_at";
const TABLES: &str =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
/// Tables the seeder writes itself (the stock, the database's origin), or
/// that a settled saga leaves empty (checked).
const OWN: &[&str] = &["inventory_items", "saga_origin"];
const EMPTY_WHEN_SETTLED: &[&str] = &["orders_outbox", "dlq_messages"];

/// A column's value in the template run: text is cut into what a copy
/// changes and what it keeps.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(Text),
    Other(Value),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub table: &'static str,
    pub columns: Vec<String>,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn get(&self, column: &str) -> Option<&Cell> {
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|i| &self.cells[i])
    }
}

/// One order of the template run and every row it wrote.
#[derive(Debug, Clone)]
pub struct TemplateOrder {
    pub order_id: events::OrderId,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub rows: Vec<Row>,
    /// The archived events as (event id, causation id, detail type).
    pub events: Vec<(String, String, String)>,
    /// Units of each SKU this order shipped.
    pub shipped: BTreeMap<String, u32>,
}

fn read(
    tx: &rusqlite::Connection,
    table: &'static str,
    sql: &str,
    param: &dyn rusqlite::ToSql,
) -> rusqlite::Result<Vec<(Row, Vec<Value>)>> {
    let mut stmt = tx.prepare(sql)?;
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let rows = stmt.query_map([param], |r| {
        (0..columns.len())
            .map(|i| r.get::<_, Value>(i))
            .collect::<rusqlite::Result<Vec<Value>>>()
    })?;
    rows.map(|values| {
        let values = values?;
        let cells = values
            .iter()
            .map(|v| match v {
                Value::Text(t) => Cell::Text(Text::parse(t)),
                other => Cell::Other(other.clone()),
            })
            .collect();
        Ok((
            Row {
                table,
                columns: columns.clone(),
                cells,
            },
            values,
        ))
    })
    .collect()
}

fn column<'a>(row: &'a (Row, Vec<Value>), name: &str) -> Option<&'a Value> {
    row.0
        .columns
        .iter()
        .position(|c| c == name)
        .map(|i| &row.1[i])
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

/// Runs the saga on `orders` orders of the demo's mix, in memory, and
/// returns each with its rows.
pub async fn run(saga: &Saga, orders: usize) -> anyhow::Result<Vec<TemplateOrder>> {
    let runtime = Arc::new(Runtime::start(saga.clone(), Options::default()).await?);
    let catalogue = crate::commands::demo::demo_catalogue(orders)?;
    inventory::catalogue::load(&runtime.services.inventory, &catalogue).await?;
    for i in 0..orders {
        let body = crate::commands::demo::order_body(i).to_string();
        let key = uuid::Uuid::new_v4().to_string();
        let response = orders::place_order(
            &runtime.services.orders,
            body.as_bytes(),
            Some(&key),
            chrono::Utc::now(),
        )
        .await;
        anyhow::ensure!(
            response.status < 300,
            "template order {i}: {}",
            response.body
        );
        runtime.order_placed();
    }
    anyhow::ensure!(
        runtime.wait_idle(Duration::from_secs(60)).await,
        "the template run did not settle"
    );
    let report = runtime.invariants(&catalogue)?;
    anyhow::ensure!(
        report.holds(),
        "the template run broke an invariant: {report:?}"
    );
    let captured = capture(&runtime)?;
    Arc::try_unwrap(runtime)
        .map_err(|_| anyhow::anyhow!("the template runtime is still shared"))?
        .shutdown()
        .await;
    Ok(captured)
}

fn capture(runtime: &Runtime) -> anyhow::Result<Vec<TemplateOrder>> {
    runtime.services.db.transaction(|tx| {
        let ids: Vec<String> = tx
            .prepare(ORDERS)?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut claimed: BTreeMap<&str, usize> = BTreeMap::new();
        let mut out = Vec::new();
        for id in &ids {
            let mut rows = Vec::new();
            for (table, sql) in BY_ORDER {
                rows.extend(read(tx, table, sql, id)?);
            }
            let archived = read(tx, "bus_archive", ARCHIVE, id)?;
            let mut events = Vec::new();
            let mut processed = Vec::new();
            let mut queued = Vec::new();
            for row in &archived {
                let event: serde_json::Value = serde_json::from_str(&text(column(row, "event")))?;
                let meta = &event["detail"]["metadata"];
                let event_id = meta["eventId"].as_str().unwrap_or_default().to_owned();
                let this = (
                    event_id.clone(),
                    meta["causationId"].as_str().unwrap_or_default().to_owned(),
                    event["detail-type"].as_str().unwrap_or_default().to_owned(),
                );
                // An event archived twice (a re-published outcome) was
                // still handled once per consumer.
                if !events.iter().any(|(id, _, _)| *id == event_id) {
                    processed.extend(read(tx, "processed_events", PROCESSED, &event_id)?);
                }
                events.push(this);
                if let Some(seq) = column(row, "seq") {
                    queued.extend(read(tx, "queue_messages", QUEUED, seq)?);
                }
            }
            rows.extend(archived);
            rows.extend(processed);
            rows.extend(queued);
            for row in &rows {
                *claimed.entry(row.0.table).or_default() += 1;
            }
            let shipped = shipped_units(&rows)?;
            let created: String = tx.query_row(
                "SELECT created_at FROM orders WHERE order_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            out.push(TemplateOrder {
                order_id: events::OrderId::parse(id).context("a template order id")?,
                created_at: chrono::DateTime::parse_from_rfc3339(&created)?.to_utc(),
                rows: rows.into_iter().map(|(row, _)| row).collect(),
                events,
                shipped,
            });
        }
        check_every_row_claimed(tx, &claimed)?;
        Ok(out)
    })
}

/// Units shipped per SKU by one order (its reservation, if SHIPPED).
fn shipped_units(rows: &[(Row, Vec<Value>)]) -> anyhow::Result<BTreeMap<String, u32>> {
    let mut out = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r.0.table == "inventory_reservations")
    {
        if text(column(row, "state")) != "SHIPPED" {
            continue;
        }
        let lines: Vec<events::OrderLine> = serde_json::from_str(&text(column(row, "lines")))?;
        for line in lines {
            *out.entry(line.sku.to_string()).or_default() += line.quantity.get();
        }
    }
    Ok(out)
}

fn check_every_row_claimed(
    tx: &rusqlite::Connection,
    claimed: &BTreeMap<&str, usize>,
) -> anyhow::Result<()> {
    let tables: Vec<String> = tx
        .prepare(TABLES)?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let known: HashSet<&str> = BY_ORDER
        .iter()
        .map(|(t, _)| *t)
        .chain(["bus_archive", "processed_events", "queue_messages"])
        .chain(OWN.iter().copied())
        .chain(EMPTY_WHEN_SETTLED.iter().copied())
        .collect();
    for table in &tables {
        anyhow::ensure!(
            known.contains(table.as_str()),
            "the seeder does not know table {table}: it cannot reproduce its rows"
        );
        if OWN.contains(&table.as_str()) {
            continue;
        }
        let count: i64 = tx.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })?;
        let mine = claimed.get(table.as_str()).copied().unwrap_or(0);
        anyhow::ensure!(
            usize::try_from(count).is_ok_and(|c| c == mine),
            "table {table}: the template run wrote {count} rows, {mine} of which belong to an order; the seeder would not reproduce the others"
        );
    }
    Ok(())
}
