//! The outbox relay: OUTBOX# inserts from the orders table's stream to the bus.

use aws_lambda_events::event::dynamodb::Event;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use platform::eventbridge::EventBridgePublisher;
use platform::{config, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda("outbox-relay");
    let bus = config::required("EVENT_BUS_NAME")?;
    let aws = config::aws().await;
    let publisher = EventBridgePublisher::new(aws_sdk_eventbridge::Client::new(&aws), bus);
    let publisher = &publisher;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        Ok::<_, Error>(orders::relay_stream(publisher, event.payload).await)
    }))
    .await
}
