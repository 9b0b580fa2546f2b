//! The payment consumer over a real SQLite file that fails, and what its
//! failure says about a retry: a database another process holds locked is
//! worth retrying, and the retry succeeds; a write the schema refuses, or a
//! damaged table, is not (a retry would do the same again), though the
//! message still fails, so it reaches the DLQ with SQLite's own words.
//! Before, every SQLite error was a retryable "store unavailable".

use events::{SagaEvent, detail_type as dt};
use payment::{PaymentError, SimulatedGateway, SqlitePaymentStore, handle};
use platform::consumer::{ConsumerError, consume_batch_detailed, handle_and_publish};
use platform::sqlite::Db;
use platform::store::SqliteFault;
use platform::{Retryable, StoreError};
use std::path::Path;
use testkit::RecordingPublisher;
use testkit::examples::{event, text};
use testkit::sqs::{batch, message};

fn reserved() -> SagaEvent {
    event("inventory-reserved")
}

fn store(path: &Path) -> SqlitePaymentStore {
    SqlitePaymentStore::new(Db::open(path).expect("open")).expect("schema")
}

async fn consume(
    store: &SqlitePaymentStore,
    publisher: &RecordingPublisher,
    event: SagaEvent,
) -> Result<(), ConsumerError<PaymentError>> {
    let gateway = SimulatedGateway::default();
    handle_and_publish(publisher, event, |e| {
        handle(store, &gateway, e, testkit::clock::seconds_later(1))
    })
    .await
    .map(drop)
}

fn sqlite_fault(error: &ConsumerError<PaymentError>) -> SqliteFault {
    match error {
        ConsumerError::Handler(PaymentError::Store(StoreError::Sqlite { fault, .. })) => *fault,
        other => panic!("not a SQLite failure: {other:?}"),
    }
}

#[tokio::test]
async fn a_database_locked_by_another_process_fails_the_event_as_retryable_and_the_retry_succeeds()
{
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saga.db");
    let store = store(&path);
    let publisher = RecordingPublisher::default();
    // Another writer holds the write lock past the store's busy timeout.
    let holder = rusqlite::Connection::open(&path).expect("open");
    holder.execute_batch("BEGIN IMMEDIATE").expect("the lock");

    let error = consume(&store, &publisher, reserved())
        .await
        .expect_err("the database is locked");
    assert_eq!(sqlite_fault(&error), SqliteFault::Busy);
    assert!(error.is_retryable(), "{}", platform::error::chain(&error));
    assert!(publisher.published().is_empty());

    holder.execute_batch("ROLLBACK").expect("released");
    consume(&store, &publisher, reserved())
        .await
        .expect("the retry succeeds once the lock is gone");
    let published = publisher.published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].detail_type, dt::PAYMENT_AUTHORIZED);
}

#[tokio::test]
async fn a_write_the_schema_refuses_fails_the_event_as_permanent_with_sqlite_s_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saga.db");
    let db = Db::open(&path).expect("open");
    let store = SqlitePaymentStore::new(db.clone()).expect("schema");
    // A schema bug: one idempotency record per consumer, so the second
    // event the consumer records breaks the index.
    db.migrate("CREATE UNIQUE INDEX one_record_per_consumer ON processed_events (consumer)")
        .expect("index");
    let publisher = RecordingPublisher::default();
    consume(&store, &publisher, reserved())
        .await
        .expect("the first event");

    let error = consume(&store, &publisher, event("shipment-failed"))
        .await
        .expect_err("the second record breaks the index");
    assert_eq!(sqlite_fault(&error), SqliteFault::Constraint);
    assert!(!error.is_retryable(), "{}", platform::error::chain(&error));

    // Through the Lambda's batch handling: the message still fails (so
    // after its receives it reaches the DLQ), with SQLite's own words.
    let gateway = SimulatedGateway::default();
    let failed = consume_batch_detailed(
        &publisher,
        &events::Reads::all(),
        batch([message("refund", text("shipment-failed"))]),
        |e| handle(&store, &gateway, e, testkit::clock::seconds_later(2)),
    )
    .await;
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]
            .error
            .contains("UNIQUE constraint failed: processed_events.consumer"),
        "{}",
        failed[0].error
    );
    // Nothing of the refund was kept: its unit was rolled back whole.
    assert_eq!(publisher.published().len(), 1);
}

#[tokio::test]
async fn a_damaged_payments_table_fails_the_event_as_permanent_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("saga.db");
    {
        let store = store(&path);
        consume(&store, &RecordingPublisher::default(), reserved())
            .await
            .expect("a payment on record");
    }
    testkit::sqlite::damage_table(&path, "payments");
    let store = store(&path);

    let error = consume(
        &store,
        &RecordingPublisher::default(),
        event("shipment-failed"),
    )
    .await
    .expect_err("the payments table is damaged");
    assert_eq!(sqlite_fault(&error), SqliteFault::Damaged);
    assert!(!error.is_retryable(), "{}", platform::error::chain(&error));
}
