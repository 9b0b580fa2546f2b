//! Figures about a run, read from the stores and the archive: orders by
//! status, outcomes by reason, latency from placement to final state.

use crate::Runtime;
use chrono::{DateTime, Utc};
use platform::StoreError;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

const ORDERS_BY_STATUS: &str = "SELECT status, COUNT(*) FROM orders GROUP BY status";
/// The events that open and close an order's saga, in archive order.
const OUTCOME_EVENTS: &str = "SELECT detail_type, event FROM bus_archive
     WHERE detail_type IN ('Order Placed', 'Order Confirmed', 'Order Cancelled')
     ORDER BY seq";

/// Orders per status (`PENDING`, `CONFIRMED`, `CANCELLED`).
pub fn orders_by_status(runtime: &Runtime) -> Result<BTreeMap<String, i64>, StoreError> {
    runtime.services.db.transaction(|tx| {
        let mut stmt = tx.prepare_cached(ORDERS_BY_STATUS)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
}

#[derive(Debug, Default, Clone)]
pub struct Outcomes {
    pub confirmed: i64,
    /// Cancellations by reason code.
    pub cancelled: BTreeMap<String, i64>,
    /// Placement to final state, one per final order, sorted.
    pub latencies: Vec<Duration>,
}

impl Outcomes {
    /// The `q`-quantile (0..=1) of the latencies, nearest rank.
    pub fn latency(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank =
            ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1]
    }
}

fn occurred_at(event: &serde_json::Value) -> Option<DateTime<Utc>> {
    let text = event["detail"]["metadata"]["occurredAt"].as_str()?;
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Final outcomes and latencies from the archive. An event re-published
/// after a duplicate delivery keeps its id and time, so the first copy of
/// each order's events counts.
pub fn outcomes(runtime: &Runtime) -> Result<Outcomes, StoreError> {
    let rows: Vec<(String, String)> = runtime.services.db.transaction(|tx| {
        let mut stmt = tx.prepare_cached(OUTCOME_EVENTS)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok::<_, StoreError>(rows.collect::<Result<_, _>>()?)
    })?;
    let mut placed: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut finals: HashMap<String, (DateTime<Utc>, Option<String>)> = HashMap::new();
    for (detail_type, text) in rows {
        let event: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| StoreError::record("archived event", e))?;
        let order = event["detail"]["metadata"]["correlationId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let Some(at) = occurred_at(&event) else {
            continue;
        };
        if detail_type == "Order Placed" {
            placed.entry(order).or_insert(at);
        } else {
            let reason = event["detail"]["data"]["reason"]["code"]
                .as_str()
                .map(str::to_owned);
            finals.entry(order).or_insert((at, reason));
        }
    }
    let mut out = Outcomes::default();
    for (order, (at, reason)) in &finals {
        match reason {
            Some(code) => *out.cancelled.entry(code.clone()).or_default() += 1,
            None => out.confirmed += 1,
        }
        if let Some(start) = placed.get(order) {
            out.latencies
                .push((*at - *start).to_std().unwrap_or_default());
        }
    }
    out.latencies.sort();
    Ok(out)
}
