//! The connections of the local HTTP server, with the limits production
//! servers set (nginx's `client_header_timeout`, `client_body_timeout`,
//! `worker_connections`): without them one idle socket lived 19 minutes,
//! a client could drip its headers or body a byte a second, and 20,000
//! idle sockets used up the process's file descriptors until new requests
//! hung.

use axum::body::{Body, Bytes};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// What one connection and one request may take.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// A request's head must have arrived whole this long after the
    /// server began waiting for it: after the connection opened, or after
    /// the previous response on a keep-alive connection. So it is also the
    /// idle timeout of a connection between requests (hyper's
    /// `header_read_timeout`, which starts when the server waits, not at
    /// the first byte).
    pub header_timeout: Duration,
    /// A request's body must have arrived whole this long after its head;
    /// otherwise `408` and the connection is closed.
    pub body_timeout: Duration,
    /// Connections served at once; one more is answered `503` and closed
    /// at once instead of holding a descriptor.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// What a connection over the limit is told before it is closed.
const BUSY: &str = r#"{"error":{"code":"unavailable","message":"too many open connections; retry shortly","retryable":true}}"#;

/// Serves `app` on a listener already bound until `stop` changes, each
/// connection within `limits`; connections open at the stop finish their
/// request in progress.
pub fn serve_until(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: HttpLimits,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        let mut connections = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = stop.changed() => break,
            };
            while connections.try_join_next().is_some() {}
            let stream = match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    // Out of descriptors (EMFILE) or a connection reset
                    // before it was accepted: the next accept may succeed
                    // once connections close.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                connections.spawn(refuse(stream));
                continue;
            };
            let (app, stop) = (app.clone(), stop.clone());
            connections.spawn(async move {
                serve_connection(stream, app, limits, stop).await;
                drop(slot);
            });
        }
        while connections.join_next().await.is_some() {}
    })
}

async fn refuse(mut stream: tokio::net::TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let response = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{BUSY}",
            BUSY.len()
        );
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    app: axum::Router,
    limits: HttpLimits,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let service = TowerToHyperService::new(app);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection closed");
            }
        }
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// Why a request body was not read.
#[derive(Debug)]
pub(crate) enum BodyError {
    TooLarge,
    TimedOut { after: Duration },
    Broken(String),
}

/// Reads a body of at most `limit` bytes within `timeout`.
pub(crate) async fn read_body(
    body: Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    use axum::body::HttpBody;
    use http_body_util::BodyExt;
    // A declared length over the limit is refused before a byte is read.
    if body.size_hint().lower() > limit as u64 {
        return Err(BodyError::TooLarge);
    }
    let read = async {
        let mut body = body;
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| BodyError::Broken(e.to_string()))?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > limit {
                    return Err(BodyError::TooLarge);
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(bytes))
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or(Err(BodyError::TimedOut { after: timeout }))
}
