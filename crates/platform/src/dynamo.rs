//! DynamoDB helpers shared by the services' table adapters. Every table has
//! a string partition key `PK` and sort key `SK`; idempotency records live
//! beside the service's own items and expire through TTL on `expiresAt`.

pub use crate::store::StoreError;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use events::{EventId, OutgoingEvent};
use std::collections::HashMap;

/// How long an idempotency record is kept: far longer than any retry or
/// redrive window (SQS keeps a message at most 14 days).
pub const IDEMPOTENCY_TTL_SECS: i64 = 30 * 24 * 3600;

impl StoreError {
    /// A failed DynamoDB call, kept whole as the cause.
    pub fn call<E, R>(e: SdkError<E, R>) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        StoreError::DynamoDb(Box::new(e))
    }
}

pub type Item = HashMap<String, AttributeValue>;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))])
}

pub fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(malformed(item, format!("missing string attribute {name}"))),
    }
}

pub fn get_n(item: &Item, name: &str) -> Result<i64, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| malformed(item, format!("attribute {name} is not an integer"))),
        _ => Err(malformed(item, format!("missing number attribute {name}"))),
    }
}

fn malformed(item: &Item, reason: String) -> StoreError {
    let pk = item
        .get("PK")
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default();
    let sk = item
        .get("SK")
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default();
    StoreError::Corrupt(format!("item {pk}/{sk}: {reason}"))
}

fn idempotency_key(consumer: &str, event_id: EventId) -> Item {
    key(format!("EVENT#{event_id}"), format!("CONSUMER#{consumer}"))
}

/// The transaction item that records `consumer` handled `event_id`, failing
/// the whole transaction if it already had: the state change and its record
/// commit together or not at all.
pub fn mark_processed(
    table: &str,
    consumer: &str,
    event_id: EventId,
    outcome: &[OutgoingEvent],
    now_epoch_secs: i64,
) -> Result<TransactWriteItem, StoreError> {
    let outcome = serde_json::to_string(outcome)
        .map_err(|e| StoreError::record("an outcome to record", e))?;
    let mut item = idempotency_key(consumer, event_id);
    item.insert("outcome".into(), s(outcome));
    item.insert("expiresAt".into(), n(now_epoch_secs + IDEMPOTENCY_TTL_SECS));
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// The outcome recorded when `consumer` handled `event_id`, if it did.
/// Strongly consistent, so a retry right after a commit sees it.
pub async fn processed_outcome(
    client: &Client,
    table: &str,
    consumer: &str,
    event_id: EventId,
) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
    let out = client
        .get_item()
        .table_name(table)
        .set_key(Some(idempotency_key(consumer, event_id)))
        .consistent_read(true)
        .send()
        .await
        .map_err(StoreError::call)?;
    let Some(item) = out.item else {
        return Ok(None);
    };
    let text = get_s(&item, "outcome")?;
    serde_json::from_str(text).map(Some).map_err(|e| {
        StoreError::record(format!("the outcome {consumer} recorded for {event_id}"), e)
    })
}

/// Whether a failed TransactWriteItems was cancelled because a condition
/// did not hold (as opposed to throttling or a conflict, which may pass on
/// retry). Returns the index of each item whose condition failed.
pub fn failed_conditions(
    err: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError>,
) -> Option<Vec<usize>> {
    let service = err.as_service_error()?;
    let aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(tce) = service else {
        return None;
    };
    let failed: Vec<usize> = tce
        .cancellation_reasons()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
        .map(|(i, _)| i)
        .collect();
    (!failed.is_empty()).then_some(failed)
}

/// Commits one state change together with the idempotency record of
/// `cause` in a single TransactWriteItems. If the record's condition fails,
/// another delivery of `cause` won the race and its recorded outcome is
/// returned; if only the change's condition fails, the item changed under
/// another event (`conflict` says how) and a retry will decide again.
pub async fn commit_with_marker(
    client: &Client,
    table: &str,
    consumer: &str,
    change: TransactWriteItem,
    cause: EventId,
    outcome: &[OutgoingEvent],
    conflict: impl FnOnce() -> String,
) -> Result<crate::Commit, StoreError> {
    let marker = mark_processed(
        table,
        consumer,
        cause,
        outcome,
        chrono::Utc::now().timestamp(),
    )?;
    let result = client
        .transact_write_items()
        .transact_items(change)
        .transact_items(marker)
        .send()
        .await;
    let Err(err) = result else {
        return Ok(crate::Commit::Done(()));
    };
    match failed_conditions(&err) {
        Some(failed) if failed.contains(&1) => processed_outcome(client, table, consumer, cause)
            .await?
            .map(crate::Commit::AlreadyProcessed)
            .ok_or_else(|| {
                StoreError::Unavailable(format!(
                    "event {cause} is marked handled but its record is not readable yet"
                ))
            }),
        Some(_) => Err(StoreError::Unavailable(conflict())),
        None => Err(StoreError::call(err)),
    }
}
