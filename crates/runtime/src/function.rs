//! The function behind each of the embedded backend's event source
//! mappings: a received batch becomes the `SqsEvent` the function's
//! Lambda would get, runs through its handler over the SQLite stores, and
//! is settled by Lambda's rules ([`wiring::esm::settle`], the same as the
//! hybrid backend's).

use crate::publisher::{BusPublisher, publish_unpublished};
use crate::services::Services;
use ::wiring::ConsumerSpec;
use ::wiring::esm::{Invocation, settle};
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage, SqsMessageAttribute};
use emulator::{ACCOUNT, Batch, Fault, Faults, LocalBus, QueueMessage, REGION, REPLAY_ATTRIBUTE};
use events::OutgoingEvent;
use platform::{EventPublisher, PublishError};
use std::sync::Arc;

pub(crate) struct MappedFunction {
    pub spec: ConsumerSpec,
    pub services: Arc<Services>,
    pub bus: Arc<LocalBus>,
    pub faults: Arc<Faults>,
}

/// The bus as a handler sees it when faults are injected: a publish may
/// fail after the handler committed, like a crash between the two.
struct FaultyBus<'a> {
    bus: &'a LocalBus,
    faults: &'a Faults,
    attempt: u32,
    enabled: bool,
    /// The batch holds replayed events: outcomes already published are
    /// not published again ([`publish_unpublished`]).
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
            return publish_unpublished(self.bus, events).await;
        }
        BusPublisher(self.bus).publish(events).await
    }
}

/// The `SqsEvent` Lambda would hand the function.
fn to_sqs(messages: &[QueueMessage]) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = messages
        .iter()
        .map(|m| {
            let mut s = SqsMessage::default();
            s.message_id = Some(m.id.clone());
            s.body = Some(m.body.clone());
            s.event_source = Some("aws:sqs".into());
            s.event_source_arn = Some(format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{}", m.queue));
            s.attributes.insert(
                "ApproximateReceiveCount".into(),
                m.receive_count.to_string(),
            );
            s.attributes
                .insert("SentTimestamp".into(), m.sent_at.to_string());
            for (k, v) in &m.attributes {
                let mut a = SqsMessageAttribute::default();
                a.string_value = Some(v.clone());
                a.data_type = Some("String".into());
                s.message_attributes.insert(k.clone(), a);
            }
            s
        })
        .collect();
    event
}

impl emulator::Function for MappedFunction {
    async fn invoke(&self, batch: Batch) -> Vec<(String, String)> {
        let bus = FaultyBus {
            bus: &self.bus,
            faults: &self.faults,
            attempt: batch.attempt,
            enabled: batch.may_fail,
            replayed: batch
                .messages
                .iter()
                .any(|m| m.attributes.contains_key(REPLAY_ATTRIBUTE)),
        };
        // Messages a fault failed before the handler ran are reported
        // failed, as the handler reports its own.
        let mut failures: Vec<platform::sqs::FailedMessage> = batch
            .withheld
            .into_iter()
            .map(|(message_id, error)| platform::sqs::FailedMessage { message_id, error })
            .collect();
        if !batch.messages.is_empty() {
            failures.extend(
                self.services
                    .consume(self.spec.handler, &bus, to_sqs(&batch.messages))
                    .await,
            );
        }
        let ids: Vec<&str> = batch.ids.iter().map(String::as_str).collect();
        settle(
            &ids,
            Invocation::Returned(failures),
            self.spec.report_batch_item_failures,
        )
    }
}
