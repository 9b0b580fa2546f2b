//! The orders consumer: every saga event from the orders queue.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use orders::{DynamoOrderStore, lambda};
use platform::eventbridge::EventBridgePublisher;
use platform::{config, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda("orders");
    let table = config::required("ORDERS_TABLE")?;
    let bus = config::required("EVENT_BUS_NAME")?;
    let reads = events::Reads::from_env(std::env::vars())?;
    let aws = config::aws().await;
    let store = DynamoOrderStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let publisher = EventBridgePublisher::new(aws_sdk_eventbridge::Client::new(&aws), bus);
    let (store, reads, publisher) = (&store, &reads, &publisher);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, Error>(lambda::consume(store, reads, publisher, event.payload).await)
    }))
    .await
}
