//! The outbox relay's event source mapping: reads the orders table's
//! stream from `TRIM_HORIZON` (the template's `StartingPosition`), keeps
//! only outbox inserts (the template's `FilterCriteria`), and calls the
//! relay's entry point with batches of at most 100 records
//! (`BatchSize`). A failed batch is retried from the record the relay
//! reported (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-batchfailurereporting.html).
//! An empty shard is read again after 250 ms: Lambda polls a stream's
//! shards four times a second
//! (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html).

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
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
        // Shard id -> the iterator to read next (None once the shard closed).
        let mut iterators: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut stream_arn = None;
        let mut refreshed = tokio::time::Instant::now() - SHARD_REFRESH;
        loop {
            if refreshed.elapsed() >= SHARD_REFRESH {
                match self.refresh(&mut iterators, &mut stream_arn).await {
                    Ok(()) => refreshed = tokio::time::Instant::now(),
                    Err(error) => {
                        tracing::error!(%error, table = %self.table, "reading the stream's shards failed; retrying")
                    }
                }
            }
            let mut read_any = false;
            if let Some(arn) = &stream_arn {
                for iterator in iterators.values_mut() {
                    read_any |= self.read(arn, iterator).await;
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
        iterators: &mut BTreeMap<String, Option<String>>,
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
                if iterators.contains_key(id) {
                    continue;
                }
                let iterator = self
                    .streams
                    .get_shard_iterator()
                    .stream_arn(&arn)
                    .shard_id(id)
                    .shard_iterator_type(ShardIteratorType::TrimHorizon)
                    .send()
                    .await
                    .map_err(|e| {
                        aws_sdk_dynamodbstreams::error::DisplayErrorContext(e).to_string()
                    })?
                    .shard_iterator;
                iterators.insert(id.to_owned(), iterator);
            }
            start = description.last_evaluated_shard_id;
            if start.is_none() {
                break;
            }
        }
        *stream_arn = Some(arn);
        Ok(())
    }

    /// Reads one batch of a shard and relays it; says whether it had records.
    async fn read(&self, arn: &str, iterator: &mut Option<String>) -> bool {
        let Some(current) = iterator.clone() else {
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
        *iterator = out.next_shard_iterator;
        had_records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
