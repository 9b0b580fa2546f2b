//! The HTTP server's limits, as production servers set them: an idle
//! connection and headers dripped a byte at a time are cut off after the
//! header timeout, a dripped body gets `408`, and connections over the
//! limit get `503` at once instead of using up the file descriptors.
//! Short limits here; the defaults are in `runtime::HttpLimits`.

use runtime::HttpLimits;
use saga_e2e::TestApp;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_millis(500);

fn short_limits() -> HttpLimits {
    HttpLimits {
        header_timeout: SHORT,
        body_timeout: SHORT,
        ..HttpLimits::default()
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.runtime.addr.expect("bound"))
        .await
        .expect("connects")
}

/// Everything the server sends until it closes the connection, or `None`
/// if it is still open after `wait`.
async fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut all = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&all).into_owned())
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_header_timeout() {
    let app = TestApp::spawn_with_limits(short_limits()).await;
    let mut stream = connect(&app).await;
    let started = Instant::now();
    let closed = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "still open after 5 s");
    assert!(started.elapsed() >= SHORT - Duration::from_millis(50));
}

#[tokio::test]
async fn a_keep_alive_connection_idle_after_its_response_is_closed_too() {
    let app = TestApp::spawn_with_limits(short_limits()).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /orders/00000000-0000-0000-0000-000000000000 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("request");
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("closed once idle");
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
}

#[tokio::test]
async fn headers_dripped_a_byte_at_a_time_are_cut_off_at_the_header_timeout() {
    let app = TestApp::spawn_with_limits(short_limits()).await;
    let mut stream = connect(&app).await;
    let head = b"GET /orders/00000000-0000-0000-0000-000000000000 HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n";
    let started = Instant::now();
    let mut cut_off = false;
    for byte in head {
        if stream.write_all(&[*byte]).await.is_err() {
            cut_off = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        if started.elapsed() > SHORT * 3 {
            break;
        }
    }
    if !cut_off {
        let answer = read_until_closed(&mut stream, Duration::from_secs(2)).await;
        cut_off = answer.is_some_and(|a| !a.contains(" 404 "));
    }
    assert!(
        cut_off,
        "a head sent over {:?} was still read",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_dripped_a_byte_at_a_time_is_answered_408_as_json() {
    let app = TestApp::spawn_with_limits(short_limits()).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{")
        .await
        .expect("head");
    let drip = async {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if stream.write_all(b" ").await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(SHORT * 2, drip).await;
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
}

#[tokio::test]
async fn connections_over_the_limit_get_503_at_once_and_the_server_serves_again_when_they_close() {
    let limits = HttpLimits {
        max_connections: 8,
        ..HttpLimits::default()
    };
    let app = TestApp::spawn_with_limits(limits).await;
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(connect(&app).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = connect(&app).await;
    let started = Instant::now();
    let answer = read_until_closed(&mut extra, Duration::from_secs(5))
        .await
        .expect("answered at once");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains(r#""code":"unavailable""#), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(idle);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = app.get_order("00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, 404, "served again once the idle connections closed");
}
