//! Lambda adapters: an SQS batch of saga events for the consumer, an API
//! Gateway HTTP API request for the order API. (The outbox relay's adapter
//! is [`crate::relay::relay_stream`].)

use crate::api::{self, IDEMPOTENCY_KEY_HEADER};
use crate::ports::OrderStore;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};
use platform::EventPublisher;
use platform::consumer::consume_batch;

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

/// Serves `POST /orders` and `GET /orders/{id}` through [`api::route`].
pub async fn serve<S: OrderStore>(store: &S, request: Request) -> Response<Body> {
    let path = match request.raw_http_path() {
        "" => request.uri().path().to_owned(),
        raw => raw.to_owned(),
    };
    let key = request
        .headers()
        .get(IDEMPOTENCY_KEY_HEADER)
        .map(|v| api::idempotency_key_text(v.as_bytes()).into_owned());
    let response = api::route(
        store,
        request.method().as_str(),
        &path,
        key.as_deref(),
        request.body().as_ref(),
        chrono::Utc::now(),
    )
    .await;
    let mut http = Response::new(Body::Text(response.body.to_string()));
    *http.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = http.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if response.status == 503 {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    http
}
