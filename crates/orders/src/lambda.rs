//! Lambda adapters: an SQS batch of saga events for the consumer, an API
//! Gateway HTTP API request for the order API. (The outbox relay's adapter
//! is [`crate::relay::relay_stream`].)

use crate::api;
use crate::ports::OrderStore;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::{Body, Request, Response};
use platform::consumer::consume_batch;
use platform::{EventPublisher, http};

pub async fn consume<S: OrderStore, P: EventPublisher>(
    store: &S,
    reads: &events::Reads,
    publisher: &P,
    batch: SqsEvent,
) -> SqsBatchResponse {
    // Boxed: the nested futures are otherwise too deep for the compiler's
    // layout computation of the binary's main future.
    Box::pin(consume_batch(publisher, reads, batch, |event| {
        crate::handle(store, event, chrono::Utc::now())
    }))
    .await
}

/// Serves `POST /orders` and `GET /orders/{id}` through [`api::serve`]:
/// the `lambda_http` shell.
pub async fn serve<S: OrderStore>(store: &S, request: Request) -> Response<Body> {
    http::lambda::response(api::serve(store, http::lambda::request(request)).await)
}
