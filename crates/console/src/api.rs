//! The console's JSON endpoints under `/console/api`. Errors have the
//! shape every route of `saga run` answers with:
//! `{"error": {"code", "message"}}`; a client's mistake is a `400` that
//! names it, never a `500`.

use crate::request::{ApiError, BATCH, FEED_PARAMS, FeedQuery, number, query};
use crate::{Console, assets, dead_letters, diagram, feed, queues, trace};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;

type Answer = Result<Response, ApiError>;

fn ok(value: impl serde::Serialize) -> Answer {
    Ok(axum::Json(value).into_response())
}

/// A JSON body of the expected shape, unknown fields refused.
fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("the body is not the expected JSON: {e}")))
}

/// Runs a read of the database off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
}

pub(crate) fn router(console: Console) -> Router {
    Router::new()
        .route("/console", get(assets::to_index))
        .route("/console/", get(assets::index))
        .route("/console/console.css", get(assets::css))
        .route("/console/console.js", get(assets::js))
        .route("/console/api/wiring", get(wiring))
        .route("/console/api/events", get(feed))
        .route("/console/api/stream", get(crate::stream::stream))
        .route("/console/api/queues", get(queue_stats))
        .route("/console/api/dead-letters", get(letters))
        .route("/console/api/dead-letters/redrive", post(redrive))
        .route("/console/api/orders/{id}", get(order))
        .route("/console/api/routes", post(routes))
        .route("/console/api/examples", get(examples))
        .with_state(console)
}

async fn wiring(State(console): State<Console>) -> Answer {
    let saga = console.running()?;
    let w = &saga.wiring;
    ok(json!({
        "bus": w.resources.bus_name,
        "archive": w.resources.archive.as_ref().map(|a| &a.name),
        "rules": w.resources.rules.iter().map(|r| json!({
            "name": r.name,
            "enabled": r.enabled,
            "eventPattern": serde_json::from_str::<serde_json::Value>(&r.event_pattern)
                .unwrap_or_else(|_| r.event_pattern.clone().into()),
            "targets": r.targets.iter().map(|t| json!({"id": t.id, "queue": t.queue})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "queues": w.resources.queues.iter().map(|q| json!({
            "name": q.name,
            "visibilityTimeoutSeconds": q.visibility_timeout.as_secs(),
            "deadLetterQueue": q.redrive.as_ref().map(|r| &r.dead_letter_queue),
            "maxReceiveCount": q.redrive.as_ref().map(|r| r.max_receive_count),
        })).collect::<Vec<_>>(),
        "functions": w.wiring.consumers.iter().map(|c| json!({
            "name": c.function,
            "queue": c.queue,
            "batchSize": c.batch_size,
        })).collect::<Vec<_>>(),
        "svg": diagram::svg(w),
    }))
}

async fn feed(
    State(console): State<Console>,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Answer {
    let saga = console.running()?;
    let q: FeedQuery = query(q, FEED_PARAMS)?;
    let after = number::<i64>("after", q.after.as_deref())?;
    let limit = number::<usize>("limit", q.limit.as_deref())?
        .unwrap_or(BATCH)
        .clamp(1, BATCH);
    let answer = blocking(move || {
        Ok(feed::feed(
            &saga.bus,
            &saga.wiring,
            after,
            limit,
            &q.filter,
        )?)
    })
    .await?;
    ok(answer)
}

async fn queue_stats(State(console): State<Console>) -> Answer {
    let saga = console.running()?;
    ok(queues::stats(&saga.queues, &saga.wiring, &saga.services.dead_letters).await?)
}

#[derive(serde::Deserialize)]
struct LettersQuery {
    queue: Option<String>,
}

async fn letters(
    State(console): State<Console>,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Answer {
    let saga = console.running()?;
    let q: LettersQuery = query(q, &["queue"])?;
    if let Some(queue) = &q.queue {
        dead_letters::check_dead_letter_queue(&saga.wiring, queue)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    ok(dead_letters::list(
        &saga.services.dead_letters,
        &saga.queues,
        &saga.wiring,
        q.queue.as_deref(),
    )
    .await?)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RedriveRequest {
    queue: String,
}

/// `dlq::redrive` of one DLQ, as `saga dlq redrive --queue` and the DLQ
/// Lambda do: its pending letters back on the bus with their event ids.
async fn redrive(State(console): State<Console>, bytes: Bytes) -> Answer {
    let saga = console.running()?;
    let request: RedriveRequest = body(&bytes)?;
    dead_letters::check_dead_letter_queue(&saga.wiring, &request.queue)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let report = dlq::redrive(
        &saga.services.dead_letters,
        &runtime::BusPublisher(&saga.bus),
        Some(&request.queue),
        chrono::Utc::now(),
    )
    .await
    .map_err(|e| match e {
        dlq::handler::RedriveError::InvalidQueue(e) => ApiError::bad_request(e.to_string()),
        dlq::handler::RedriveError::Store(e) => e.into(),
        dlq::handler::RedriveError::Publish(e) => ApiError::internal(e.to_string()),
    })?;
    tracing::info!(queue = %request.queue, redriven = report.redriven.len(), skipped = report.skipped.len(), "dead letters redriven from the console");
    ok(report)
}

/// An order's trace and its state in each service.
async fn order(State(console): State<Console>, Path(id): Path<String>) -> Answer {
    let saga = console.running()?;
    let order_id = events::OrderId::parse(&id).ok_or_else(|| {
        ApiError::bad_request(trace::TraceError::NotAnOrderId(id.clone()).to_string())
    })?;
    let s = saga.clone();
    let id2 = id.clone();
    let t = blocking(move || {
        trace::order_trace(&s.bus, &s.wiring, &id2).map_err(|e| match e {
            trace::TraceError::NotAnOrderId(_) => ApiError::bad_request(e.to_string()),
            trace::TraceError::Store(e) => e.into(),
            trace::TraceError::Bus(e) => ApiError::internal(e.to_string()),
        })
    })
    .await?;
    let services = &saga.services;
    use inventory::InventoryStore;
    use orders::OrderStore;
    use payment::PaymentStore;
    use shipping::ShipmentStore;
    let order = services.orders.get(order_id).await?;
    if t.steps.is_empty() && order.is_none() {
        return Err(ApiError::not_found(format!(
            "no order {id}: neither the orders table nor the archive has it"
        )));
    }
    let debug = |v: Option<String>| v.map(serde_json::Value::String).unwrap_or_default();
    let state = json!({
        "orders": order,
        "inventory": debug(services.inventory.reservation(order_id).await?.map(|r| format!("{r:#?}"))),
        "payment": debug(services.payments.payment(order_id).await?.map(|p| format!("{p:#?}"))),
        "shipping": debug(services.shipments.shipment(order_id).await?.map(|s| format!("{s:#?}"))),
    });
    ok(json!({
        "orderId": t.order_id,
        "steps": t.steps,
        "mermaid": t.mermaid(),
        "state": state,
    }))
}

/// The rules of the bus an event would match, and their targets (the
/// sandbox's second answer, beside `TestEventPattern`'s). The event is
/// first checked as the bus checks every event put on it.
async fn routes(State(console): State<Console>, bytes: Bytes) -> Answer {
    let saga = console.running()?;
    pattern::validate_event(&bytes)
        .map_err(|e| ApiError::bad_request(format!("the event is refused by the bus: {e}")))?;
    let event: serde_json::Value = body(&bytes)?;
    let routes = feed::routes(&saga.bus, &saga.wiring, &event)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    ok(json!({ "routes": routes }))
}

/// What the send and sandbox forms start with: the repository's own
/// examples (the README's `put-events` entry, an archived Order Placed).
const PUT_EVENTS_EXAMPLE: &str = include_str!("../../../events-schema/cli/order-placed.json");
const EVENT_EXAMPLE: &str = include_str!("../../../events-schema/examples/order-placed.json");

async fn examples() -> Answer {
    let parse = |text: &str| {
        serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| ApiError::internal(e.to_string()))
    };
    ok(json!({
        "putEvents": parse(PUT_EVENTS_EXAMPLE)?,
        "event": parse(EVENT_EXAMPLE)?,
    }))
}
