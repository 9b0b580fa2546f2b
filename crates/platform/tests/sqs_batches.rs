//! The shared SQS batch handling of every consumer Lambda: partial batch
//! failures (`ReportBatchItemFailures`,
//! https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting),
//! and messages that are not saga events failed by id, never dropped.

use events::{Reads, SagaEvent};
use platform::Retryable;
use platform::sqs::{process_batch, process_batch_detailed};
use std::fmt::Display;
use std::sync::Mutex;
use testkit::examples;
use testkit::sqs::{batch, failed_ids, message};

#[derive(Debug)]
struct Boom;
impl Display for Boom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("boom")
    }
}
impl std::error::Error for Boom {}
impl Retryable for Boom {
    fn is_retryable(&self) -> bool {
        true
    }
}

#[tokio::test]
async fn a_failing_message_does_not_fail_the_rest_of_its_batch() {
    let seen = Mutex::new(Vec::new());
    let batch = batch([
        message("m1", examples::text("order-placed")),
        message("m2", examples::text("payment-failed")),
        message("m3", examples::text("shipment-failed")),
    ]);
    let response = process_batch(&Reads::all(), batch, |e: SagaEvent| {
        seen.lock().unwrap().push(e.detail_type());
        let fail = e.detail_type() == "Payment Failed";
        async move { if fail { Err(Boom) } else { Ok(()) } }
    })
    .await;
    let failed = failed_ids(&response);
    assert_eq!(failed, vec!["m2"]);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn unparseable_and_unknown_messages_are_reported_as_failed() {
    let unknown = examples::text("order-placed").replace("Order Placed", "Order Teleported");
    let batch = batch([
        message("garbage", "{not json"),
        message("unknown", unknown),
        message("ok", examples::text("order-confirmed")),
    ]);
    let response = process_batch(&Reads::all(), batch, |_e: SagaEvent| async {
        Ok::<(), Boom>(())
    })
    .await;
    let failed = failed_ids(&response);
    assert_eq!(failed, vec!["garbage", "unknown"]);
}

#[tokio::test]
async fn a_consumer_reading_major_1_only_skips_a_copy_it_reads_elsewhere_and_fails_one_it_does_not()
{
    let v2 = examples::text("shipment-scheduled.v2");
    let mut copy: serde_json::Value = serde_json::from_str(&v2).unwrap();
    copy["detail"]["metadata"]["alsoPublishedAs"] = serde_json::json!([1]);
    let batch = batch([
        message("v2-copy", copy.to_string()),
        message("v2-only", v2),
        message("v1", examples::text("shipment-scheduled")),
    ]);
    let reads = Reads::from_env([("READS_SHIPMENT_SCHEDULED_MAJORS", "1")]).unwrap();
    let seen = Mutex::new(Vec::new());
    let failed = process_batch_detailed(&reads, batch, |e: SagaEvent| {
        seen.lock().unwrap().push(e.metadata().version);
        async { Ok::<(), Boom>(()) }
    })
    .await;
    assert_eq!(
        *seen.lock().unwrap(),
        [1],
        "only the major 1 copy is handled"
    );
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].message_id, "v2-only");
    assert_eq!(
        failed[0].error,
        "`Shipment Scheduled` version 2 is not a major this consumer reads (it reads version 1)"
    );
}
