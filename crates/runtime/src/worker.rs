//! One loop per SQS event source mapping: receive a batch, run the
//! function's handler on it, delete what succeeded, and return the rest to
//! the queue with a backoff. As with Lambda, a failed message becomes
//! visible again later; after `maxReceiveCount` receives the queue moves it
//! to its DLQ.

use crate::faults::{Fault, Faults};
use crate::queues::{QueueMessage, Queues};
use crate::services::Services;
use crate::wiring::ConsumerSpec;
use crate::{LocalBus, now_ms};
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use events::OutgoingEvent;
use platform::{EventPublisher, PublishError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// First retry after a failure; doubles per receive, capped by the queue's
/// visibility timeout and by [`MAX_BACKOFF_MS`]. On AWS a failed message
/// waits out the whole visibility timeout; locally the retry comes sooner so
/// a run with faults still settles in seconds.
const BASE_BACKOFF_MS: i64 = 20;
const MAX_BACKOFF_MS: i64 = 2_000;

pub(crate) struct Worker {
    pub spec: ConsumerSpec,
    pub queues: Arc<Queues>,
    pub services: Arc<Services>,
    pub bus: Arc<LocalBus>,
    pub faults: Arc<Faults>,
    /// Events this consumer already got a duplicate of. A duplicate makes
    /// the handler publish its recorded outcome again, and those copies
    /// must not be duplicated in turn, or the cascade never ends.
    /// Shared by the mapping's pollers.
    pub duplicated: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// The bus as a handler sees it when faults are injected: a publish may
/// fail after the handler committed, like a crash between the two.
struct FaultyBus<'a> {
    bus: &'a LocalBus,
    faults: &'a Faults,
    attempt: u32,
    enabled: bool,
    /// The batch holds replayed events: outcomes already published are
    /// not published again ([`LocalBus::put_unpublished_async`]).
    replayed: bool,
}

impl EventPublisher for FaultyBus<'_> {
    async fn publish(&self, events: &[OutgoingEvent]) -> Result<(), PublishError> {
        if let Some(first) = events.first()
            && self.enabled
            && self.faults.hits(
                Fault::PublishFail,
                &first.event_id.to_string(),
                self.attempt,
            )
        {
            return Err(PublishError::Transport(
                "injected fault: crashed before publishing".into(),
            ));
        }
        if self.replayed {
            return self
                .bus
                .put_unpublished_async(events)
                .await
                .map_err(crate::bus::publish_error(events.len()));
        }
        self.bus.publish(events).await
    }
}

fn backoff(receive_count: u32, visibility_ms: i64) -> i64 {
    let exp = BASE_BACKOFF_MS.saturating_mul(1i64 << receive_count.min(20).saturating_sub(1));
    exp.min(MAX_BACKOFF_MS).min(visibility_ms.max(1))
}

/// The key fault decisions hang on: the event's own id when the body has
/// one, else the message id.
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

fn to_sqs(messages: &[QueueMessage]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = messages
        .iter()
        .map(|m| {
            let mut s = SqsMessage::default();
            s.message_id = Some(m.id.clone());
            s.body = Some(m.body.clone());
            s.event_source = Some("aws:sqs".into());
            s.event_source_arn = Some(format!(
                "arn:aws:sqs:{}:{}:{}",
                crate::bus::REGION,
                crate::bus::ACCOUNT,
                m.queue
            ));
            s.attributes.insert(
                "ApproximateReceiveCount".into(),
                m.receive_count.to_string(),
            );
            s.attributes
                .insert("SentTimestamp".into(), m.sent_at.to_string());
            for (k, v) in &m.attributes {
                let mut a = aws_lambda_events::event::sqs::SqsMessageAttribute::default();
                a.string_value = Some(v.clone());
                a.data_type = Some("String".into());
                s.message_attributes.insert(k.clone(), a);
            }
            s
        })
        .collect();
    event
}

impl Worker {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let notify = self.queues.notifier(&self.spec.queue);
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self
                .queues
                .receive(&self.spec.queue, self.spec.batch_size)
                .await
            {
                Ok(batch) if !batch.is_empty() => self.deliver(batch).await,
                Ok(_) => {
                    let wait = match self.queues.next_visible_at(&self.spec.queue).await {
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
                    tracing::error!(queue = %self.spec.queue, %error, "receive failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// Whether to leave a handled message on the queue so it is delivered
    /// again: at most once per event and consumer.
    fn duplicate(&self, m: &QueueMessage, consumer: &str) -> bool {
        if self.faults.duplicate_rate <= 0.0 || m.receive_count != 1 {
            return false;
        }
        let key = fault_key(m, consumer);
        m.receive_count == 1
            && self.faults.hits(Fault::Duplicate, &key, 1)
            && self
                .duplicated
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key)
    }

    /// Injected failures are transient: the last receive before the queue
    /// would dead-letter a message is never failed on purpose, so faults
    /// alone never move a message to a DLQ (poison messages do).
    fn may_fail(&self, receive_count: u32) -> bool {
        let limit = self
            .queues
            .spec(&self.spec.queue)
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
            let key = fault_key(m, &self.spec.function);
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
            .reorder(&mut deliver, |m| fault_key(m, &self.spec.function));
        (failed, deliver)
    }

    async fn deliver(&self, batch: Vec<QueueMessage>) {
        let consumer = self.spec.function.as_str();
        let (mut failed, deliver) = if self.faults.is_active() {
            self.inject(&batch).await
        } else {
            (Vec::new(), batch.clone())
        };
        let attempt = batch.iter().map(|m| m.receive_count).max().unwrap_or(1);
        let bus = FaultyBus {
            bus: &self.bus,
            faults: &self.faults,
            attempt,
            enabled: self.may_fail(attempt),
            replayed: deliver
                .iter()
                .any(|m| m.attributes.contains_key(crate::bus::REPLAY_ATTRIBUTE)),
        };
        let handler_failures = if deliver.is_empty() {
            Vec::new()
        } else {
            self.services
                .consume(self.spec.handler, &bus, to_sqs(&deliver))
                .await
        };
        failed.extend(
            handler_failures
                .into_iter()
                .map(|f| (f.message_id, f.error)),
        );
        // Without ReportBatchItemFailures, one failure fails the whole batch.
        if !failed.is_empty() && !self.spec.report_batch_item_failures {
            let error = failed[0].1.clone();
            failed = batch
                .iter()
                .map(|m| (m.id.clone(), error.clone()))
                .collect();
        }
        let succeeded: Vec<&str> = batch
            .iter()
            .filter(|m| !failed.iter().any(|(id, _)| id == &m.id))
            .filter(|m| !self.duplicate(m, consumer))
            .map(|m| m.id.as_str())
            .collect();
        if let Err(error) = self.queues.delete(&self.spec.queue, &succeeded).await {
            tracing::error!(queue = %self.spec.queue, %error, "delete failed; the messages will be delivered again");
        }
        if failed.is_empty() && succeeded.len() == batch.len() {
            return;
        }
        let visibility = i64::try_from(
            self.queues
                .spec(&self.spec.queue)
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
        let _ = self
            .queues
            .retry_later(&self.spec.queue, &duplicates, 0)
            .await;
        for m in &batch {
            if let Some((_, error)) = failed.iter().find(|(id, _)| id == &m.id) {
                let delay = backoff(m.receive_count, visibility);
                if let Err(e) = self
                    .queues
                    .retry_later(&self.spec.queue, &[(m.id.as_str(), error.as_str())], delay)
                    .await
                {
                    tracing::error!(queue = %self.spec.queue, error = %e, "could not schedule a retry; the visibility timeout will");
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
