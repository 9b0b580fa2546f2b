//! Each report's exact figures over a run whose events are known: the
//! events are put on the embedded runtime's real bus (so archived as
//! `saga run` archives them) and the dead letters recorded by the real
//! dlq store, then the reports are read back through the library and
//! through `GET /reports/{name}` on the runtime's HTTP API.

use dlq::{DeadLetter, DlqStore};
use emulator::{ArchiveSpec, Resources};
use events::{EventId, OrderId, OutgoingEvent};
use reports::{ReportName, Window};
use runtime::{Options, Runtime, Saga};
use serde_json::{Value, json};
use wiring::{ApiHandler, RouteSpec, Wiring};

fn order(n: u32) -> OrderId {
    OrderId::parse(&format!("00000000-0000-4000-8000-{n:012}")).unwrap()
}

fn event(n: u32, detail_type: &str, at: &str, data: Value) -> OutgoingEvent {
    let id = EventId::parse(&format!(
        "{n:08}-0000-4000-9000-{:012}",
        at.len() + detail_type.len()
    ))
    .unwrap();
    let order = order(n);
    OutgoingEvent {
        source: "shop.orders".into(),
        detail_type: detail_type.into(),
        detail: json!({
            "metadata": {"eventId": id.to_string(), "correlationId": order.to_string(),
                         "causationId": id.to_string(), "version": 1, "occurredAt": at},
            "data": data,
        })
        .to_string(),
        event_id: id,
        order_id: order,
    }
}

fn placed(n: u32, at: &str) -> OutgoingEvent {
    event(
        n,
        "Order Placed",
        at,
        json!({"orderId": order(n).to_string()}),
    )
}

fn confirmed(n: u32, at: &str, minor: i64, currency: &str) -> OutgoingEvent {
    event(
        n,
        "Order Confirmed",
        at,
        json!({"orderId": order(n).to_string(),
        "amount": {"minor": minor, "currency": currency}, "trackingNumber": "T"}),
    )
}

fn cancelled(n: u32, at: &str, code: &str) -> OutgoingEvent {
    event(
        n,
        "Order Cancelled",
        at,
        json!({"orderId": order(n).to_string(),
        "reason": {"code": code, "message": "m"}}),
    )
}

/// Seven orders on 2026-11-22 (times UTC):
/// 1 placed 09:00:00.000, confirmed +100 ms, 10.00 USD
/// 2 placed 09:10:00.000, confirmed +300 ms, 25.00 USD (its Order Confirmed put twice)
/// 3 placed 09:20:00.000, confirmed 10:05 (+2,700,000 ms), 7.00 EUR
/// 4 placed 09:30:00.000, cancelled OUT_OF_STOCK +50 ms
/// 5 placed 10:00:00.000, cancelled OUT_OF_STOCK +80 ms
/// 6 placed 10:10:00.000, cancelled PAYMENT_DECLINED +200 ms
/// 7 placed 10:20:00.000, still pending
/// and three dead letters: two InventoryDLQ "boom", one PaymentDLQ without an error.
async fn known_run(listen: bool) -> Runtime {
    run_on(None, listen).await
}

/// The known run on a database file, where reports read on a connection
/// of their own.
async fn run_on(database: Option<std::path::PathBuf>, listen: bool) -> Runtime {
    let saga = Saga {
        resources: Resources {
            bus_name: "test".into(),
            rules: vec![],
            queues: vec![],
            archive: Some(ArchiveSpec {
                name: "SagaArchive".into(),
                // Indefinitely: the known events are dated long ago.
                retention_days: 0,
            }),
        },
        wiring: Wiring {
            consumers: vec![],
            routes: vec![RouteSpec {
                method: "GET".into(),
                path: "/reports/{name}".into(),
                function: "ReportsFunction".into(),
                handler: ApiHandler::Reports,
            }],
            outbox_relay: false,
        },
    };
    let options = Options {
        workers: false,
        listen: listen.then(|| "127.0.0.1:0".parse().unwrap()),
        database,
        ..Options::default()
    };
    let runtime = Runtime::start(saga, options).await.unwrap();
    let events = vec![
        placed(1, "2026-11-22T09:00:00.000Z"),
        confirmed(1, "2026-11-22T09:00:00.100Z", 1000, "USD"),
        placed(2, "2026-11-22T09:10:00Z"),
        confirmed(2, "2026-11-22T09:10:00.300Z", 2500, "USD"),
        confirmed(2, "2026-11-22T09:10:00.300Z", 2500, "USD"),
        placed(3, "2026-11-22T09:20:00Z"),
        confirmed(3, "2026-11-22T10:05:00Z", 700, "EUR"),
        placed(4, "2026-11-22T09:30:00Z"),
        cancelled(4, "2026-11-22T09:30:00.050Z", "OUT_OF_STOCK"),
        placed(5, "2026-11-22T10:00:00Z"),
        cancelled(5, "2026-11-22T10:00:00.080Z", "OUT_OF_STOCK"),
        placed(6, "2026-11-22T10:10:00Z"),
        cancelled(6, "2026-11-22T10:10:00.200Z", "PAYMENT_DECLINED"),
        placed(7, "2026-11-22T10:20:00Z"),
    ];
    runtime.put_events(&events).unwrap();
    for (queue, id, error, at) in [
        ("InventoryDLQ", "m1", Some("boom"), "2026-11-22T09:40:00Z"),
        ("InventoryDLQ", "m2", Some("boom"), "2026-11-22T10:40:00Z"),
        ("PaymentDLQ", "m3", None, "2026-11-22T10:41:00Z"),
    ] {
        let letter = DeadLetter {
            queue: queue.into(),
            message_id: id.into(),
            body: "{}".into(),
            error: error.map(str::to_owned),
            attempts: 5,
            received_at: at.parse().unwrap(),
            redriven_at: None,
        };
        runtime.services.dead_letters.record(&letter).await.unwrap();
    }
    runtime
}

fn rows(runtime: &Runtime, name: ReportName, window: &Window) -> Value {
    let report = reports::local::run(&runtime.services.db, name, window).unwrap();
    serde_json::to_value(&report.rows).unwrap()
}

#[tokio::test]
async fn orders_by_status_counts_each_final_order_once_in_the_hour_it_ended() {
    let rt = known_run(false).await;
    assert_eq!(
        rows(&rt, ReportName::OrdersByStatus, &Window::default()),
        json!([
            {"hour": "2026-11-22T09:00:00Z", "status": "CANCELLED", "orders": 1},
            {"hour": "2026-11-22T09:00:00Z", "status": "CONFIRMED", "orders": 2},
            {"hour": "2026-11-22T10:00:00Z", "status": "CANCELLED", "orders": 2},
            {"hour": "2026-11-22T10:00:00Z", "status": "CONFIRMED", "orders": 1},
        ])
    );
    let window = Window::new(Some("2026-11-22T10:00:00Z"), Some("2026-11-22T10:06:00Z")).unwrap();
    assert_eq!(
        rows(&rt, ReportName::OrdersByStatus, &window),
        json!([
            {"hour": "2026-11-22T10:00:00Z", "status": "CANCELLED", "orders": 1},
            {"hour": "2026-11-22T10:00:00Z", "status": "CONFIRMED", "orders": 1},
        ])
    );
    rt.shutdown().await;
}

#[tokio::test]
async fn cancellation_reasons_and_revenue_are_exact() {
    let rt = known_run(false).await;
    assert_eq!(
        rows(&rt, ReportName::CancellationReasons, &Window::default()),
        json!([{"reason": "OUT_OF_STOCK", "orders": 2}, {"reason": "PAYMENT_DECLINED", "orders": 1}])
    );
    assert_eq!(
        rows(&rt, ReportName::Revenue, &Window::default()),
        json!([
            {"currency": "EUR", "orders": 1, "revenue_minor": 700},
            {"currency": "USD", "orders": 2, "revenue_minor": 3500},
        ])
    );
    rt.shutdown().await;
}

#[tokio::test]
async fn time_to_final_state_gives_nearest_rank_percentiles_per_path() {
    let rt = known_run(false).await;
    assert_eq!(
        rows(&rt, ReportName::TimeToFinalState, &Window::default()),
        json!([
            // 100, 300, 2,700,000: p50 is the 2nd of 3, p95 and p99 the 3rd.
            {"path": "CONFIRMED", "orders": 3, "p50_ms": 300, "p95_ms": 2_700_000, "p99_ms": 2_700_000},
            {"path": "OUT_OF_STOCK", "orders": 2, "p50_ms": 50, "p95_ms": 80, "p99_ms": 80},
            {"path": "PAYMENT_DECLINED", "orders": 1, "p50_ms": 200, "p95_ms": 200, "p99_ms": 200},
        ])
    );
    rt.shutdown().await;
}

#[tokio::test]
async fn dead_letters_are_counted_by_queue_and_error_within_the_window() {
    let rt = known_run(false).await;
    assert_eq!(
        rows(&rt, ReportName::DeadLetters, &Window::default()),
        json!([
            {"queue": "InventoryDLQ", "error": "boom", "messages": 2},
            {"queue": "PaymentDLQ", "error": "unknown", "messages": 1},
        ])
    );
    let window = Window::new(Some("2026-11-22T10:00:00Z"), None).unwrap();
    assert_eq!(
        rows(&rt, ReportName::DeadLetters, &window),
        json!([
            {"queue": "InventoryDLQ", "error": "boom", "messages": 1},
            {"queue": "PaymentDLQ", "error": "unknown", "messages": 1},
        ])
    );
    rt.shutdown().await;
}

#[tokio::test]
async fn the_local_api_serves_the_same_json_a_chart_and_400s_naming_the_problem() {
    let rt = known_run(true).await;
    let base = format!("http://{}", rt.addr.unwrap());
    let get = |path: String| async move {
        let r = reqwest::get(path).await.unwrap();
        let status = r.status().as_u16();
        let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
        (status, kind, r.text().await.unwrap())
    };
    let (status, kind, body) = get(format!("{base}/reports/revenue?from=2026-11-22")).await;
    assert_eq!((status, kind.as_str()), (200, "application/json"));
    let expected = reports::local::run(
        &rt.services.db,
        ReportName::Revenue,
        &Window::new(Some("2026-11-22"), None).unwrap(),
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        serde_json::to_value(&expected).unwrap()
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["from"],
        "2026-11-22T00:00:00Z"
    );

    let (status, kind, svg) = get(format!("{base}/reports/orders-by-status.svg")).await;
    assert_eq!((status, kind.as_str()), (200, "image/svg+xml"));
    assert!(svg.contains("2026-11-22T10:00:00Z: CANCELLED = 2"), "{svg}");

    let (status, _, csv) = get(format!("{base}/reports/cancellation-reasons?format=csv")).await;
    assert_eq!(
        (status, csv.as_str()),
        (
            200,
            "reason,orders\r\nOUT_OF_STOCK,2\r\nPAYMENT_DECLINED,1\r\n"
        )
    );

    for (path, names) in [
        ("/reports/sales", "\"sales\""),
        ("/reports/revenue?from=yesterday", "parameter from"),
        ("/reports/revenue?limit=3", "parameter limit"),
        ("/reports/revenue?format=pdf", "parameter format"),
    ] {
        let (status, _, body) = get(format!("{base}{path}")).await;
        assert_eq!(status, 400, "{path}: {body}");
        let message = serde_json::from_str::<Value>(&body).unwrap()["error"]["message"].clone();
        assert!(
            message.as_str().unwrap().contains(names),
            "{path}: {message}"
        );
    }
    rt.shutdown().await;
}

/// An API Gateway HTTP API (payload 2.0) event for `GET {raw_path}?{raw_query}`, in
/// the shape of the example at
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
/// (the query string as the client sent it in `rawQueryString`).
fn api_gateway_get(raw_path: &str, raw_query: &str) -> lambda_http::Request {
    let event = serde_json::json!({
        "version": "2.0",
        "routeKey": "GET /reports/{name}",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": {"host": "id.execute-api.us-east-1.amazonaws.com"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "id",
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "id",
            "http": {
                "method": "GET",
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "agent"
            },
            "requestId": "id",
            "routeKey": "GET /reports/{name}",
            "stage": "$default",
            "time": "22/Nov/2026:09:00:00 +0000",
            "timeEpoch": 1_795_338_000_000_u64
        },
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).expect("an API Gateway event")
}

#[tokio::test]
async fn the_lambda_adapter_reads_api_gateway_s_raw_query_and_answers_like_the_local_api() {
    use lambda_http::Body;
    let rt = known_run(false).await;
    let source = reports::local::LocalSource {
        db: rt.services.db.clone(),
    };
    let response = reports::lambda::serve(
        &source,
        api_gateway_get(
            "/reports/revenue",
            "format=csv&from=2026-11-22T09%3A00%3A00%2B00%3A00",
        ),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let Body::Text(csv) = response.body() else {
        panic!("a text body")
    };
    assert_eq!(
        csv,
        "currency,orders,revenue_minor\r\nEUR,1,700\r\nUSD,2,3500\r\n"
    );
    let response =
        reports::lambda::serve(&source, api_gateway_get("/reports/revenue", "to=soon")).await;
    assert_eq!(response.status(), 400);
    rt.shutdown().await;
}

/// 16 concurrent reports on 29k orders had raised the p50 of placements
/// from ~4 ms to 5.4 s: they ran on the one connection every placement
/// writes through. Now a report reads beside a writer that holds it.
#[tokio::test]
async fn a_report_reads_on_its_own_connection_while_the_writer_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let rt = run_on(Some(dir.path().join("saga.db")), false).await;
    // The events are committed (a durable unit waits for its group).
    rt.services
        .db
        .transaction_durable(|_| Ok::<_, platform::StoreError>(()))
        .await
        .unwrap();
    let db = rt.services.db.clone();
    let (held, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let writer_done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, done, held) = (db.clone(), writer_done.clone(), held.0);
        let release = release.1;
        std::thread::spawn(move || {
            db.transaction(|_| {
                held.send(()).unwrap();
                let _ = release.recv_timeout(std::time::Duration::from_secs(10));
                Ok::<_, platform::StoreError>(())
            })
            .unwrap();
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    held.1.recv().unwrap();
    let report = reports::local::run(&db, ReportName::OrdersByStatus, &Window::default());
    let read_while_held = !writer_done.load(std::sync::atomic::Ordering::SeqCst);
    release.0.send(()).unwrap();
    writer.join().unwrap();
    assert!(
        read_while_held,
        "the report waited for the writer's connection"
    );
    assert!(!report.unwrap().rows.is_empty());
}

#[tokio::test]
async fn a_report_past_its_time_limit_is_stopped_and_the_error_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let rt = run_on(Some(dir.path().join("saga.db")), false).await;
    // Enough orders that time-to-final-state takes longer than a millisecond.
    let events: Vec<OutgoingEvent> = (100..5_100)
        .flat_map(|n| {
            [
                placed(n, "2026-11-22T09:00:00.000Z"),
                confirmed(n, "2026-11-22T09:00:00.100Z", 1000, "USD"),
            ]
        })
        .collect();
    rt.put_events(&events).unwrap();
    rt.services
        .db
        .transaction_durable(|_| Ok::<_, platform::StoreError>(()))
        .await
        .unwrap();
    let err = reports::local::run_within(
        &rt.services.db,
        ReportName::TimeToFinalState,
        &Window::default(),
        std::time::Duration::from_millis(1),
    )
    .unwrap_err();
    assert!(
        matches!(err, reports::ReportError::TimeLimit { .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("time-to-final-state") && text.contains("limit"),
        "{text}"
    );
    // Within the default limit it answers.
    let report = reports::local::run(
        &rt.services.db,
        ReportName::TimeToFinalState,
        &Window::default(),
    )
    .unwrap();
    assert!(!report.rows.is_empty());
}
