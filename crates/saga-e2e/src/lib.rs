//! `TestApp`: the whole saga from the real `infra/template.yaml`, on a
//! fresh SQLite file, with its HTTP API on a free loopback port.

use emulator::Faults;
use runtime::{Options, Runtime, Saga};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub fn template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml")
}

/// The project template as the embedded backend runs it.
pub fn project_saga() -> Saga {
    let template =
        wiring::template::Template::from_path(&template_path()).expect("template parses");
    runtime::load(&template).expect("template wires")
}

pub struct TestApp {
    pub runtime: Runtime,
    pub api: OrdersApi,
    pub dir: tempfile::TempDir,
}

/// The order API over HTTP, as a client calls it: every suite, whatever
/// backend serves it, talks to the saga through this.
#[derive(Clone)]
pub struct OrdersApi {
    pub base: String,
    pub http: reqwest::Client,
}

impl OrdersApi {
    pub fn at(addr: std::net::SocketAddr) -> Self {
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    pub async fn post_order(&self, body: &Value, key: Option<&str>) -> (u16, Value) {
        let mut request = self.http.post(format!("{}/orders", self.base)).json(body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.expect("POST /orders");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// Places an order and returns its id.
    pub async fn place(&self, body: &Value) -> String {
        let (status, body) = self.post_order(body, None).await;
        assert_eq!(status, 201, "{body}");
        body["orderId"].as_str().expect("orderId").to_owned()
    }

    pub async fn get_order(&self, id: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}/orders/{id}", self.base))
            .send()
            .await
            .expect("GET /orders/{id}");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// The detail types in an order's timeline, in order.
    pub async fn timeline(&self, id: &str) -> Vec<String> {
        let (_, body) = self.get_order(id).await;
        body["timeline"]
            .as_array()
            .map(|t| {
                t.iter()
                    .filter_map(|e| e["detailType"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl std::ops::Deref for TestApp {
    type Target = OrdersApi;

    fn deref(&self) -> &OrdersApi {
        &self.api
    }
}

/// An order body for `POST /orders`; tests change what they need.
pub fn order(lines: Value) -> Value {
    json!({
        "customerId": "cust-e2e",
        "lines": lines,
        "shipTo": {"name": "Ada", "line1": "1 Test Street", "city": "London", "postalCode": "N1", "country": "GB"},
        "paymentToken": "tok_visa"
    })
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(project_saga(), Faults::none()).await
    }

    pub async fn spawn_with(saga: Saga, faults: Faults) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir, saga, faults).await
    }

    /// The saga with the HTTP server's timeouts and connection limit set.
    pub async fn spawn_with_limits(http: runtime::HttpLimits) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_with(dir, project_saga(), Faults::none(), http).await
    }

    /// Starts (or restarts) the runtime on the database in `dir`.
    pub async fn start_in(dir: tempfile::TempDir, saga: Saga, faults: Faults) -> Self {
        Self::start_with(dir, saga, faults, runtime::HttpLimits::default()).await
    }

    async fn start_with(
        dir: tempfile::TempDir,
        saga: Saga,
        faults: Faults,
        http: runtime::HttpLimits,
    ) -> Self {
        let options = Options {
            database: Some(dir.path().join("saga.db")),
            listen: Some("127.0.0.1:0".parse().expect("address")),
            faults,
            workers: true,
            http,
            ..Options::default()
        };
        let runtime = Runtime::start(saga, options).await.expect("runtime starts");
        let items = inventory::catalogue::parse(inventory::catalogue::SEED).expect("seed");
        if runtime
            .services
            .inventory
            .all_items()
            .expect("items")
            .is_empty()
        {
            inventory::catalogue::load(&runtime.services.inventory, &items)
                .await
                .expect("catalogue");
        }
        let api = OrdersApi::at(runtime.addr.expect("bound"));
        Self { runtime, api, dir }
    }

    /// Stops the runtime and starts a new one on the same database.
    pub async fn restart(self, saga: Saga) -> Self {
        let dir = self.dir;
        self.runtime.shutdown().await;
        Self::start_in(dir, saga, Faults::none()).await
    }

    pub async fn settle(&self) {
        let secs = std::env::var("SETTLE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(30);
        if !self.runtime.wait_idle(Duration::from_secs(secs)).await {
            panic!(
                "the saga did not settle in {secs} s; queue depths: {:?}",
                self.runtime.queues.depths()
            );
        }
    }

    pub async fn status_of(&self, id: &str) -> String {
        let (_, body) = self.get_order(id).await;
        body["status"].as_str().unwrap_or_default().to_owned()
    }

    /// The invariants that must hold after any run.
    pub async fn assert_invariants(&self) {
        let seed = inventory::catalogue::parse(inventory::catalogue::SEED).expect("seed");
        let report = self.runtime.invariants(&seed).expect("invariants readable");
        assert!(report.holds(), "invariants violated: {report:#?}");
    }
}
