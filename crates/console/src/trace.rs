//! An order's story from the archive: each of its events once, in the
//! order the bus archived them, who sent it and where the bus took it.
//! `saga trace` prints it (a timeline and a Mermaid sequence diagram); the
//! console draws it.

use emulator::{BusError, LocalBus, ReplayFilter};
use runtime::Saga as Wiring;
use serde::Serialize;
use std::collections::BTreeSet;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TraceError {
    #[error("{0} is not an order id (a UUID, as POST /orders returns)")]
    NotAnOrderId(String),
    #[error(transparent)]
    Store(#[from] platform::StoreError),
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// One event of the order, and where the bus sent it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// `detail.metadata.occurredAt`, as the producer stamped it.
    pub at: String,
    /// The producing service (`shop.inventory` is `inventory`).
    pub from: String,
    pub detail_type: String,
    pub event_id: String,
    /// The functions consuming the queues the event reached, or
    /// `Queue (Rule)` for a queue no function consumes; empty when no rule
    /// matched.
    pub to: Vec<String>,
    /// The event as archived.
    pub event: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    pub order_id: String,
    pub steps: Vec<Step>,
}

/// `shop.inventory` → `inventory`.
pub fn service(source: &str) -> &str {
    source.strip_prefix("shop.").unwrap_or(source)
}

/// The functions consuming a queue, named like their service where
/// possible (`InventoryFunction` → `inventory`).
pub fn consumers_of(wiring: &Wiring, queue: &str) -> Vec<String> {
    wiring
        .wiring
        .consumers
        .iter()
        .filter(|c| c.queue == queue)
        .map(|c| {
            c.function
                .trim_end_matches("Function")
                .trim_end_matches("Consumer")
                .to_lowercase()
        })
        .collect()
}

/// The order's events from the archive (none if it has none there).
pub fn order_trace(bus: &LocalBus, wiring: &Wiring, order_id: &str) -> Result<Trace, TraceError> {
    if events::OrderId::parse(order_id).is_none() {
        return Err(TraceError::NotAnOrderId(order_id.to_owned()));
    }
    let archived = bus.archived(&ReplayFilter::default(), Some(order_id))?;
    let mut seen = BTreeSet::new();
    let mut steps = Vec::new();
    for a in archived {
        let e = &a.event;
        let id = e["detail"]["metadata"]["eventId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // A re-published outcome keeps its id: show it once.
        if !seen.insert(id.clone()) {
            continue;
        }
        let mut to = Vec::new();
        for (rule, queue) in bus.routes_for(e)? {
            let consumers = consumers_of(wiring, queue);
            if consumers.is_empty() {
                to.push(format!("{queue} ({rule})"));
            }
            to.extend(consumers);
        }
        steps.push(Step {
            at: e["detail"]["metadata"]["occurredAt"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            from: service(e["source"].as_str().unwrap_or_default()).to_owned(),
            detail_type: e["detail-type"].as_str().unwrap_or_default().to_owned(),
            event_id: id,
            to,
            event: a.event,
        });
    }
    Ok(Trace {
        order_id: order_id.to_owned(),
        steps,
    })
}

impl Trace {
    /// A Mermaid sequence diagram of who sent what to whom.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("sequenceDiagram\n");
        for step in &self.steps {
            if step.to.is_empty() {
                out.push_str(&format!(
                    "    {}->>bus: {} (no rule matched)\n",
                    step.from, step.detail_type
                ));
            }
            for target in &step.to {
                let target = target.replace([' ', '(', ')'], "_");
                out.push_str(&format!(
                    "    {}->>{target}: {}\n",
                    step.from, step.detail_type
                ));
            }
        }
        out
    }
}
