//! Lambda entry point: DlqFunction (SQS: every dead-letter queue).

use dlq::dynamo::DynamoDlqStore;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use platform::{config, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda("dlq");
    let table = config::required("DLQ_TABLE")?;
    let aws = config::aws().await;
    let store = DynamoDlqStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let store = &store;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<_>| async move {
        Ok::<_, Error>(dlq::record_batch(store, event.payload, chrono::Utc::now()).await)
    }))
    .await
}
