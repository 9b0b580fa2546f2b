//! One HTTP API, three backends, the same answers: the same requests go to
//! the embedded runtime's server (`saga run`), to the hybrid runtime's
//! server over moto, and to the `orders-api` and `reports-api` functions
//! through their `lambda_http` shell, and the answers are compared: status,
//! the headers the API sets, and the body byte for byte.
//!
//! The Lambda side runs in this process: each request is an API Gateway
//! HTTP API event (payload format 2.0,
//! https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html),
//! handed to `lambda_http::Adapter`, the service `lambda_http::run` wraps
//! around the bootstrap's handler, and what it answers is read as API
//! Gateway reads it (`statusCode`, `headers`, `body`, base64 when
//! `isBase64Encoded`). The functions run over the stores their bootstraps
//! build: a `DynamoOrderStore` on the stack's orders table and
//! `AthenaReports` on the stack's workgroup and named queries, in the same
//! moto as the hybrid runtime, whose pollers and stream relay carry an
//! order placed through the Lambda to its end. In process rather than the
//! bootstraps under the Runtime Interface Emulator (`crates/saga-aws-tests`
//! `lambda_invocations` does that for every function): the same adapter
//! code, at no build or start-up cost in `make test`.
//!
//! Where API Gateway or a transport adds something, the difference is
//! named where it is compared ([`TRANSPORT_HEADERS`], [`API_GATEWAY_ROUTES`]).

use crate::harness::{Backend, Saga};
use hybrid::StackNames;
use lambda_http::lambda_runtime::{Context, LambdaEvent};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Service, service_fn};
use saga_e2e::order;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Headers a server adds on the wire that the API does not set: hyper's
/// `date` and `content-length` (API Gateway adds its own, and
/// `apigw-requestid`). `connection: close` is the local servers' when they
/// answer before reading a body whole (413): API Gateway reads the whole
/// request before it invokes the function, and manages its connections.
const TRANSPORT_HEADERS: [&str; 3] = ["date", "content-length", "connection"];

/// API Gateway answers a request no route of the API takes itself, with
/// `404 {"message":"Not Found"}`, whatever the method
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html):
/// the functions never see these requests. Their own answer, compared
/// here, is what the local servers answer.
const API_GATEWAY_ROUTES: &str = "answered by API Gateway itself on AWS";

/// One request of the comparison.
struct Call {
    what: &'static str,
    method: &'static str,
    /// Path and query, `{order}` standing for this backend's order id.
    target: String,
    key: Option<String>,
    body: Vec<u8>,
}

impl Call {
    fn get(what: &'static str, target: impl Into<String>) -> Self {
        Self {
            what,
            method: "GET",
            target: target.into(),
            key: None,
            body: Vec::new(),
        }
    }

    fn post(what: &'static str, key: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            what,
            method: "POST",
            target: "/orders".into(),
            key: key.map(str::to_owned),
            body: body.into(),
        }
    }
}

/// An answer as the client gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    status: u16,
    /// Every header but [`TRANSPORT_HEADERS`], names lower-case.
    headers: BTreeMap<String, String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A backend the calls go to.
enum Target<'a> {
    Http(&'a str),
    Lambda(&'a Functions<'a>),
}

/// The two functions as their bootstraps compose them.
struct Functions<'a> {
    orders: &'a orders::DynamoOrderStore,
    reports: &'a reports::athena::AthenaReports,
}

async fn over_http(base: &str, call: &Call, order: &str) -> Answer {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(call.method.as_bytes()).expect("method");
    let mut request = client
        .request(
            method,
            format!("{base}{}", call.target.replace("{order}", order)),
        )
        .body(call.body.clone());
    if !call.body.is_empty() {
        request = request.header("content-type", "application/json");
    }
    if let Some(key) = &call.key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| !TRANSPORT_HEADERS.contains(&name.as_str()))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().expect("ASCII").to_owned(),
            )
        })
        .collect();
    let body = String::from_utf8(response.bytes().await.expect("body").to_vec()).expect("UTF-8");
    Answer {
        status,
        headers,
        body,
    }
}

/// The API Gateway HTTP API event for a call, as API Gateway sends it to
/// the function its route integrates (payload format 2.0).
fn api_gateway_event(call: &Call, order: &str) -> Value {
    let target = call.target.replace("{order}", order);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut headers = json!({
        "host": "abc123.execute-api.us-east-1.amazonaws.com",
        "user-agent": "reqwest",
        "content-length": call.body.len().to_string(),
    });
    if !call.body.is_empty() {
        headers["content-type"] = "application/json".into();
    }
    if let Some(key) = &call.key {
        headers["idempotency-key"] = key.as_str().into();
    }
    let route_key = if path.starts_with("/reports/") {
        "GET /reports/{name}".to_owned()
    } else if path == "/orders" {
        "POST /orders".to_owned()
    } else {
        "GET /orders/{id}".to_owned()
    };
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": call.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "reqwest"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": route_key,
            "stage": "$default",
            "time": "05/Dec/2026:05:00:00 +0000",
            "timeEpoch": 1_796_446_800_000_u64
        },
        "isBase64Encoded": false
    });
    if !call.body.is_empty() {
        event["body"] = String::from_utf8(call.body.clone())
            .expect("the calls' bodies are text")
            .into();
    }
    event
}

/// The answer the function gives through `lambda_http`'s adapter, read as
/// API Gateway reads it.
async fn over_lambda(functions: &Functions<'_>, call: &Call, order: &str) -> Answer {
    use base64::Engine;
    let event = api_gateway_event(call, order);
    let request: LambdaRequest = serde_json::from_value(event).expect("an API Gateway event");
    let event = LambdaEvent::new(request, Context::default());
    let response = if call.target.starts_with("/reports/") {
        let reports = functions.reports;
        let mut adapter = Adapter::from(service_fn(move |request| async move {
            Ok::<_, lambda_http::Error>(reports::lambda::serve(reports, request).await)
        }));
        std::future::poll_fn(|cx| adapter.poll_ready(cx))
            .await
            .expect("ready");
        adapter.call(event).await.expect("the function answers")
    } else {
        let store = functions.orders;
        let mut adapter = Adapter::from(service_fn(move |request| async move {
            Ok::<_, lambda_http::Error>(orders::lambda::serve(store, request).await)
        }));
        std::future::poll_fn(|cx| adapter.poll_ready(cx))
            .await
            .expect("ready");
        adapter.call(event).await.expect("the function answers")
    };
    // What the runtime posts to the Runtime API, and API Gateway reads.
    let wire = serde_json::to_value(&response).expect("a Lambda response");
    let status = u16::try_from(wire["statusCode"].as_u64().expect("statusCode")).expect("u16");
    let headers = wire["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().expect("text").to_owned()))
        .collect();
    let text = wire["body"].as_str().unwrap_or_default();
    let body = if wire["isBase64Encoded"] == true {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .expect("base64");
        String::from_utf8(bytes).expect("UTF-8")
    } else {
        text.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

async fn answer(target: &Target<'_>, call: &Call, order: &str) -> Answer {
    match target {
        Target::Http(base) => over_http(base, call, order).await,
        Target::Lambda(functions) => over_lambda(functions, call, order).await,
    }
}

/// The answer with what each backend mints itself made alike: its order
/// id, other ids (event ids, UUIDs; payment, shipment and tracking ids,
/// runs of 12 or more hex digits) and times. Digits of a time become `0`
/// and its length stays, so a difference of precision still shows.
fn masked(answer: &Answer, order: &str) -> Answer {
    let body = answer.body.replace(order, "{order}");
    let mut out = String::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = uuid_at(&body[i..]) {
            out.push_str("{uuid}");
            i += len;
        } else if let Some(len) = hex_run_at(&body[i..]) {
            out.push_str("{id}");
            i += len;
        } else if let Some(len) = time_at(&body[i..]) {
            out.extend(
                body[i..i + len]
                    .chars()
                    .map(|c| if c.is_ascii_digit() { '0' } else { c }),
            );
            i += len;
        } else {
            let c = body[i..].chars().next().expect("a char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    Answer {
        body: out,
        ..answer.clone()
    }
}

/// The length of a UUID at the start of `text`.
fn uuid_at(text: &str) -> Option<usize> {
    let candidate = text.get(..36)?;
    uuid::Uuid::try_parse(candidate).ok().map(|_| 36)
}

/// The length of a run of 12 or more lower-case hex digits at the start
/// of `text` (not a time, which starts with 4 digits and a `-`).
fn hex_run_at(text: &str) -> Option<usize> {
    let len = text
        .bytes()
        .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        .count();
    (len >= 12).then_some(len)
}

/// The length of an RFC 3339 time at the start of `text`
/// (`2026-12-05T05:00:00.123456Z`, or with an offset).
fn time_at(text: &str) -> Option<usize> {
    let head = text.get(..19)?;
    let shape = head.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        _ => b.is_ascii_digit(),
    });
    if !shape {
        return None;
    }
    let rest = &text[19..];
    let fraction = rest.strip_prefix('.').map_or(0, |digits| {
        1 + digits.bytes().take_while(u8::is_ascii_digit).count()
    });
    let zone = &rest[fraction..];
    let zone_len = if zone.starts_with('Z') {
        1
    } else if zone.len() >= 6 && (zone.starts_with('+') || zone.starts_with('-')) {
        6
    } else {
        0
    };
    Some(19 + fraction + zone_len)
}

/// The calls of the comparison, in order. `{order}` is the order the
/// first call placed on that backend with `key`.
fn calls(key: &str) -> Vec<Call> {
    let valid = order(json!([{"sku": "KB-001", "quantity": 1}])).to_string();
    let other = order(json!([{"sku": "KB-001", "quantity": 2}])).to_string();
    let mut unknown_field = order(json!([{"sku": "KB-001", "quantity": 1}]));
    unknown_field["price"] = json!(1);
    let mut oversized = order(json!([{"sku": "KB-001", "quantity": 1}]));
    oversized["customerId"] = json!("x".repeat(20 * 1024));
    vec![
        // (The first call, placing the order, is compared apart.)
        Call::post("a keyed retry once the order is final", Some(key), valid),
        Call::post("the key with another order: 422", Some(key), other),
        Call::post(
            "malformed JSON: 400",
            None,
            r#"{"customerId": "c", "lines": [}"#,
        ),
        Call::post("an unknown field: 400", None, unknown_field.to_string()),
        Call::post("a body over the limit: 413", None, oversized.to_string()),
        Call::get("the order, final, with its timeline", "/orders/{order}"),
        Call::get(
            "an unknown order: 404",
            "/orders/00000000-0000-7000-8000-000000000000",
        ),
        Call::get("an order id that is not one: 400", "/orders/nope"),
        Call::get(
            "a report of an empty window",
            "/reports/revenue?from=2000-01-01&to=2000-01-02",
        ),
        Call::get(
            "a report as CSV by its suffix",
            "/reports/orders-by-status.csv?from=2000-01-01&to=2000-01-02",
        ),
        Call::get("an unknown report: 400", "/reports/no-such-report"),
        Call::get(
            "an unknown report parameter: 400",
            "/reports/revenue?since=2000-01-01",
        ),
    ]
}

/// Requests no route takes ([`API_GATEWAY_ROUTES`]).
fn unrouted() -> Vec<Call> {
    vec![
        Call::get("an unknown path: 404", "/nope"),
        Call {
            what: "a method the path does not take: 405",
            method: "DELETE",
            target: "/orders".into(),
            key: None,
            body: Vec::new(),
        },
    ]
}

/// Places an order on a backend with `key`.
async fn place(target: &Target<'_>, key: &str) -> (Answer, String) {
    let placing = Call::post(
        "a valid keyed order: 201",
        Some(key),
        order(json!([{"sku": "KB-001", "quantity": 1}])).to_string(),
    );
    let placed = answer(target, &placing, "").await;
    assert_eq!(placed.status, 201, "{placed:?}");
    let id = placed.json()["orderId"]
        .as_str()
        .expect("orderId")
        .to_owned();
    (placed, id)
}

/// Waits until the order is confirmed and its timeline final.
async fn settle(target: &Target<'_>, id: &str) {
    let get = Call::get("the order", "/orders/{order}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let order = answer(target, &get, id).await;
        // The orders consumer records its own Order Confirmed after the
        // status changes: the timeline is final once it holds it.
        let json = order.json();
        if json["status"] == "CONFIRMED" && json["timeline"].to_string().contains("Order Confirmed")
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "order {id} not confirmed after 60 s: {order:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Every call's answer on a backend, masked: an order placed with `key`,
/// then the calls about the `settled` order and its key (placed and
/// confirmed on this backend's stack).
async fn answers(
    target: &Target<'_>,
    key: &str,
    (settled, settled_key): (&str, &str),
) -> Vec<(String, Answer)> {
    let (placed, placed_id) = place(target, key).await;
    let mut out = vec![(
        "a valid keyed order: 201".to_owned(),
        masked(&placed, &placed_id),
    )];
    for call in calls(settled_key) {
        let got = answer(target, &call, settled).await;
        out.push((call.what.to_owned(), masked(&got, settled)));
    }
    for call in unrouted() {
        let got = answer(target, &call, settled).await;
        out.push((
            format!("{} ({API_GATEWAY_ROUTES})", call.what),
            masked(&got, settled),
        ));
    }
    out
}

/// [`answers`] about an order placed and confirmed on this backend.
async fn answers_about_own_order(
    target: &Target<'_>,
    key: &str,
) -> (Vec<(String, Answer)>, String) {
    let (_, id) = place(target, key).await;
    settle(target, &id).await;
    let out = answers(target, &format!("{key}-new"), (&id, key)).await;
    (out, id)
}

fn assert_same(name: &str, expected: &[(String, Answer)], got: &[(String, Answer)]) {
    assert_eq!(expected.len(), got.len());
    for ((what, embedded), (_, other)) in expected.iter().zip(got) {
        assert_eq!(embedded, other, "{what}: the embedded server vs {name}");
    }
}

/// The reports function's configuration, as its bootstrap reads it from
/// the environment the template gives it (`AthenaReports::from_env`).
fn athena_reports(
    config: &aws_config::SdkConfig,
    names: &StackNames,
) -> reports::athena::AthenaReports {
    let queries = reports::ReportName::ALL
        .into_iter()
        .map(|name| {
            let logical = match name {
                reports::ReportName::OrdersByStatus => "OrdersByStatusQuery",
                reports::ReportName::CancellationReasons => "CancellationReasonsQuery",
                reports::ReportName::TimeToFinalState => "TimeToFinalStateQuery",
                reports::ReportName::Revenue => "RevenueQuery",
                reports::ReportName::DeadLetters => "DeadLettersQuery",
            };
            let id = names.physical(logical).expect("provisioned");
            (name, id.to_owned())
        })
        .collect();
    reports::athena::AthenaReports {
        client: aws_sdk_athena::Client::new(config),
        workgroup: names
            .physical("ReportsWorkGroup")
            .expect("provisioned")
            .to_owned(),
        database: names
            .physical("LakeDatabase")
            .expect("provisioned")
            .to_owned(),
        queries,
        timeout: std::time::Duration::from_secs(25),
    }
}

/// A 503 carries `Retry-After` (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3)
/// on every backend: the order store is out of reach (the embedded
/// database locked by another writer past SQLite's busy timeout; moto
/// stopped under the hybrid runtime and the function).
async fn unavailable(target: &Target<'_>) -> Answer {
    let call = Call::post(
        "an order while the store is out of reach: 503",
        Some("cmp-503"),
        order(json!([{"sku": "KB-001", "quantity": 1}])).to_string(),
    );
    answer(target, &call, "").await
}

pub async fn the_same_requests_get_the_same_answers_from_every_backend() {
    // Embedded: `saga run`'s server over SQLite.
    let embedded = Saga::embedded().await;
    let Backend::Embedded(app) = &embedded.backend else {
        unreachable!("an embedded saga")
    };
    let (expected, _) = answers_about_own_order(&Target::Http(&app.api.base), "cmp-embedded").await;
    // The comparison compares something.
    let retry = &expected[1].1;
    assert_eq!(
        (retry.status, retry.body.as_str()),
        (200, r#"{"orderId":"{order}","status":"CONFIRMED"}"#)
    );
    assert_eq!(expected[5].1.status, 413, "{:?}", expected[5]);
    assert_eq!(expected[5].1.headers["content-type"], "application/json");

    // Hybrid over moto, and the functions over the same stack.
    let hybrid = Saga::moto_serving_reports().await;
    let hybrid_base = hybrid.base.clone();
    let Backend::Aws(aws) = hybrid.backend else {
        unreachable!("a hybrid saga")
    };
    let mut aws = *aws;
    let (got, settled) = answers_about_own_order(&Target::Http(&hybrid_base), "cmp-hybrid").await;
    assert_same("the hybrid server", &expected, &got);
    let config = aws.moto.as_ref().expect("moto").sdk_config().await;
    let reports = athena_reports(&config, &aws.runtime.names);
    let functions = Functions {
        orders: &aws.runtime.services.orders,
        reports: &reports,
    };
    // The functions place their own order, and answer about the one the
    // hybrid server placed and confirmed on the same stack (moto runs no
    // Lambda: the hybrid runtime's pollers are the saga here).
    let got = answers(
        &Target::Lambda(&functions),
        "cmp-lambda",
        (&settled, "cmp-hybrid"),
    )
    .await;
    assert_same("the Lambda functions", &expected, &got);

    // 503: the embedded store locked by another writer.
    let lock = rusqlite::Connection::open(app.dir.path().join("saga.db")).expect("open");
    lock.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    lock.execute_batch("BEGIN EXCLUSIVE")
        .expect("the write lock");
    let embedded_503 = unavailable(&Target::Http(&app.api.base)).await;
    lock.execute_batch("ROLLBACK").expect("released");
    assert_eq!(embedded_503.status, 503, "{embedded_503:?}");
    assert_eq!(embedded_503.headers["retry-after"], "1");
    // moto stopped under the hybrid runtime and the function.
    drop(aws.moto.take());
    assert_eq!(
        unavailable(&Target::Http(&hybrid_base)).await,
        embedded_503,
        "the hybrid server's 503"
    );
    assert_eq!(
        unavailable(&Target::Lambda(&functions)).await,
        embedded_503,
        "the function's 503"
    );
    aws.runtime.shutdown().await;
}
