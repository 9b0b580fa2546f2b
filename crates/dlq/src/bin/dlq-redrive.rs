//! Lambda entry point: DlqRedriveFunction, invoked by hand:
//! `aws lambda invoke --function-name <DlqRedriveFunction> --payload '{"queue":"InventoryDLQ"}' out.json`
//! (an empty object redrives every queue).

use dlq::dynamo::DynamoDlqStore;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use platform::eventbridge::EventBridgePublisher;
use platform::{config, telemetry};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    queue: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda("dlq");
    let table = config::required("DLQ_TABLE")?;
    let bus = config::required("EVENT_BUS_NAME")?;
    let aws = config::aws().await;
    let store = DynamoDlqStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let publisher = EventBridgePublisher::new(aws_sdk_eventbridge::Client::new(&aws), bus);
    let (store, publisher) = (&store, &publisher);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Request>| async move {
        let report = dlq::redrive(
            store,
            publisher,
            event.payload.queue.as_deref(),
            chrono::Utc::now(),
        )
        .await?;
        Ok::<_, Error>(report)
    }))
    .await
}
