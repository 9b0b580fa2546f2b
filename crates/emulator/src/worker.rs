//! One poller of an SQS event source mapping over the emulated queues:
//! receive a batch, hand it to the mapping's function, delete what the
//! function's answer says is done, and return the rest to the queue with
//! a backoff. As with Lambda, a failed message becomes visible again
//! later; after `maxReceiveCount` receives the queue moves it to its DLQ.
//!
//! What the answer means (Lambda's event source mapping rules:
//! a function error, `ReportBatchItemFailures`) is the function's side,
//! decided by crates/wiring for both backends; the poller only receives,
//! injects the faults it is asked to, deletes and retries.

use crate::clock::now_ms;
use crate::faults::{Fault, Faults};
use crate::queues::{QueueMessage, Queues};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// First retry after a failure; doubles per receive, capped by the queue's
/// visibility timeout and by [`MAX_BACKOFF_MS`]. On AWS a failed message
/// waits out the whole visibility timeout; locally the retry comes sooner so
/// a run with faults still settles in seconds.
const BASE_BACKOFF_MS: i64 = 20;
const MAX_BACKOFF_MS: i64 = 2_000;

/// A received batch as the function gets it.
#[derive(Debug)]
pub struct Batch {
    /// The messages for the handler, in the order it sees them.
    pub messages: Vec<QueueMessage>,
    /// Messages a fault failed before the handler ran, with why: the
    /// function reports them as failed items.
    pub withheld: Vec<(String, String)>,
    /// Every message id of the batch as received.
    pub ids: Vec<String>,
    /// The highest receive count in the batch.
    pub attempt: u32,
    /// Whether faults may still fail this delivery: never on the last
    /// receive before the queue would dead-letter it, so faults alone
    /// never move a message to a DLQ (poison messages do).
    pub may_fail: bool,
}

/// The function of a mapping: what it does with a batch, and which
/// messages go back to the queue, each with the error kept for the dead
/// letter it may become. Every other message of the batch is deleted.
pub trait Function: Send + Sync + 'static {
    fn invoke(
        &self,
        batch: Batch,
    ) -> impl std::future::Future<Output = Vec<(String, String)>> + Send;
}

/// One poller of a mapping; a mapping runs several (see the wiring's
/// `ConsumerSpec::pollers`), sharing `duplicated`.
pub struct Worker<F> {
    /// The function's name: fault decisions hang on it.
    pub function_name: String,
    pub queue: String,
    pub batch_size: usize,
    pub queues: Arc<Queues>,
    pub faults: Arc<Faults>,
    pub function: Arc<F>,
    /// Events this consumer already got a duplicate of. A duplicate makes
    /// the handler publish its recorded outcome again, and those copies
    /// must not be duplicated in turn, or the cascade never ends.
    /// Shared by the mapping's pollers.
    pub duplicated: Arc<Mutex<HashSet<String>>>,
}

fn backoff(receive_count: u32, visibility_ms: i64) -> i64 {
    let exp = BASE_BACKOFF_MS.saturating_mul(1i64 << receive_count.min(20).saturating_sub(1));
    exp.min(MAX_BACKOFF_MS).min(visibility_ms.max(1))
}

/// The key fault decisions hang on: the event's own id when the body has
/// one (`detail.metadata.eventId`, the producer's envelope convention),
/// else the message id.
fn fault_key(message: &QueueMessage, consumer: &str) -> String {
    let event_id = serde_json::from_str::<serde_json::Value>(&message.body)
        .ok()
        .and_then(|v| {
            v["detail"]["metadata"]["eventId"]
                .as_str()
                .map(str::to_owned)
        });
    format!(
        "{consumer}/{}",
        event_id.unwrap_or_else(|| message.id.clone())
    )
}

impl<F: Function> Worker<F> {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let notify = self.queues.notifier(&self.queue);
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.queues.receive(&self.queue, self.batch_size).await {
                Ok(batch) if !batch.is_empty() => self.deliver(batch).await,
                Ok(_) => {
                    let wait = match self.queues.next_visible_at(&self.queue).await {
                        Ok(Some(at)) => {
                            Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0).max(1))
                        }
                        _ => Duration::from_secs(3600),
                    };
                    let notified = async {
                        match &notify {
                            Some(n) => n.notified().await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.changed() => {}
                    }
                }
                Err(error) => {
                    tracing::error!(queue = %self.queue, %error, "receive failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// Whether to leave a handled message on the queue so it is delivered
    /// again: at most once per event and consumer.
    fn duplicate(&self, m: &QueueMessage) -> bool {
        if self.faults.duplicate_rate <= 0.0 || m.receive_count != 1 {
            return false;
        }
        let key = fault_key(m, &self.function_name);
        self.faults.hits(Fault::Duplicate, &key, 1)
            && self
                .duplicated
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key)
    }

    fn may_fail(&self, receive_count: u32) -> bool {
        let limit = self
            .queues
            .spec(&self.queue)
            .and_then(|q| q.redrive.as_ref())
            .map_or(5, |r| r.max_receive_count);
        receive_count < limit
    }

    /// Applies the delay and failure faults to a received batch: returns
    /// the messages failed on purpose and those to hand to the handler.
    async fn inject(&self, batch: &[QueueMessage]) -> (Vec<(String, String)>, Vec<QueueMessage>) {
        let mut failed = Vec::new();
        let mut deliver = Vec::with_capacity(batch.len());
        for m in batch {
            let key = fault_key(m, &self.function_name);
            if self.faults.hits(Fault::Delay, &key, m.receive_count) {
                tokio::time::sleep(self.faults.delay(&key, m.receive_count)).await;
            }
            if self.may_fail(m.receive_count)
                && let Some(reason) = self.faults.withhold(&key, m.receive_count)
            {
                failed.push((m.id.clone(), reason.into()));
            } else {
                deliver.push(m.clone());
            }
        }
        self.faults
            .reorder(&mut deliver, |m| fault_key(m, &self.function_name));
        (failed, deliver)
    }

    async fn deliver(&self, batch: Vec<QueueMessage>) {
        let (withheld, messages) = if self.faults.is_active() {
            self.inject(&batch).await
        } else {
            (Vec::new(), batch.clone())
        };
        let attempt = batch.iter().map(|m| m.receive_count).max().unwrap_or(1);
        let failed = self
            .function
            .invoke(Batch {
                messages,
                withheld,
                ids: batch.iter().map(|m| m.id.clone()).collect(),
                attempt,
                may_fail: self.may_fail(attempt),
            })
            .await;
        let succeeded: Vec<&str> = batch
            .iter()
            .filter(|m| !failed.iter().any(|(id, _)| id == &m.id))
            .filter(|m| !self.duplicate(m))
            .map(|m| m.id.as_str())
            .collect();
        if let Err(error) = self.queues.delete(&self.queue, &succeeded).await {
            tracing::error!(queue = %self.queue, %error, "delete failed; the messages will be delivered again");
        }
        if failed.is_empty() && succeeded.len() == batch.len() {
            return;
        }
        let visibility = i64::try_from(
            self.queues
                .spec(&self.queue)
                .map_or(Duration::from_secs(30), |q| q.visibility_timeout)
                .as_millis(),
        )
        .unwrap_or(i64::MAX);
        // A duplicate (handled, not deleted) comes back at once; a failure
        // after a backoff that grows with its receive count.
        let duplicates: Vec<(&str, &str)> = batch
            .iter()
            .filter(|m| {
                !succeeded.contains(&m.id.as_str()) && !failed.iter().any(|(id, _)| id == &m.id)
            })
            .map(|m| (m.id.as_str(), "injected fault: delivered again"))
            .collect();
        let _ = self.queues.retry_later(&self.queue, &duplicates, 0).await;
        for m in &batch {
            if let Some((_, error)) = failed.iter().find(|(id, _)| id == &m.id) {
                let delay = backoff(m.receive_count, visibility);
                if let Err(e) = self
                    .queues
                    .retry_later(&self.queue, &[(m.id.as_str(), error.as_str())], delay)
                    .await
                {
                    tracing::error!(queue = %self.queue, error = %e, "could not schedule a retry; the visibility timeout will");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_per_receive_and_is_capped() {
        assert_eq!(backoff(1, 60_000), 20);
        assert_eq!(backoff(2, 60_000), 40);
        assert_eq!(backoff(10, 60_000), MAX_BACKOFF_MS);
        assert_eq!(
            backoff(3, 50),
            50,
            "never longer than the visibility timeout"
        );
    }
}
