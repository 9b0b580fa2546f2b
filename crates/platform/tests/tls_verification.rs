//! The HTTPS client every function's SDK clients share (`platform::tls`)
//! still verifies servers. The same DynamoDB request goes to a TLS server on
//! 127.0.0.1 whose certificate is signed by a CA made for the test: trusting
//! that CA, the request is answered; with Mozilla's compiled-in roots, which
//! do not vouch for it, the handshake is refused and nothing is sent.
//!
//! The certificates are made with the `openssl` command (on Debian it comes
//! with `ca-certificates`).

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls::TrustStore;
use aws_smithy_types::error::display::DisplayErrorContext;
use platform::tls::{Roots, https_client};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::{TlsAcceptor, rustls};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("running openssl (Debian package openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA (`ca.pem`) and a server certificate for IP 127.0.0.1 signed by
/// it (`server.pem`, key `server.key`).
fn make_certificates(dir: &Path) {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    let mut ca = vec!["req", "-x509", "-nodes", "-days", "2"];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    ca.extend(["-subj", "/CN=ordersaga test CA"]);
    openssl(dir, &ca);
    let mut csr = vec!["req", "-new", "-nodes"];
    csr.extend(ec);
    csr.extend(["-keyout", "server.key", "-out", "server.csr"]);
    csr.extend(["-subj", "/CN=127.0.0.1"]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .expect("writing server.ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
}

/// What the server saw: the request's head, or why it got none.
type Served = JoinHandle<Result<String, String>>;

/// Serves one connection on 127.0.0.1: the TLS handshake, then one HTTP/1.1
/// request answered as DynamoDB answers ListTables on an empty account.
async fn serve_once(dir: &Path) -> (u16, Served) {
    let chain = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .expect("server.pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("server.pem holds certificates");
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).expect("server.key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("default protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the server certificate matches its key");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let port = listener.local_addr().expect("bound").port();
    let served = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let mut tls = acceptor
            .accept(tcp)
            .await
            .map_err(|e| format!("handshake failed: {e}"))?;
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        let head = loop {
            let n = tls.read(&mut buf).await.map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the connection closed before a whole request".into());
            }
            request.extend_from_slice(&buf[..n]);
            let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&request[..end]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                break head;
            }
        };
        let body = r#"{"TableNames":[]}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        tls.write_all(response.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        tls.shutdown().await.map_err(|e| e.to_string())?;
        Ok(head)
    });
    (port, served)
}

fn dynamodb(trust: TrustStore, port: u16) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(format!("https://127.0.0.1:{port}"))
        .retry_config(RetryConfig::disabled())
        .http_client(https_client(trust))
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

#[tokio::test]
async fn a_server_whose_ca_is_trusted_answers_the_sdk_over_tls() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    make_certificates(dir.path());
    let (port, served) = serve_once(dir.path()).await;
    let ca = std::fs::read(dir.path().join("ca.pem")).expect("ca.pem");

    let out = dynamodb(TrustStore::empty().with_pem_certificate(ca), port)
        .list_tables()
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}", DisplayErrorContext(&e)));

    assert!(out.table_names().is_empty());
    let head = served.await.expect("the server task").expect("served");
    assert!(head.starts_with("post / http/1.1"), "{head}");
    assert!(
        head.contains("x-amz-target: dynamodb_20120810.listtables"),
        "{head}"
    );
}

#[tokio::test]
async fn the_compiled_in_roots_refuse_a_server_no_mozilla_root_vouches_for() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    make_certificates(dir.path());
    let (port, served) = serve_once(dir.path()).await;

    let err = dynamodb(Roots::Mozilla.trust_store(), port)
        .list_tables()
        .send()
        .await
        .expect_err("an untrusted server must be refused");

    let chain = DisplayErrorContext(&err).to_string();
    assert!(chain.contains("UnknownIssuer"), "{chain}");
    let seen = served.await.expect("the server task");
    assert!(
        seen.as_ref()
            .is_err_and(|e| e.starts_with("handshake failed")),
        "the server got no request: {seen:?}"
    );
}
