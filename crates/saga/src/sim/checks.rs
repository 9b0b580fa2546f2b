//! What must hold after a seed settles, beyond the runtime's own
//! invariants: each order took a path it may take, no order was charged
//! twice or ended twice, no order was lost or duplicated, and every
//! message either was handled or sits in a DLQ (the poison always does).

use super::plan::{Plan, SagaPath};
use dlq::DlqStore;
use emulator::ReplayFilter;
use platform::StoreError;
use runtime::Runtime;
use std::collections::{BTreeMap, BTreeSet};

const STORED_ORDERS: &str = "SELECT order_id, status, reason FROM orders";
const LEFTOVERS: &str = "SELECT queue, receive_count, visible_at - ?1, last_error
     FROM queue_messages ORDER BY queue, visible_at";

/// An order as stored: status and cancellation reason code.
pub struct StoredOrder {
    pub status: String,
    pub reason_code: Option<String>,
}

pub fn stored_orders(runtime: &Runtime) -> Result<BTreeMap<String, StoredOrder>, StoreError> {
    runtime.services.db.transaction(|tx| {
        let mut stmt = tx.prepare(STORED_ORDERS)?;
        let rows = stmt.query_map([], |r| {
            let reason: Option<String> = r.get(2)?;
            let code = reason
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .and_then(|v| v["code"].as_str().map(str::to_owned));
            Ok((
                r.get::<_, String>(0)?,
                StoredOrder {
                    status: r.get(1)?,
                    reason_code: code,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

/// Distinct event ids of each detail type, per order, from the archive.
fn archived_ids(
    runtime: &Runtime,
) -> Result<BTreeMap<(String, String), BTreeSet<String>>, StoreError> {
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for a in runtime.bus.archived(&ReplayFilter::default(), None)? {
        let detail = &a.event["detail"];
        let order = detail["metadata"]["correlationId"]
            .as_str()
            .unwrap_or_default();
        let id = detail["metadata"]["eventId"].as_str().unwrap_or_default();
        let kind = a.event["detail-type"].as_str().unwrap_or_default();
        out.entry((order.to_owned(), kind.to_owned()))
            .or_default()
            .insert(id.to_owned());
    }
    Ok(out)
}

/// What is still queued, with when each message is due and why it failed.
fn leftovers(runtime: &Runtime) -> Result<String, StoreError> {
    let now = chrono::Utc::now().timestamp_millis();
    runtime.services.db.transaction(|tx| {
        let mut stmt = tx.prepare(LEFTOVERS)?;
        let rows = stmt.query_map([now], |r| {
            Ok(format!(
                "[{} receives={} due_in_ms={} error={:?}]",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?
            ))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?.join(" "))
    })
}

/// The id the simulator places the order with this key under.
pub fn order_id(key: &str) -> events::OrderId {
    events::OrderId::for_idempotency_key(key)
}

/// Checks a settled seed; returns what is wrong, and each order's path.
pub async fn check(
    runtime: &Runtime,
    plan: &Plan,
    idle: bool,
) -> Result<(Vec<String>, Vec<SagaPath>), StoreError> {
    let mut wrong = Vec::new();
    if !idle {
        wrong.push(format!(
            "the saga did not settle; left on the queues: {}",
            leftovers(runtime)?
        ));
    }
    let report = runtime.invariants(&plan.catalogue)?;
    if !report.holds() {
        wrong.push(format!("runtime invariants violated: {report:?}"));
    }
    let stored = stored_orders(runtime)?;
    if stored.len() != plan.orders.len() {
        wrong.push(format!(
            "{} orders placed, {} stored",
            plan.orders.len(),
            stored.len()
        ));
    }
    let archive = archived_ids(runtime)?;
    let ids = |order: &str, kind: &str| {
        archive
            .get(&(order.to_owned(), kind.to_owned()))
            .map_or(0, BTreeSet::len)
    };
    let mut paths = Vec::new();
    for (i, planned) in plan.orders.iter().enumerate() {
        let id = order_id(&planned.key).to_string();
        let Some(order) = stored.get(&id) else {
            wrong.push(format!("order {i} ({id}) was accepted but is not stored"));
            continue;
        };
        match SagaPath::of(&order.status, order.reason_code.as_deref()) {
            Some(path) if planned.expect.contains(&path) => paths.push(path),
            other => wrong.push(format!(
                "order {i} ({id}) ended {} {:?} ({other:?}), expected one of {:?}",
                order.status, order.reason_code, planned.expect
            )),
        }
        for kind in [
            "Payment Authorized",
            "Payment Refunded",
            "Order Confirmed",
            "Order Cancelled",
        ] {
            if ids(&id, kind) > 1 {
                wrong.push(format!(
                    "order {i} ({id}): {} distinct {kind} events",
                    ids(&id, kind)
                ));
            }
        }
        if ids(&id, "Order Confirmed") + ids(&id, "Order Cancelled") != 1 {
            wrong.push(format!("order {i} ({id}) has not exactly one final event"));
        }
        if ids(&id, "Payment Authorized") + ids(&id, "Payment Failed") > 1 {
            wrong.push(format!("order {i} ({id}) was both charged and declined"));
        }
        if order.status == "CANCELLED"
            && ids(&id, "Payment Authorized") != ids(&id, "Payment Refunded")
        {
            wrong.push(format!(
                "cancelled order {i} ({id}) was charged and not refunded"
            ));
        }
    }
    let letters = runtime.services.dead_letters.pending(None).await?;
    let dlq_of = runtime
        .queues
        .spec(&plan.poison.queue)
        .and_then(|q| q.redrive.as_ref())
        .map(|r| r.dead_letter_queue.clone())
        .unwrap_or_default();
    let poisoned = letters
        .iter()
        .filter(|l| l.body == plan.poison.body && l.queue == dlq_of)
        .count();
    if poisoned != 1 {
        wrong.push(format!(
            "the poison message sent to {} is {poisoned} times in {dlq_of}, not once",
            plan.poison.queue
        ));
    }
    for letter in letters.iter().filter(|l| l.body != plan.poison.body) {
        wrong.push(format!(
            "a saga event was dead-lettered in {} ({:?}): {}",
            letter.queue, letter.error, letter.body
        ));
    }
    Ok((wrong, paths))
}
