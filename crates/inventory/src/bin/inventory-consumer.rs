//! Lambda entry point: InventoryFunction (SQS: InventoryQueue).
// The consumer future nests the batch loop, the publish step, the handler
// and the store calls; its layout needs more than the default depth.
#![recursion_limit = "256"]

use inventory::dynamo::DynamoInventoryStore;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use platform::eventbridge::EventBridgePublisher;
use platform::{config, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda("inventory");
    let table = config::required("INVENTORY_TABLE")?;
    let bus = config::required("EVENT_BUS_NAME")?;
    let reads = events::Reads::from_env(std::env::vars())?;
    let aws = config::aws().await;
    let store = DynamoInventoryStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let publisher = EventBridgePublisher::new(aws_sdk_eventbridge::Client::new(&aws), bus);
    let (store, reads, publisher) = (&store, &reads, &publisher);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<_>| async move {
        Ok::<_, Error>(inventory::lambda::consume(store, reads, publisher, event.payload).await)
    }))
    .await
}
