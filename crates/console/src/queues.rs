//! Every queue of the template with its depth, messages in flight and
//! dead letters: what the SQS console's queue list shows.

use dlq::DlqStore;
use emulator::Queues;
use runtime::Saga as Wiring;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueStats {
    pub name: String,
    /// Messages a receive would return now.
    pub visible: i64,
    /// Received and not yet deleted nor visible again.
    pub in_flight: i64,
    /// Sent with a delay, or waiting for a retry's backoff.
    pub delayed: i64,
    /// The queue its failures move to, after `max_receive_count` receives.
    pub dead_letter_queue: Option<String>,
    pub max_receive_count: Option<u32>,
    /// Whether some queue redrives to this one.
    pub is_dead_letter_queue: bool,
    /// For a DLQ: its messages plus the letters recorded from it and not
    /// redriven. For another queue: the same figure of its DLQ.
    pub dead_letters: i64,
    /// The functions reading it.
    pub consumers: Vec<String>,
}

/// The template's queues in its order, with their counts now.
pub async fn stats<S: DlqStore>(
    queues: &Queues,
    wiring: &Wiring,
    store: &S,
) -> Result<Vec<QueueStats>, platform::StoreError> {
    let dlqs = crate::dead_letters::dead_letter_queues(wiring);
    let mut recorded: BTreeMap<String, i64> = BTreeMap::new();
    for letter in store.pending(None).await? {
        *recorded.entry(letter.queue).or_default() += 1;
    }
    let mut counts = BTreeMap::new();
    for spec in &wiring.resources.queues {
        counts.insert(spec.name.as_str(), queues.counts(&spec.name)?);
    }
    let dead = |dlq: &str| {
        let waiting = counts.get(dlq).map(|c| c.visible + c.in_flight + c.delayed);
        waiting.unwrap_or(0) + recorded.get(dlq).copied().unwrap_or(0)
    };
    Ok(wiring
        .resources
        .queues
        .iter()
        .map(|spec| {
            let c = &counts[spec.name.as_str()];
            let is_dlq = dlqs.contains(spec.name.as_str());
            let dlq = spec.redrive.as_ref().map(|r| r.dead_letter_queue.clone());
            QueueStats {
                name: spec.name.clone(),
                visible: c.visible,
                in_flight: c.in_flight,
                delayed: c.delayed,
                max_receive_count: spec.redrive.as_ref().map(|r| r.max_receive_count),
                dead_letters: match (&dlq, is_dlq) {
                    (_, true) => dead(&spec.name),
                    (Some(d), false) => dead(d),
                    (None, false) => 0,
                },
                dead_letter_queue: dlq,
                is_dead_letter_queue: is_dlq,
                consumers: wiring
                    .wiring
                    .consumers
                    .iter()
                    .filter(|f| f.queue == spec.name)
                    .map(|f| f.function.clone())
                    .collect(),
            }
        })
        .collect())
}
