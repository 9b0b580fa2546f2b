//! The service error of an AWS SDK request, for the tests of error shapes:
//! what an SDK user matches on (`is_queue_does_not_exist()`, its message
//! and code).

use aws_smithy_runtime_api::client::result::{CreateUnhandledError, SdkError};
use std::fmt::Debug;
use std::future::Future;

/// Sends the request and returns the service error it must end in. Panics,
/// naming what happened, when it succeeds or fails without an answer from
/// the service (a connection refused, a timeout, a response that does not
/// parse), where `into_service_error` would have hidden that in an
/// "unhandled" error.
pub async fn service_error<T, E, R>(request: impl Future<Output = Result<T, SdkError<E, R>>>) -> E
where
    T: Debug,
    E: std::error::Error + Send + Sync + CreateUnhandledError + 'static,
    R: Debug + Send + Sync + 'static,
{
    match request.await {
        Ok(output) => panic!("expected a service error, the request succeeded: {output:?}"),
        Err(SdkError::ServiceError(context)) => context.into_err(),
        Err(other) => panic!(
            "expected a service error, the request failed otherwise: {}",
            platform::error::chain(&other)
        ),
    }
}
