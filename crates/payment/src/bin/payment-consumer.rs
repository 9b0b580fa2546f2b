//! The PaymentFunction entry point (infra/template.yaml).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use payment::{DynamoPaymentStore, SimulatedGateway};
use platform::config::{self, required};
use platform::eventbridge::EventBridgePublisher;

#[tokio::main]
async fn main() -> Result<(), Error> {
    platform::telemetry::init_lambda("payment");
    let table = required("PAYMENTS_TABLE")?;
    let bus = required("EVENT_BUS_NAME")?;
    let gateway = SimulatedGateway::from_env()?;
    let reads = events::Reads::from_env(std::env::vars())?;
    let aws = config::aws().await;
    let store = DynamoPaymentStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let publisher = EventBridgePublisher::new(aws_sdk_eventbridge::Client::new(&aws), bus);
    let (store, gateway, reads, publisher) = (&store, &gateway, &reads, &publisher);
    let handler = service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let response = payment::lambda::consume(store, gateway, reads, publisher, event.payload);
        Ok::<_, Error>(response.await)
    });
    // Boxed: the runtime's future nests deeper than rustc's default layout limit.
    Box::pin(lambda_runtime::run(handler)).await
}
