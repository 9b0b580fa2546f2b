//! The outbox relay's event source mapping: reads the orders table's
//! stream from `TRIM_HORIZON` (the template's `StartingPosition`), keeps
//! only outbox inserts (the template's `FilterCriteria`), and calls the
//! relay's entry point with batches of at most 100 records
//! (`BatchSize`). A failed batch is retried from the record the relay
//! reported (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-batchfailurereporting.html).
//! An empty shard is read again after 250 ms: Lambda polls a stream's
//! shards four times a second
//! (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).
//!
//! A shard iterator does not last: on AWS it expires 15 minutes after it
//! was handed out (`ExpiredIteratorException`), and one whose position is
//! no longer in the shard fails with `TrimmedDataAccessException`
//! (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html,
//! https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html).
//! Like Lambda's poller, the reader then takes a fresh iterator from where
//! it stopped: `AFTER_SEQUENCE_NUMBER` of the last record it handled, or
//! `TRIM_HORIZON` if it handled none yet, and goes on.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_sdk_dynamodbstreams::operation::get_records::GetRecordsError;
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use platform::eventbridge::EventBridgePublisher;
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::watch;

const BATCH_SIZE: i32 = 100;
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// How often the shard list is read again (shards split and close).
const SHARD_REFRESH: Duration = Duration::from_secs(10);

/// Where the reader is in one shard.
#[derive(Debug, Default)]
struct Cursor {
    /// The iterator to read next; `None` once the shard is closed and read
    /// to its end.
    iterator: Option<String>,
    /// The sequence number of the last record handled (relayed, or left
    /// out by the filter): a fresh iterator starts after it.
    last_sequence: Option<String>,
}

/// Where a fresh iterator for a shard starts: after the last record
/// handled, or at the oldest record when none was.
fn fresh_position(last_sequence: Option<&str>) -> (ShardIteratorType, Option<String>) {
    match last_sequence {
        Some(sequence) => (
            ShardIteratorType::AfterSequenceNumber,
            Some(sequence.to_owned()),
        ),
        None => (ShardIteratorType::TrimHorizon, None),
    }
}

/// True for the errors a fresh iterator cures.
fn iterator_is_stale(error: &GetRecordsError) -> bool {
    error.is_expired_iterator_exception() || error.is_trimmed_data_access_exception()
}

pub(crate) struct StreamRelay {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub streams: aws_sdk_dynamodbstreams::Client,
    pub table: String,
    pub region: String,
    pub publisher: EventBridgePublisher,
}

/// DynamoDB JSON (`{"S": "..."}`) of a stream attribute value.
fn attribute_json(value: &AttributeValue) -> Json {
    let b64 = |b: &aws_sdk_dynamodbstreams::primitives::Blob| {
        Json::String(aws_smithy_types::base64::encode(b.as_ref()))
    };
    match value {
        AttributeValue::S(s) => json!({"S": s}),
        AttributeValue::N(n) => json!({"N": n}),
        AttributeValue::B(b) => json!({"B": b64(b)}),
        AttributeValue::Bool(b) => json!({"BOOL": b}),
        AttributeValue::Null(_) => json!({"NULL": true}),
        AttributeValue::Ss(v) => json!({"SS": v}),
        AttributeValue::Ns(v) => json!({"NS": v}),
        AttributeValue::Bs(v) => json!({"BS": v.iter().map(b64).collect::<Vec<_>>()}),
        AttributeValue::L(v) => json!({"L": v.iter().map(attribute_json).collect::<Vec<_>>()}),
        AttributeValue::M(m) => json!({"M": item_json(Some(m))}),
        _ => Json::Null,
    }
}

fn item_json(item: Option<&std::collections::HashMap<String, AttributeValue>>) -> Json {
    Json::Object(
        item.into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), attribute_json(v)))
            .collect::<Map<_, _>>(),
    )
}

/// The record as the Lambda event delivers it.
fn lambda_record(r: &Record, stream_arn: &str, region: &str) -> Result<EventRecord, String> {
    let d = r
        .dynamodb
        .as_ref()
        .ok_or("stream record without its dynamodb part")?;
    let mut record = json!({
        "eventID": r.event_id,
        "eventName": r.event_name.as_ref().map(|n| n.as_str()),
        "eventVersion": r.event_version,
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "eventSourceARN": stream_arn,
        "dynamodb": {
            "ApproximateCreationDateTime": d.approximate_creation_date_time.map(|t| t.as_secs_f64()),
            "Keys": item_json(d.keys.as_ref()),
            "NewImage": item_json(d.new_image.as_ref()),
            "SequenceNumber": d.sequence_number,
            "SizeBytes": d.size_bytes.unwrap_or_default(),
            "StreamViewType": d.stream_view_type.as_ref().map(|v| v.as_str()),
        }
    });
    // Absent fields stay absent: the Lambda event types take no nulls.
    if let Some(change) = record["dynamodb"].as_object_mut() {
        change.retain(|_, v| !v.is_null());
    }
    if let Some(top) = record.as_object_mut() {
        top.retain(|_, v| !v.is_null());
    }
    serde_json::from_value(record).map_err(|e| e.to_string())
}

/// The template's filter: `eventName` INSERT, `NewImage.PK` starting with
/// `OUTBOX#`.
fn is_outbox_insert(record: &EventRecord) -> bool {
    record.event_name == "INSERT"
        && serde_json::to_value(&record.change.new_image).is_ok_and(|image| {
            image["PK"]["S"]
                .as_str()
                .is_some_and(|pk| pk.starts_with(orders::relay::OUTBOX_PK_PREFIX))
        })
}

impl StreamRelay {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut cursors: BTreeMap<String, Cursor> = BTreeMap::new();
        let mut stream_arn = None;
        let mut refreshed = tokio::time::Instant::now() - SHARD_REFRESH;
        loop {
            if refreshed.elapsed() >= SHARD_REFRESH {
                match self.refresh(&mut cursors, &mut stream_arn).await {
                    Ok(()) => refreshed = tokio::time::Instant::now(),
                    Err(error) => {
                        tracing::error!(%error, table = %self.table, "reading the stream's shards failed; retrying")
                    }
                }
            }
            let mut read_any = false;
            if let Some(arn) = &stream_arn {
                for (shard, cursor) in &mut cursors {
                    read_any |= self.read(arn, shard, cursor).await;
                }
            }
            if read_any {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Finds the stream and any shard not read yet.
    async fn refresh(
        &self,
        cursors: &mut BTreeMap<String, Cursor>,
        stream_arn: &mut Option<String>,
    ) -> Result<(), String> {
        let arn = match stream_arn {
            Some(arn) => arn.clone(),
            None => self
                .dynamodb
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())?
                .table
                .and_then(|t| t.latest_stream_arn)
                .ok_or_else(|| format!("table {} has no stream", self.table))?,
        };
        let mut start = None;
        loop {
            let out = self
                .streams
                .describe_stream()
                .stream_arn(&arn)
                .set_exclusive_start_shard_id(start)
                .send()
                .await
                .map_err(|e| aws_sdk_dynamodbstreams::error::DisplayErrorContext(e).to_string())?;
            let Some(description) = out.stream_description else {
                break;
            };
            for shard in description.shards() {
                let Some(id) = shard.shard_id() else { continue };
                if cursors.contains_key(id) {
                    continue;
                }
                let iterator = self.iterator(&arn, id, None).await?;
                cursors.insert(
                    id.to_owned(),
                    Cursor {
                        iterator,
                        last_sequence: None,
                    },
                );
            }
            start = description.last_evaluated_shard_id;
            if start.is_none() {
                break;
            }
        }
        *stream_arn = Some(arn);
        Ok(())
    }

    /// A shard iterator from [`fresh_position`] (`TRIM_HORIZON`, the
    /// template's `StartingPosition`, for a shard not read yet).
    async fn iterator(
        &self,
        arn: &str,
        shard: &str,
        last_sequence: Option<&str>,
    ) -> Result<Option<String>, String> {
        let (kind, sequence) = fresh_position(last_sequence);
        self.streams
            .get_shard_iterator()
            .stream_arn(arn)
            .shard_id(shard)
            .shard_iterator_type(kind)
            .set_sequence_number(sequence)
            .send()
            .await
            .map(|out| out.shard_iterator)
            .map_err(|e| aws_sdk_dynamodbstreams::error::DisplayErrorContext(e).to_string())
    }

    /// Reads one batch of a shard and relays it; says whether it had records
    /// (or should be read again at once).
    async fn read(&self, arn: &str, shard: &str, cursor: &mut Cursor) -> bool {
        let Some(current) = cursor.iterator.clone() else {
            return false;
        };
        let out = match self
            .streams
            .get_records()
            .shard_iterator(&current)
            .limit(BATCH_SIZE)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(iterator_is_stale) => {
                let from = cursor.last_sequence.as_deref().unwrap_or("TRIM_HORIZON");
                tracing::warn!(error = %aws_sdk_dynamodbstreams::error::DisplayErrorContext(&e), %shard, %from, "shard iterator no longer valid; taking a fresh one");
                return match self
                    .iterator(arn, shard, cursor.last_sequence.as_deref())
                    .await
                {
                    Ok(iterator) => {
                        cursor.iterator = iterator;
                        true
                    }
                    Err(error) => {
                        tracing::error!(%error, %shard, "GetShardIterator failed; retrying");
                        false
                    }
                };
            }
            Err(e) => {
                tracing::error!(error = %aws_sdk_dynamodbstreams::error::DisplayErrorContext(e), "GetRecords failed; retrying");
                return false;
            }
        };
        let mut event = Event::default();
        for r in out.records() {
            match lambda_record(r, arn, &self.region) {
                Ok(record) if is_outbox_insert(&record) => event.records.push(record),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "stream record not readable; skipped"),
            }
        }
        let had_records = !out.records().is_empty();
        if !event.records.is_empty() {
            let response = orders::relay_stream(&self.publisher, event).await;
            if !response.batch_item_failures.is_empty() {
                // Read again from the record the relay failed at: keep the
                // current iterator (moto and DynamoDB hand out a fresh one
                // per call, and the batch is re-read whole; consumers
                // dedupe what was already published).
                tracing::warn!("outbox relay failed part of a batch; it is read again");
                return false;
            }
        }
        if let Some(last) = out
            .records()
            .iter()
            .rev()
            .find_map(|r| r.dynamodb.as_ref()?.sequence_number.clone())
        {
            cursor.last_sequence = Some(last);
        }
        cursor.iterator = out.next_shard_iterator;
        had_records
    }
}

#[cfg(test)]
#[path = "stream_recovery_tests.rs"]
mod recovery_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_iterator_starts_after_the_last_handled_record_or_at_the_trim_horizon() {
        assert_eq!(
            fresh_position(Some("4200")),
            (ShardIteratorType::AfterSequenceNumber, Some("4200".into()))
        );
        assert_eq!(fresh_position(None), (ShardIteratorType::TrimHorizon, None));
    }

    #[test]
    fn only_an_expired_or_trimmed_iterator_asks_for_a_fresh_one() {
        use aws_sdk_dynamodbstreams::types::error::{
            ExpiredIteratorException, LimitExceededException, TrimmedDataAccessException,
        };
        let expired =
            GetRecordsError::ExpiredIteratorException(ExpiredIteratorException::builder().build());
        let trimmed = GetRecordsError::TrimmedDataAccessException(
            TrimmedDataAccessException::builder().build(),
        );
        let throttled =
            GetRecordsError::LimitExceededException(LimitExceededException::builder().build());
        assert!(iterator_is_stale(&expired));
        assert!(iterator_is_stale(&trimmed));
        assert!(!iterator_is_stale(&throttled));
    }

    #[test]
    fn a_stream_record_becomes_the_lambda_record_and_only_outbox_inserts_pass_the_filter() {
        let image = |pk: &str| {
            std::collections::HashMap::from([
                ("PK".to_owned(), AttributeValue::S(pk.into())),
                ("SK".to_owned(), AttributeValue::S("OUTBOX".into())),
                (
                    "expiresAt".to_owned(),
                    AttributeValue::N("1795424400".into()),
                ),
            ])
        };
        let record = |name: &str, pk: &str| {
            Record::builder()
                .event_id("e1")
                .event_name(aws_sdk_dynamodbstreams::types::OperationType::from(name))
                .dynamodb(
                    aws_sdk_dynamodbstreams::types::StreamRecord::builder()
                        .set_new_image(Some(image(pk)))
                        .sequence_number("42")
                        .size_bytes(10)
                        .build(),
                )
                .build()
        };
        let outbox = lambda_record(&record("INSERT", "OUTBOX#1"), "arn:s", "eu-west-1").unwrap();
        assert_eq!(outbox.change.sequence_number.as_deref(), Some("42"));
        assert!(is_outbox_insert(&outbox));
        let order = lambda_record(&record("INSERT", "ORDER#1"), "arn:s", "eu-west-1").unwrap();
        assert!(!is_outbox_insert(&order));
        let modify = lambda_record(&record("MODIFY", "OUTBOX#1"), "arn:s", "eu-west-1").unwrap();
        assert!(!is_outbox_insert(&modify));
    }
}
