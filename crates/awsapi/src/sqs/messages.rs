//! Sending, receiving (with long polling and a per-call visibility
//! timeout), deleting and re-timing messages, with SQS's limits and
//! MD5 digests. A receive moves a message that has reached its queue's
//! `maxReceiveCount` to the DLQ, exactly as the saga's own consumers see.

use super::attributes::MAX_MESSAGE_SIZE;
use super::{Empty, in_range, invalid_parameter, queue_arn, queue_of};
use crate::{Api, ApiError};
use axum::http::StatusCode;
use emulator::{MOVED_ATTRIBUTES, NewMessage, QueueMessage};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

/// Entries per batch call (SendMessageBatch, DeleteMessageBatch: 10).
const MAX_BATCH: usize = 10;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeValue {
    data_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    string_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    binary_value: Option<serde_json::Value>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn md5_of(text: &str) -> String {
    hex(&Md5::digest(text.as_bytes()))
}

/// MD5OfMessageAttributes: each attribute in name order as its name, data
/// type, transport type (1 for String and Number) and value, each string
/// prefixed by its 4-byte big-endian length
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation).
fn md5_of_attributes(attributes: &BTreeMap<String, AttributeValue>) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    fn put(md5: &mut Md5, bytes: &[u8]) {
        md5.update((bytes.len() as u32).to_be_bytes());
        md5.update(bytes);
    }
    let mut md5 = Md5::new();
    for (name, value) in attributes {
        put(&mut md5, name.as_bytes());
        put(&mut md5, value.data_type.as_bytes());
        // The transport type is one byte, not length-prefixed.
        md5.update([1u8]);
        put(
            &mut md5,
            value.string_value.as_deref().unwrap_or_default().as_bytes(),
        );
    }
    Some(hex(&md5.finalize()))
}

/// The characters SQS accepts in a body: #x9 | #xA | #xD | #x20 to #xD7FF |
/// #xE000 to #xFFFD | #x10000 to #x10FFFF
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendMessageInput {
    queue_url: String,
    #[serde(flatten)]
    message: MessageFields,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MessageFields {
    message_body: Option<String>,
    delay_seconds: Option<i64>,
    #[serde(default)]
    message_attributes: BTreeMap<String, AttributeValue>,
}

/// A message checked against SQS's rules, ready to store.
struct Checked {
    message: NewMessage,
    md5_body: String,
    md5_attributes: Option<String>,
}

fn check(fields: MessageFields) -> Result<Checked, ApiError> {
    let body = match fields.message_body {
        Some(b) if !b.is_empty() => b,
        _ => {
            return Err(ApiError::sqs(
                StatusCode::BAD_REQUEST,
                "MissingParameter",
                "MissingParameter",
                "The request must contain the parameter MessageBody.",
            ));
        }
    };
    if !body.chars().all(allowed) {
        return Err(ApiError::sqs(
            StatusCode::BAD_REQUEST,
            "InvalidMessageContents",
            "InvalidMessageContents",
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
        ));
    }
    let delay = in_range("DelaySeconds", fields.delay_seconds, 0, 900)?.unwrap_or(0);
    if fields.message_attributes.len() > 10 {
        return Err(invalid_parameter(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [10].",
            fields.message_attributes.len()
        )));
    }
    let mut attributes = HashMap::new();
    let mut size = body.len();
    for (name, value) in &fields.message_attributes {
        // The local queue stores attribute values as text: String (and
        // its custom `String.x` types) round-trips exactly; Number and
        // Binary would come back as another type, so they are refused.
        if value.data_type != "String" && !value.data_type.starts_with("String.") {
            return Err(invalid_parameter(format!(
                "The message attribute '{name}' has data type {}: the local runtime stores String message attributes only.",
                value.data_type
            )));
        }
        let Some(text) = &value.string_value else {
            return Err(invalid_parameter(format!(
                "The message attribute '{name}' must contain a non-empty message attribute value."
            )));
        };
        size += name.len() + value.data_type.len() + text.len();
        attributes.insert(name.clone(), text.clone());
    }
    if size > MAX_MESSAGE_SIZE {
        return Err(invalid_parameter(format!(
            "One or more parameters are invalid. Reason: Message must be shorter than {MAX_MESSAGE_SIZE} bytes."
        )));
    }
    Ok(Checked {
        md5_body: md5_of(&body),
        md5_attributes: md5_of_attributes(&fields.message_attributes),
        message: NewMessage {
            body,
            attributes,
            delay: Duration::from_secs(delay as u64),
        },
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendMessageOutput {
    message_id: String,
    #[serde(rename = "MD5OfMessageBody")]
    md5_of_message_body: String,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    md5_of_message_attributes: Option<String>,
}

pub(crate) async fn send_message(
    api: &Api,
    input: SendMessageInput,
) -> Result<SendMessageOutput, ApiError> {
    let queue = queue_of(api, &input.queue_url)?;
    let checked = check(input.message)?;
    let ids = api
        .emulator
        .queues
        .send_batch(&queue, std::slice::from_ref(&checked.message))
        .await
        .map_err(ApiError::store)?;
    Ok(SendMessageOutput {
        message_id: ids.into_iter().next().unwrap_or_default(),
        md5_of_message_body: checked.md5_body,
        md5_of_message_attributes: checked.md5_attributes,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendMessageBatchInput {
    queue_url: String,
    entries: Vec<SendEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendEntry {
    id: String,
    #[serde(flatten)]
    message: MessageFields,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchFailure {
    id: String,
    sender_fault: bool,
    code: &'static str,
    message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendSuccess {
    id: String,
    #[serde(flatten)]
    sent: SendMessageOutput,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendMessageBatchOutput {
    successful: Vec<SendSuccess>,
    failed: Vec<BatchFailure>,
}

fn batch_error(code: &'static str, query: &'static str, message: String) -> ApiError {
    ApiError::sqs(StatusCode::BAD_REQUEST, code, query, message)
}

/// The request-level rules of a batch: 1 to 10 entries, distinct ids of
/// at most 80 alphanumeric, hyphen or underscore characters.
fn check_batch<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> Result<(), ApiError> {
    let n = ids.len();
    if n == 0 {
        return Err(batch_error(
            "EmptyBatchRequest",
            "AWS.SimpleQueueService.EmptyBatchRequest",
            "There should be at least one SendMessageBatchRequestEntry in the request.".into(),
        ));
    }
    if n > MAX_BATCH {
        return Err(batch_error(
            "TooManyEntriesInBatchRequest",
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            format!("Maximum number of entries per request are {MAX_BATCH}. You have sent {n}."),
        ));
    }
    let mut seen = HashSet::new();
    for id in ids {
        let valid = !id.is_empty()
            && id.len() <= 80
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(batch_error(
                "InvalidBatchEntryId",
                "AWS.SimpleQueueService.InvalidBatchEntryId",
                format!(
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. ({id:?})"
                ),
            ));
        }
        if !seen.insert(id) {
            return Err(batch_error(
                "BatchEntryIdsNotDistinct",
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                format!("Id {id} repeated."),
            ));
        }
    }
    Ok(())
}

pub(crate) async fn send_message_batch(
    api: &Api,
    input: SendMessageBatchInput,
) -> Result<SendMessageBatchOutput, ApiError> {
    let queue = queue_of(api, &input.queue_url)?;
    check_batch(input.entries.iter().map(|e| e.id.as_str()))?;
    let total: usize = input
        .entries
        .iter()
        .map(|e| e.message.message_body.as_deref().map_or(0, str::len))
        .sum();
    if total > MAX_MESSAGE_SIZE {
        return Err(batch_error(
            "BatchRequestTooLong",
            "AWS.SimpleQueueService.BatchRequestTooLong",
            format!(
                "Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. You have sent {total} bytes."
            ),
        ));
    }
    let mut failed = Vec::new();
    let mut accepted = Vec::new();
    for entry in input.entries {
        match check(entry.message) {
            Ok(c) => accepted.push((entry.id, c)),
            Err(e) => failed.push(BatchFailure {
                id: entry.id,
                sender_fault: true,
                code: e.query_code.map_or(e.code, |(q, _)| q),
                message: e.message,
            }),
        }
    }
    let messages: Vec<NewMessage> = accepted.iter().map(|(_, c)| c.message.clone()).collect();
    let ids = if messages.is_empty() {
        Vec::new()
    } else {
        api.emulator
            .queues
            .send_batch(&queue, &messages)
            .await
            .map_err(ApiError::store)?
    };
    let successful = accepted
        .into_iter()
        .zip(ids)
        .map(|((id, c), message_id)| SendSuccess {
            id,
            sent: SendMessageOutput {
                message_id,
                md5_of_message_body: c.md5_body,
                md5_of_message_attributes: c.md5_attributes,
            },
        })
        .collect();
    Ok(SendMessageBatchOutput { successful, failed })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReceiveMessageInput {
    queue_url: String,
    max_number_of_messages: Option<i64>,
    visibility_timeout: Option<i64>,
    wait_time_seconds: Option<i64>,
    /// Deprecated by SQS in favour of `MessageSystemAttributeNames`; the
    /// CLI and older SDKs still send it.
    #[serde(default)]
    attribute_names: Vec<String>,
    #[serde(default)]
    message_system_attribute_names: Vec<String>,
    #[serde(default)]
    message_attribute_names: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Message {
    message_id: String,
    receipt_handle: String,
    #[serde(rename = "MD5OfBody")]
    md5_of_body: String,
    body: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    message_attributes: BTreeMap<String, AttributeValue>,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    md5_of_message_attributes: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReceiveMessageOutput {
    messages: Vec<Message>,
}

/// A receipt handle: the message id and which receive it was, so a handle
/// is told from a made-up one.
fn receipt_handle(m: &QueueMessage) -> String {
    format!("{}.{}", m.id, m.receive_count)
}

fn handle_id(handle: &str) -> Result<&str, ApiError> {
    handle
        .split_once('.')
        .filter(|(id, n)| uuid::Uuid::parse_str(id).is_ok() && n.parse::<u32>().is_ok())
        .map(|(id, _)| id)
        .ok_or_else(|| {
            ApiError::sqs(
                StatusCode::BAD_REQUEST,
                "ReceiptHandleIsInvalid",
                "ReceiptHandleIsInvalid",
                format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
            )
        })
}

fn message(m: QueueMessage, input: &ReceiveMessageInput) -> Message {
    let wants = |names: &[String], name: &str| names.iter().any(|n| n == "All" || n == name);
    let system = |name: &str| {
        wants(&input.attribute_names, name) || wants(&input.message_system_attribute_names, name)
    };
    let mut attributes = BTreeMap::new();
    let mut add = |name: &str, value: String| {
        if system(name) {
            attributes.insert(name.to_owned(), value);
        }
    };
    let moved = m.attributes.get("DeadLetterSourceQueue");
    // A message moved to its DLQ keeps counting its receives from where
    // the source queue left off, as moto and LocalStack count them (the
    // scenario suite's poison message on both); the queues restart their
    // own count at the move and keep the source's in `Attempts`.
    let carried: u32 = moved
        .and_then(|_| m.attributes.get("Attempts"))
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    add("SentTimestamp", m.sent_at.to_string());
    add(
        "ApproximateReceiveCount",
        m.receive_count.saturating_add(carried).to_string(),
    );
    add("SenderId", emulator::ACCOUNT.to_owned());
    if let Some(source) = moved {
        add("DeadLetterQueueSourceArn", queue_arn(source));
    }
    // What the queues note on a message they move to its DLQ (the
    // consumer's error, the attempts, the source) is the runtime's own
    // bookkeeping for its DLQ recorder. SQS moves a message as it is and
    // only adds the DeadLetterQueueSourceArn system attribute, so an SQS
    // client sees the attributes the message was sent with and no others.
    let message_attributes: BTreeMap<String, AttributeValue> = m
        .attributes
        .iter()
        .filter(|(name, _)| moved.is_none() || !MOVED_ATTRIBUTES.contains(&name.as_str()))
        .filter(|(name, _)| {
            input.message_attribute_names.iter().any(|n| {
                n == "All"
                    || n == ".*"
                    || n == *name
                    || n.strip_suffix(".*").is_some_and(|p| name.starts_with(p))
            })
        })
        .map(|(name, value)| {
            (
                name.clone(),
                AttributeValue {
                    data_type: "String".into(),
                    string_value: Some(value.clone()),
                    binary_value: None,
                },
            )
        })
        .collect();
    Message {
        receipt_handle: receipt_handle(&m),
        md5_of_body: md5_of(&m.body),
        md5_of_message_attributes: md5_of_attributes(&message_attributes),
        message_id: m.id,
        body: m.body,
        attributes,
        message_attributes,
    }
}

pub(crate) async fn receive_message(
    api: &Api,
    input: ReceiveMessageInput,
) -> Result<ReceiveMessageOutput, ApiError> {
    let queue = queue_of(api, &input.queue_url)?;
    let max = in_range("MaxNumberOfMessages", input.max_number_of_messages, 1, 10)?.unwrap_or(1);
    let visibility = in_range("VisibilityTimeout", input.visibility_timeout, 0, 43_200)?
        .map(|s| Duration::from_secs(s as u64));
    let wait = in_range("WaitTimeSeconds", input.wait_time_seconds, 0, 20)?.unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(wait as u64);
    let queues = &api.emulator.queues;
    loop {
        // Registered before the receive, so a send in between wakes us.
        let changed = queues.changed();
        let received = queues
            .receive_for(&queue, max as usize, visibility)
            .await
            .map_err(ApiError::store)?;
        let left = deadline.saturating_duration_since(Instant::now());
        if !received.is_empty() || left.is_zero() {
            return Ok(ReceiveMessageOutput {
                messages: received.into_iter().map(|m| message(m, &input)).collect(),
            });
        }
        // A message also becomes visible again when its timeout passes,
        // which no one signals: look again at least every 100 ms.
        let _ = tokio::time::timeout(left.min(Duration::from_millis(100)), changed).await;
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteMessageInput {
    queue_url: String,
    receipt_handle: String,
}

pub(crate) async fn delete_message(
    api: &Api,
    input: DeleteMessageInput,
) -> Result<Empty, ApiError> {
    let queue = queue_of(api, &input.queue_url)?;
    let id = handle_id(&input.receipt_handle)?;
    api.emulator
        .queues
        .delete_durable(&queue, &[id])
        .await
        .map_err(ApiError::store)?;
    Ok(Empty {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteMessageBatchInput {
    queue_url: String,
    entries: Vec<DeleteEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteEntry {
    id: String,
    receipt_handle: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteSuccess {
    id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteMessageBatchOutput {
    successful: Vec<DeleteSuccess>,
    failed: Vec<BatchFailure>,
}

pub(crate) async fn delete_message_batch(
    api: &Api,
    input: DeleteMessageBatchInput,
) -> Result<DeleteMessageBatchOutput, ApiError> {
    let queue = queue_of(api, &input.queue_url)?;
    check_batch(input.entries.iter().map(|e| e.id.as_str()))?;
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    let mut ids = Vec::new();
    for e in &input.entries {
        match handle_id(&e.receipt_handle) {
            Ok(id) => {
                ids.push(id);
                successful.push(DeleteSuccess { id: e.id.clone() });
            }
            Err(err) => failed.push(BatchFailure {
                id: e.id.clone(),
                sender_fault: true,
                code: "ReceiptHandleIsInvalid",
                message: err.message,
            }),
        }
    }
    api.emulator
        .queues
        .delete_durable(&queue, &ids)
        .await
        .map_err(ApiError::store)?;
    Ok(DeleteMessageBatchOutput { successful, failed })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ChangeMessageVisibilityInput {
    queue_url: String,
    receipt_handle: String,
    visibility_timeout: i64,
}

pub(crate) async fn change_message_visibility(
    api: &Api,
    input: ChangeMessageVisibilityInput,
) -> Result<Empty, ApiError> {
    let queue = queue_of(api, &input.queue_url)?;
    let id = handle_id(&input.receipt_handle)?;
    let timeout = in_range(
        "VisibilityTimeout",
        Some(input.visibility_timeout),
        0,
        43_200,
    )?
    .unwrap_or(0);
    let changed = api
        .emulator
        .queues
        .change_visibility(&queue, id, Duration::from_secs(timeout as u64))
        .await
        .map_err(ApiError::store)?;
    if !changed {
        return Err(ApiError::sqs(
            StatusCode::BAD_REQUEST,
            "MessageNotInflight",
            "AWS.SimpleQueueService.MessageNotInflight",
            "Message does not exist or is not available for visibility timeout change.",
        ));
    }
    Ok(Empty {})
}
