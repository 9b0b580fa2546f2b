//! `POST /orders`, `GET /orders/{id}` behind API Gateway (HTTP API).

use lambda_http::{Error, Request, service_fn};
use orders::{DynamoOrderStore, lambda};
use platform::{config, telemetry};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda("orders");
    let table = config::required("ORDERS_TABLE")?;
    let aws = config::aws().await;
    let store = DynamoOrderStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    let store = &store;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(lambda::serve(store, request).await)
    }))
    .await
}
