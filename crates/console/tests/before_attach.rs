//! The console's routes are served from the moment `saga run` listens, but
//! see the saga only once it is attached: in between, the page loads and
//! every endpoint answers `503` with the error shape of every route.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connected");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer))
        .await
        .expect("answered in time")
        .expect("read");
    answer
}

#[tokio::test]
async fn before_the_saga_is_attached_the_page_loads_and_the_api_answers_503() {
    let console = console::Console::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bound");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, console.router()).await;
    });
    let page = get(addr, "/console/").await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<title>ordersaga console</title>"), "{page}");
    let script = get(addr, "/console/console.js").await;
    assert!(script.contains("text/javascript"), "{script}");
    let redirect = get(addr, "/console").await;
    assert!(
        redirect.starts_with("HTTP/1.1 308") && redirect.contains("location: /console/"),
        "{redirect}"
    );
    for path in [
        "/console/api/queues",
        "/console/api/wiring",
        "/console/api/events",
        "/console/api/stream",
    ] {
        let answer = get(addr, path).await;
        assert!(answer.starts_with("HTTP/1.1 503"), "{path}: {answer}");
        assert!(answer.contains(r#"{"error":{"code":"unavailable","message":"the saga is starting; retry shortly"}}"#), "{path}: {answer}");
    }
    server.abort();
}
