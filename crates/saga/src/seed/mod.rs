//! `saga seed`: a database of N settled orders in minutes, holding the rows
//! the saga itself writes. The real saga runs one order of each kind of
//! `saga demo`'s mix in memory ([`cohort`]); each seeded order is a copy
//! of the template order of its kind (`i % 6`, as the demo's), moved in
//! time, with its own order id (UUID v7 of its time) and every id derived
//! from it again by the services' own functions ([`ids`]), written in bulk
//! units without running a handler. Orders are spread at a steady rate
//! (`per_day`), the newest now: the archive's time and the reports'
//! windows see a history as long as N orders at that rate take.

mod cohort;
mod ids;
mod text;

use chrono::{DateTime, Duration, Utc};
use cohort::{Cell, Row, TemplateOrder};
use events::OrderId;
use inventory::StockItem;
use platform::sqlite::Db;
use runtime::{Runtime, Saga};
use rusqlite::types::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// One order of each kind of the demo's mix.
pub const KINDS: usize = 6;
/// Orders written per unit of the group commit.
const CHUNK: usize = 500;

#[derive(Debug, Clone)]
pub struct Plan {
    pub orders: usize,
    /// Orders per day of history.
    pub per_day: f64,
    /// When the newest order was placed.
    pub now: DateTime<Utc>,
}

impl Plan {
    /// When the `k`-th order (oldest first) was placed.
    fn placed_at(&self, k: usize) -> DateTime<Utc> {
        let spacing_ns = 86_400e9 / self.per_day;
        let back = (self.orders - 1 - k) as f64 * spacing_ns;
        self.now - Duration::nanoseconds(back as i64)
    }
}

/// What a seed wrote.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub rows: usize,
    /// The stock loaded before the orders, for the invariants.
    pub catalogue: Vec<StockItem>,
}

/// Writes `plan.orders` settled orders into `target` (a runtime without
/// workers on a fresh database), copied from a template run of `saga`.
pub async fn seed(saga: &Saga, target: &Runtime, plan: &Plan) -> anyhow::Result<Seeded> {
    anyhow::ensure!(
        plan.per_day > 0.0 && plan.per_day.is_finite(),
        "--per-day must be a positive number of orders"
    );
    let template = cohort::run(saga, KINDS).await?;
    let derivations: Vec<ids::Derivations> = template
        .iter()
        .map(|t| {
            let ids: Vec<&str> = t
                .rows
                .iter()
                .flat_map(|r| &r.cells)
                .filter_map(|c| match c {
                    Cell::Text(text) => Some(text.ids()),
                    Cell::Other(_) => None,
                })
                .flatten()
                .collect();
            ids::Derivations::find(t.order_id, &t.events, &ids)
        })
        .collect();
    let catalogue = crate::commands::demo::demo_catalogue(plan.orders)?;
    inventory::catalogue::load(&target.services.inventory, &catalogue).await?;
    let mut rows = 0;
    let mut shipped: BTreeMap<String, u64> = BTreeMap::new();
    for start in (0..plan.orders).step_by(CHUNK) {
        let end = (start + CHUNK).min(plan.orders);
        rows += target
            .services
            .db
            .transaction_async(|tx| {
                let mut rows = 0;
                for k in start..end {
                    let kind = k % template.len();
                    rows += write_copy(tx, &template[kind], &derivations[kind], plan.placed_at(k))?;
                }
                Ok::<_, anyhow::Error>(rows)
            })
            .await?;
        for k in start..end {
            for (sku, units) in &template[k % template.len()].shipped {
                *shipped.entry(sku.clone()).or_default() += u64::from(*units);
            }
        }
    }
    ship(&target.services.db, &shipped)?;
    Ok(Seeded { rows, catalogue })
}

/// The stock the seeded orders shipped leaves the shelves, as their
/// handlers would have moved it.
fn ship(db: &Db, shipped: &BTreeMap<String, u64>) -> anyhow::Result<()> {
    db.transaction(|tx| {
        let mut stmt = tx.prepare(
            "UPDATE inventory_items SET available = available - ?2, shipped = shipped + ?2 WHERE sku = ?1",
        )?;
        for (sku, units) in shipped {
            stmt.execute(rusqlite::params![sku, i64::try_from(*units).unwrap_or(i64::MAX)])?;
        }
        Ok::<_, anyhow::Error>(())
    })
}

fn order_id_at(at: DateTime<Utc>) -> anyhow::Result<OrderId> {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(at.timestamp())?,
        at.timestamp_subsec_nanos(),
    );
    OrderId::parse(&uuid::Uuid::new_v7(ts).to_string())
        .ok_or_else(|| anyhow::anyhow!("a UUID v7 is an order id"))
}

/// Writes one copy of `template` placed at `at` (to the second); returns
/// its rows.
fn write_copy(
    tx: &rusqlite::Connection,
    template: &TemplateOrder,
    derivations: &ids::Derivations,
    at: DateTime<Utc>,
) -> anyhow::Result<usize> {
    // Whole seconds: the archive's `time` is in whole seconds, and moves
    // with the rest only by a whole-second shift.
    let shift = Duration::seconds(
        ((at - template.created_at).num_milliseconds() as f64 / 1000.0).round() as i64,
    );
    let order = order_id_at(template.created_at + shift)?;
    let derived = derivations.copy(order);
    let fresh: RefCell<HashMap<String, String>> = RefCell::default();
    let id = |old: &str| {
        derived.get(old).cloned().unwrap_or_else(|| {
            fresh
                .borrow_mut()
                .entry(old.to_owned())
                .or_insert_with(|| ids::fresh(old, order, shift))
                .clone()
        })
    };
    let mut seqs: HashMap<i64, i64> = HashMap::new();
    for row in &template.rows {
        let mut columns = Vec::with_capacity(row.columns.len());
        let mut values = Vec::with_capacity(row.columns.len());
        for (column, cell) in row.columns.iter().zip(&row.cells) {
            let value = match (row.table, column.as_str(), cell) {
                // A new rowid, in the order the copies are written.
                ("bus_archive", "seq", _) => continue,
                ("queue_messages", "archive_seq", Cell::Other(Value::Integer(seq))) => {
                    Value::Integer(*seqs.get(seq).unwrap_or(seq))
                }
                ("queue_messages", "sent_at" | "visible_at", Cell::Other(Value::Integer(ms))) => {
                    Value::Integer(ms + shift.num_milliseconds())
                }
                (_, _, Cell::Text(text)) => Value::Text(text.render(id, shift)),
                (_, _, Cell::Other(value)) => value.clone(),
            };
            columns.push(column.as_str());
            values.push(value);
        }
        insert(tx, row, &columns, &values)?;
        if row.table == "bus_archive"
            && let Some(Cell::Other(Value::Integer(old))) = row.get("seq")
        {
            seqs.insert(*old, tx.last_insert_rowid());
        }
    }
    Ok(template.rows.len())
}

fn insert(
    tx: &rusqlite::Connection,
    row: &Row,
    columns: &[&str],
    values: &[Value],
) -> rusqlite::Result<()> {
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        row.table,
        columns.join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}
