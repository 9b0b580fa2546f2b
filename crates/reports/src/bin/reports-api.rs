//! `GET /reports/{name}` behind API Gateway (HTTP API): the reports as
//! Athena named queries over the S3 data lake.

use lambda_http::{Error, Request, service_fn};
use platform::{config, telemetry};
use reports::athena::AthenaReports;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_lambda("reports");
    let aws = config::aws().await;
    let reports = AthenaReports::from_env(aws_sdk_athena::Client::new(&aws))?;
    let reports = &reports;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(reports::lambda::serve(reports, request).await)
    }))
    .await
}
