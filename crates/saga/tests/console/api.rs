//! The console's JSON endpoints on a real `saga run`, without a browser:
//! strict at the client boundary (every mistake a `400` naming it), the
//! same answers the CLI's views give.

use crate::http::request;
use serde_json::json;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn get(server: &crate::server::Server, path: &str) -> crate::http::Response {
    request(server.addr, "GET", path, &[], "").expect("an answer")
}

fn place_order(server: &crate::server::Server) -> String {
    let body = json!({
        "customerId": "cust-console",
        "lines": [{"sku": "KB-001", "quantity": 1}],
        "shipTo": {"name": "Ada", "line1": "1 Row", "city": "London", "postalCode": "N1", "country": "GB"},
        "paymentToken": "tok_visa",
    });
    let placed = request(server.addr, "POST", "/orders", &[], &body.to_string()).expect("placed");
    assert_eq!(placed.status, 201, "{}", placed.body);
    placed.body["orderId"]
        .as_str()
        .expect("an order id")
        .to_owned()
}

fn eventually<T>(what: &str, check: impl Fn() -> Result<T, String>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match check() {
            Ok(v) => return v,
            Err(last) if Instant::now() > deadline => panic!("{what}: {last}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

#[test]
fn the_console_api_refuses_each_client_mistake_with_a_400_that_names_it() {
    let (_dir, server, _url) = crate::saga();
    let cases = [
        (
            "GET",
            "/console/api/events?colour=red",
            "",
            "unknown query parameter colour",
        ),
        (
            "GET",
            "/console/api/events?after=yesterday",
            "",
            "after must be a whole number",
        ),
        (
            "GET",
            "/console/api/orders/not-an-order",
            "",
            "not-an-order is not an order id",
        ),
        (
            "GET",
            "/console/api/dead-letters?queue=OrdersQueue",
            "",
            "OrdersQueue is not a dead-letter queue of the template; its dead-letter queues are",
        ),
        (
            "POST",
            "/console/api/dead-letters/redrive",
            r#"{"queue": "NopeDLQ"}"#,
            "NopeDLQ is not a dead-letter queue",
        ),
        (
            "POST",
            "/console/api/dead-letters/redrive",
            r#"{"queue": "OrdersDLQ", "all": true}"#,
            "unknown field `all`",
        ),
        (
            "POST",
            "/console/api/dead-letters/redrive",
            "{",
            "the body is not the expected JSON",
        ),
        (
            "POST",
            "/console/api/routes",
            r#"{"source": "x"}"#,
            "the event is refused by the bus",
        ),
    ];
    for (method, path, body, message) in cases {
        let answer = request(server.addr, method, path, &[], body).expect("an answer");
        assert_eq!(answer.status, 400, "{method} {path}: {}", answer.body);
        assert_eq!(
            answer.body["error"]["code"], "invalid_request",
            "{}",
            answer.body
        );
        let text = answer.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            text.contains(message),
            "{method} {path}: {text:?} names {message:?}"
        );
    }
    let unknown = get(
        &server,
        "/console/api/orders/0190e4a0-0000-7000-8000-000000000000",
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    server.stop();
}

#[test]
fn the_event_feed_filters_by_detail_type_and_order_and_gives_each_event_its_routes() {
    let (_dir, server, _url) = crate::saga();
    let first = place_order(&server);
    let second = place_order(&server);
    let confirmed = |order: &str| {
        let path = format!("/console/api/events?detailType=Order%20Confirmed&orderId={order}");
        eventually("the order confirmed", || {
            let feed = get(&server, &path);
            let events = feed.body["events"].as_array().cloned().unwrap_or_default();
            if events.len() == 1 {
                Ok(events[0].clone())
            } else {
                Err(feed.body.to_string())
            }
        })
    };
    let event = confirmed(&first);
    assert_eq!(event["orderId"], first.as_str());
    assert_eq!(event["detailType"], "Order Confirmed");
    assert_eq!(event["event"]["detail"]["data"]["orderId"], first.as_str());
    let routes: Vec<(String, String)> = event["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap_or_default().into(),
                r["queue"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert!(
        routes.contains(&("OrdersRule".into(), "OrdersQueue".into())),
        "{routes:?}"
    );
    assert!(
        routes.contains(&("FulfilmentRule".into(), "FulfilmentQueue".into())),
        "{routes:?}"
    );
    confirmed(&second);
    // Every event of the first order, and only those, in archive order.
    let feed = get(&server, &format!("/console/api/events?orderId={first}"));
    let events = feed.body["events"].as_array().expect("events");
    assert!(
        events.iter().all(|e| e["orderId"] == first.as_str()),
        "{}",
        feed.body
    );
    let seqs: Vec<i64> = events
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    // The same trace `saga trace` prints.
    let trace = get(&server, &format!("/console/api/orders/{first}"));
    assert_eq!(trace.status, 200, "{}", trace.body);
    assert_eq!(trace.body["state"]["orders"]["status"], "CONFIRMED");
    let mermaid = trace.body["mermaid"].as_str().expect("mermaid");
    assert!(
        mermaid.starts_with("sequenceDiagram\n")
            && mermaid.contains("orders->>inventory: Order Placed"),
        "{mermaid}"
    );
    server.stop();
}

/// The first event of the stream `GET /console/api/stream` sends, read off
/// the socket as it arrives (`after` or `Last-Event-ID`).
fn first_stream_event(
    server: &crate::server::Server,
    path: &str,
    last_event_id: Option<&str>,
) -> (String, String, String) {
    let mut stream = std::net::TcpStream::connect(server.addr).expect("connected");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let resume = last_event_id
        .map(|id| format!("Last-Event-ID: {id}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n{resume}\r\n",
        server.addr
    )
    .expect("sent");
    let mut text = String::new();
    let mut chunk = [0u8; 4096];
    // The head, then the first "event: events" block (a chunked body).
    while !text.contains("event: events")
        || !text[text.find("event: events").unwrap_or(0)..].contains("\n\n")
    {
        let n = stream.read(&mut chunk).expect("read");
        assert!(n > 0, "the stream ended: {text}");
        text.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    assert!(
        text.starts_with("HTTP/1.1 200")
            && text
                .to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
        "{text}"
    );
    let block = &text[text.find("event: events").expect("an events block")..];
    let field = |name: &str| {
        block
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_default()
            .to_owned()
    };
    ("events".into(), field("id"), field("data"))
}

#[test]
fn the_live_stream_sends_new_events_after_its_cursor_and_resumes_from_last_event_id() {
    let (_dir, server, _url) = crate::saga();
    let order = place_order(&server);
    eventually("the order confirmed", || {
        let feed = get(
            &server,
            &format!("/console/api/events?orderId={order}&detailType=Order%20Confirmed"),
        );
        if feed.body["events"].as_array().is_some_and(|e| e.len() == 1) {
            Ok(())
        } else {
            Err(feed.body.to_string())
        }
    });
    let all = get(&server, "/console/api/events");
    let seqs: Vec<i64> = all.body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    let last = *seqs.last().expect("archived events");
    // From the start: the archive so far, with the cursor as the SSE id.
    let (_, id, data) = first_stream_event(&server, "/console/api/stream", None);
    assert_eq!(id, last.to_string());
    let sent: serde_json::Value = serde_json::from_str(&data).expect("JSON data");
    assert_eq!(sent.as_array().map(Vec::len), Some(seqs.len()));
    // A browser reconnecting with Last-Event-ID gets only what came after.
    let next = place_order(&server);
    eventually("the next order's events archived", || {
        let feed = get(&server, &format!("/console/api/events?after={last}"));
        if feed.body["events"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
        {
            Ok(())
        } else {
            Err(feed.body.to_string())
        }
    });
    let (_, _, data) = first_stream_event(&server, "/console/api/stream", Some(&last.to_string()));
    let sent: serde_json::Value = serde_json::from_str(&data).expect("JSON data");
    let events = sent.as_array().expect("events");
    assert!(
        !events.is_empty()
            && events
                .iter()
                .all(|e| e["seq"].as_i64() > Some(last) && e["orderId"] == next.as_str()),
        "{sent}"
    );
    server.stop();
}

#[test]
fn saga_run_stops_promptly_while_a_browser_holds_the_live_stream_open() {
    let (_dir, server, _url) = crate::saga();
    // A stream the server would otherwise keep open for its 60 s lifetime,
    // read as a browser reads it, until the server ends it.
    let mut stream = std::net::TcpStream::connect(server.addr).expect("connected");
    write!(
        stream,
        "GET /console/api/stream HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        server.addr
    )
    .expect("sent");
    stream
        .set_read_timeout(Some(Duration::from_secs(90)))
        .expect("timeout");
    let (opened, opened_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        let mut first = true;
        while let Ok(n) = stream.read(&mut chunk) {
            if n == 0 {
                break;
            }
            if first {
                let _ = opened.send(());
                first = false;
            }
        }
    });
    opened_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the stream opened");
    let started = Instant::now();
    server.stop();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "SIGTERM to exit took {:?} with a stream open",
        started.elapsed()
    );
    reader.join().expect("the stream ended with the server");
}
