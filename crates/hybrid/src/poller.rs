//! One loop per SQS event source mapping, as Lambda runs it: long-poll up
//! to `BatchSize` messages, invoke the function with them, then delete
//! what Lambda's rules say succeeded ([`wiring::esm::settle`], the same
//! rules as the embedded backend's pollers). The messages left come back
//! after the queue's visibility timeout, and SQS moves a message to the
//! DLQ once its receive count passes `maxReceiveCount`.

use crate::last_errors::{ERROR_ATTRIBUTE, LastErrors};
use crate::services::AwsServices;
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage, SqsMessageAttribute};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use wiring::esm::{Invocation, settle};
use wiring::{ConsumerHandler, ConsumerSpec};

/// SQS's longest long poll; Lambda's pollers wait as long.
const WAIT_SECONDS: i32 = 20;
/// ReceiveMessage returns at most 10 messages.
const MAX_RECEIVE: usize = 10;

pub(crate) struct Poller {
    pub spec: ConsumerSpec,
    pub quirks: crate::Quirks,
    /// `ReceiveMessage`'s `VisibilityTimeout`; `None`: the queue's.
    pub visibility_timeout: Option<i32>,
    pub queue_url: String,
    pub queue_arn: String,
    pub region: String,
    pub sqs: aws_sdk_sqs::Client,
    pub services: Arc<AwsServices>,
    /// Shared by every poller of the runtime: the consumers' pollers write,
    /// the DLQ function's poller reads.
    pub last_errors: Arc<LastErrors>,
}

/// moto 5.2.5 delivers rule targets without an input transformer through
/// its default input template, which leaves out the event's `account`
/// (`moto/events/utils.py`, `DEFAULT_EVENT_INPUT_TEMPLATE`); EventBridge
/// always sends it. With [`crate::Quirks::moto_event_account`] the account
/// of the queue (the bus's own: the template's rules target queues of
/// the same account) is put back. Any other body is left as it came.
fn with_account(body: &str, queue_arn: &str) -> Option<String> {
    let mut event: serde_json::Value = serde_json::from_str(body).ok()?;
    let object = event.as_object_mut()?;
    if object.contains_key("account") || !object.contains_key("detail-type") {
        return None;
    }
    let account = queue_arn.split(':').nth(4)?;
    object.insert("account".into(), account.into());
    Some(event.to_string())
}

fn to_lambda(m: &Message, queue_arn: &str, region: &str, quirks: crate::Quirks) -> SqsMessage {
    let mut out = SqsMessage::default();
    out.message_id = m.message_id.clone();
    out.receipt_handle = m.receipt_handle.clone();
    out.body = match (&m.body, quirks.moto_event_account) {
        (Some(body), true) => with_account(body, queue_arn).or_else(|| m.body.clone()),
        _ => m.body.clone(),
    };
    out.md5_of_body = m.md5_of_body.clone();
    out.md5_of_message_attributes = m.md5_of_message_attributes.clone();
    out.event_source = Some("aws:sqs".into());
    out.event_source_arn = Some(queue_arn.to_owned());
    out.aws_region = Some(region.to_owned());
    for (k, v) in m.attributes.iter().flatten() {
        out.attributes.insert(k.as_str().to_owned(), v.clone());
    }
    for (k, v) in m.message_attributes.iter().flatten() {
        let mut a = SqsMessageAttribute::default();
        a.string_value = v.string_value.clone();
        a.data_type = Some(v.data_type.clone());
        out.message_attributes.insert(k.clone(), a);
    }
    out
}

/// The messages to delete after the function answered: every message of
/// the batch the rules do not send back.
fn succeeded(
    batch: &[Message],
    invocation: Invocation,
    report_batch_item_failures: bool,
) -> Vec<&Message> {
    let ids: Vec<&str> = batch
        .iter()
        .filter_map(|m| m.message_id.as_deref())
        .collect();
    let retry: BTreeSet<String> = settle(&ids, invocation, report_batch_item_failures)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    batch
        .iter()
        .filter(|m| !m.message_id.as_ref().is_some_and(|id| retry.contains(id)))
        .collect()
}

impl Poller {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            let receive = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(self.spec.batch_size.clamp(1, MAX_RECEIVE) as i32)
                .wait_time_seconds(WAIT_SECONDS)
                .set_visibility_timeout(self.visibility_timeout)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .message_attribute_names("All")
                .send();
            let received = tokio::select! {
                r = receive => r,
                _ = shutdown.changed() => return,
            };
            match received {
                Ok(out) if !out.messages().is_empty() => self.deliver(out.messages()).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(function = %self.spec.function, error = %aws_sdk_sqs::error::DisplayErrorContext(e), "receive failed; retrying in 1 s");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = shutdown.changed() => return,
                    }
                }
            }
        }
    }

    /// Puts the last error of a dead letter's failed deliveries on it, as
    /// the embedded runtime does, unless its sender said why (EventBridge's
    /// ERROR_CODE on a rule's DLQ). The error this process saw replaces an
    /// `ErrorMessage` the message came with: `saga run`'s queues add one
    /// when they move a message to its DLQ, `unknown` for a failure an SQS
    /// client reported (only the handler knows why), and moto or SQS
    /// never do.
    fn with_last_error(&self, message: &mut SqsMessage) {
        let said = ["ERROR_CODE", "ERROR_MESSAGE"]
            .iter()
            .any(|a| message.message_attributes.contains_key(*a));
        let Some(id) = message.message_id.as_deref() else {
            return;
        };
        if let Some(error) = self.last_errors.take(id)
            && !said
        {
            let mut attribute = SqsMessageAttribute::default();
            attribute.string_value = Some(error);
            attribute.data_type = Some("String".into());
            message
                .message_attributes
                .insert(ERROR_ATTRIBUTE.into(), attribute);
        }
    }

    async fn deliver(&self, batch: &[Message]) {
        let mut event = SqsEvent::default();
        event.records = batch
            .iter()
            .map(|m| to_lambda(m, &self.queue_arn, &self.region, self.quirks))
            .collect();
        if self.spec.handler == ConsumerHandler::DeadLetters {
            for message in &mut event.records {
                self.with_last_error(message);
            }
        }
        let response = self.services.consume(self.spec.handler, event).await;
        self.last_errors.remember(&response);
        let failed: BTreeSet<String> = response.iter().map(|f| f.message_id.clone()).collect();
        self.last_errors.forget(
            batch
                .iter()
                .filter_map(|m| m.message_id.as_deref())
                .filter(|id| !failed.contains(*id)),
        );
        let done = succeeded(
            batch,
            Invocation::Returned(response),
            self.spec.report_batch_item_failures,
        );
        tracing::debug!(function = %self.spec.function, received = batch.len(), failed = failed.len(), deleted = done.len(), "batch handled");
        if done.is_empty() {
            return;
        }
        let entries: Vec<DeleteMessageBatchRequestEntry> = done
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle.clone()?)
                    .build()
                    .ok()
            })
            .collect();
        match self
            .sqs
            .delete_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(out) if out.failed().is_empty() => {}
            Ok(out) => {
                tracing::error!(function = %self.spec.function, failed = ?out.failed(), "some handled messages were not deleted; they will be delivered again")
            }
            Err(e) => {
                tracing::error!(function = %self.spec.function, error = %aws_sdk_sqs::error::DisplayErrorContext(e), "delete failed; the messages will be delivered again")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: &str) -> Message {
        Message::builder()
            .message_id(id)
            .receipt_handle(format!("rh-{id}"))
            .build()
    }

    #[test]
    fn the_moto_quirk_puts_back_only_a_missing_account_of_an_event() {
        let arn = "arn:aws:sqs:us-east-1:123456789012:InventoryQueue";
        let fixed = with_account(r#"{"detail-type":"X","source":"s"}"#, arn).unwrap();
        assert!(fixed.contains(r#""account":"123456789012""#), "{fixed}");
        assert_eq!(
            with_account(r#"{"detail-type":"X","account":"1"}"#, arn),
            None
        );
        assert_eq!(with_account("{not an event", arn), None);
    }

    fn reported(ids: &[&str]) -> Invocation {
        Invocation::Returned(
            ids.iter()
                .map(|id| platform::sqs::FailedMessage {
                    message_id: (*id).to_owned(),
                    error: "failed".into(),
                })
                .collect(),
        )
    }

    #[test]
    fn only_messages_the_function_did_not_report_are_deleted() {
        let batch = [message("a"), message("b"), message("c")];
        let ids: Vec<_> = succeeded(&batch, reported(&["b"]), true)
            .iter()
            .map(|m| m.message_id().unwrap())
            .collect();
        assert_eq!(ids, ["a", "c"]);
    }

    #[test]
    fn an_unknown_reported_id_fails_the_batch_and_without_reporting_the_batch_is_deleted() {
        let batch = [message("a"), message("b")];
        assert!(succeeded(&batch, reported(&["zzz"]), true).is_empty());
        assert_eq!(succeeded(&batch, reported(&["a"]), false).len(), 2);
    }
}
