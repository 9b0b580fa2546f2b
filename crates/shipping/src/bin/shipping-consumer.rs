//! The ShippingFunction entry point (infra/template.yaml).

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use platform::config::{self, required};
use platform::eventbridge::EventBridgePublisher;
use shipping::{DynamoShipmentStore, SimulatedCarrier};

#[tokio::main]
async fn main() -> Result<(), Error> {
    platform::telemetry::init_lambda("shipping");
    let table = required("SHIPMENTS_TABLE")?;
    let bus = required("EVENT_BUS_NAME")?;
    let carrier = SimulatedCarrier::from_env()?;
    let majors = std::env::var(shipping::domain::SCHEDULED_MAJORS_VAR).ok();
    let majors = shipping::domain::scheduled_majors(majors.as_deref())?;
    let reads = events::Reads::from_env(std::env::vars())?;
    let aws = config::aws().await;
    let store = DynamoShipmentStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let publisher = EventBridgePublisher::new(aws_sdk_eventbridge::Client::new(&aws), bus);
    let (store, carrier, majors, reads) = (&store, &carrier, &majors, &reads);
    let publisher = &publisher;
    let handler = service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let response =
            shipping::lambda::consume(store, carrier, majors, reads, publisher, event.payload);
        Ok::<_, Error>(response.await)
    });
    // Boxed: the runtime's future nests deeper than rustc's default layout limit.
    Box::pin(lambda_runtime::run(handler)).await
}
