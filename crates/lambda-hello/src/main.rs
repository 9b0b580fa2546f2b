//! A bare `lambda_runtime` hello world: the baseline the functions' cold
//! starts are compared with (`lambda-bench`), built by the same cargo
//! invocation and profile as the functions' bootstraps.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<_, Error>(json!({ "hello": "world", "echo": event.payload }))
    }))
    .await
}
