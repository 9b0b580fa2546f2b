//! Dead letters: those the DLQ recorder holds (`saga dlq list`), the
//! messages still on a DLQ that it has not recorded yet, and putting them
//! back on the bus (`dlq::redrive`, the DLQ Lambda's redrive).

use dlq::{DeadLetter, DlqStore};
use emulator::Queues;
use runtime::Saga as Wiring;
use serde::Serialize;
use std::collections::BTreeSet;
use thiserror::Error;

/// The template's dead-letter queues: those some queue redrives to.
pub fn dead_letter_queues(wiring: &Wiring) -> BTreeSet<&str> {
    wiring
        .resources
        .queues
        .iter()
        .filter_map(|q| q.redrive.as_ref().map(|r| r.dead_letter_queue.as_str()))
        .collect()
}

#[derive(Debug, Error)]
#[error("{queue} is not a dead-letter queue of the template; its dead-letter queues are {known}")]
pub struct NotADeadLetterQueue {
    pub queue: String,
    pub known: String,
}

/// A queue named by a user must be one of the template's DLQs: a typo
/// would otherwise list or redrive nothing and look like success.
pub fn check_dead_letter_queue(wiring: &Wiring, queue: &str) -> Result<(), NotADeadLetterQueue> {
    let dlqs = dead_letter_queues(wiring);
    if dlqs.contains(queue) {
        return Ok(());
    }
    Err(NotADeadLetterQueue {
        queue: queue.to_owned(),
        known: dlqs.into_iter().collect::<Vec<_>>().join(", "),
    })
}

/// A recorded dead letter and what its body is.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Letter {
    #[serde(flatten)]
    pub letter: DeadLetter,
    /// `Order Placed from shop.orders`, or `not a saga event`.
    pub kind: String,
}

/// Messages on a DLQ the recorder has not recorded (yet).
#[derive(Debug, Clone, Serialize)]
pub struct Unrecorded {
    pub queue: String,
    pub messages: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadLetters {
    /// Recorded and not redriven, oldest first.
    pub letters: Vec<Letter>,
    pub unrecorded: Vec<Unrecorded>,
}

/// What a dead letter's body is, in a few words.
pub fn kind(body: &str) -> String {
    events::BusEvent::from_json(body)
        .map(|e| format!("{} from {}", e.detail_type, e.source))
        .unwrap_or_else(|_| "not a saga event".into())
}

/// Dead letters not yet redriven (of one DLQ, or all), and the messages
/// still waiting on a DLQ (a saga stopped before it recorded them, or
/// `saga run --hold-dead-letters`).
pub async fn list<S: DlqStore>(
    store: &S,
    queues: &Queues,
    wiring: &Wiring,
    queue: Option<&str>,
) -> Result<DeadLetters, platform::StoreError> {
    let letters = store
        .pending(queue)
        .await?
        .into_iter()
        .map(|letter| Letter {
            kind: kind(&letter.body),
            letter,
        })
        .collect();
    let dlqs = dead_letter_queues(wiring);
    let mut unrecorded: Vec<Unrecorded> = queues
        .depths()?
        .into_iter()
        .filter(|(q, depth)| {
            *depth > 0 && dlqs.contains(q.as_str()) && queue.is_none_or(|only| only == q)
        })
        .map(|(queue, messages)| Unrecorded { queue, messages })
        .collect();
    unrecorded.sort_by(|a, b| a.queue.cmp(&b.queue));
    Ok(DeadLetters {
        letters,
        unrecorded,
    })
}
