//! `make bench`: the EventBridge and SQS APIs of the real `saga run` (this
//! package's release binary on a loopback port) against LocalStack's, in the
//! same run, driven by the AWS SDK for Rust: SendMessage + ReceiveMessage +
//! DeleteMessage round trips on an idle target, then PutEvents in 10-entry
//! batches, each from CONCURRENCY tasks for SECONDS. Prints each rate and
//! the ratio.
//!
//! LocalStack is the one `make localstack` runs, or LOCALSTACK_ENDPOINT's
//! (crates/saga-aws-tests's `LocalStack::get`); without it the saga's figures are
//! printed alone, saying why.

use aws_sdk_sqs::config::{Credentials, Region};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 16;
const SECONDS: u64 = 5;

struct Target {
    name: &'static str,
    endpoint: String,
    bus: String,
    queue_url: String,
    source: &'static str,
}

fn conf(endpoint: &str) -> (aws_sdk_eventbridge::Client, aws_sdk_sqs::Client) {
    let creds = Credentials::new("test", "test", None, None, "bench");
    let events = aws_sdk_eventbridge::Config::builder()
        .behavior_version(aws_sdk_eventbridge::config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(creds.clone())
        .endpoint_url(endpoint)
        .build();
    let sqs = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(endpoint)
        .build();
    (
        aws_sdk_eventbridge::Client::from_conf(events),
        aws_sdk_sqs::Client::from_conf(sqs),
    )
}

/// The real `saga run`, on an ephemeral port of a fresh database.
fn saga_run(dir: &std::path::Path) -> (Child, String) {
    let template = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_saga"))
        .args([
            "run",
            "--listen",
            "127.0.0.1:0",
            "--template",
            template,
            "--db",
        ])
        .arg(dir.join("saga.db"))
        // The package's own logs: the line saying where it serves.
        .env("RUST_LOG", "warn,saga=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("saga run starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads its log until the line saying where it serves, then keeps
    // draining it so it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("serving http://").nth(1) {
                let addr: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                if let Some(tx) = tx.take() {
                    let _ = tx.send(format!("http://{addr}"));
                }
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(endpoint) => (child, endpoint),
        Err(_) => {
            let _ = child.kill();
            panic!(
                "saga run did not log `serving http://…` within 60 s (its log filter, or a start-up failure)"
            );
        }
    }
}

/// A bus, a rule for the bench's source and its queue on LocalStack, and a
/// queue for the SQS round trips: what the template gives `saga run`.
async fn localstack_target(endpoint: String) -> Target {
    let (events, sqs) = conf(&endpoint);
    let suffix = std::process::id();
    let bus = format!("bench-bus-{suffix}");
    events.create_event_bus().name(&bus).send().await.unwrap();
    let routed = sqs
        .create_queue()
        .queue_name(format!("bench-routed-{suffix}"))
        .send()
        .await
        .unwrap();
    let routed_arn = sqs
        .get_queue_attributes()
        .queue_url(routed.queue_url().unwrap())
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    events
        .put_rule()
        .name("bench-rule")
        .event_bus_name(&bus)
        .event_pattern(r#"{"source": ["shop.orders"], "detail-type": ["Order Placed"]}"#)
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule("bench-rule")
        .event_bus_name(&bus)
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("q")
                .arn(routed_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let queue = sqs
        .create_queue()
        .queue_name(format!("bench-roundtrip-{suffix}"))
        .send()
        .await
        .unwrap();
    Target {
        name: "LocalStack",
        endpoint,
        bus,
        queue_url: queue.queue_url().unwrap().to_owned(),
        source: "shop.orders",
    }
}

/// Runs `op` from CONCURRENCY tasks for SECONDS; operations per second.
async fn rate<F, Fut>(op: F) -> f64
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u64> + Send,
{
    let op = Arc::new(op);
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(SECONDS);
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (op, done) = (op.clone(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    done.fetch_add(op().await, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

async fn put_events_rate(t: &Target) -> f64 {
    let (events, _) = conf(&t.endpoint);
    let detail = {
        let example: serde_json::Value = serde_json::from_str(include_str!(
            "../../../events-schema/examples/order-placed.json"
        ))
        .unwrap();
        example["detail"].to_string()
    };
    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
        .event_bus_name(&t.bus)
        .source(t.source)
        .detail_type("Order Placed")
        .detail(detail)
        .build();
    rate(move || {
        let (events, entry) = (events.clone(), entry.clone());
        async move {
            let out = events
                .put_events()
                .set_entries(Some(vec![entry; 10]))
                .send()
                .await
                .expect("PutEvents");
            assert_eq!(out.failed_entry_count(), 0);
            10
        }
    })
    .await
}

async fn sqs_round_trip_rate(t: &Target) -> f64 {
    let (_, sqs) = conf(&t.endpoint);
    let url = t.queue_url.clone();
    rate(move || {
        let (sqs, url) = (sqs.clone(), url.clone());
        async move {
            sqs.send_message()
                .queue_url(&url)
                .message_body(r#"{"bench": true}"#)
                .send()
                .await
                .expect("SendMessage");
            let got = sqs
                .receive_message()
                .queue_url(&url)
                .send()
                .await
                .expect("ReceiveMessage");
            for m in got.messages() {
                sqs.delete_message()
                    .queue_url(&url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .expect("DeleteMessage");
            }
            1
        }
    })
    .await
}

fn localstack_endpoint() -> Result<String, String> {
    std::panic::catch_unwind(|| {
        saga_aws_tests::emulators::LocalStack::get()
            .endpoint
            .clone()
    })
    .map_err(|_| {
        "LocalStack did not start (make localstack-install, or set LOCALSTACK_ENDPOINT)".to_owned()
    })
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this
    // binary without it, and then it only says so.
    if !std::env::args().any(|a| a == "--bench") {
        println!("aws_api: run with `cargo bench -p saga --bench aws_api` (or make bench)");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut saga, endpoint) = saga_run(dir.path());
    let saga_target = Target {
        name: "saga run",
        queue_url: format!("{endpoint}/000000000000/HighValueOrdersQueue"),
        endpoint,
        bus: "ordersaga".into(),
        source: "shop.orders",
    };
    let localstack = localstack_endpoint();
    runtime.block_on(async {
        let mut targets = vec![saga_target];
        match localstack {
            Ok(endpoint) => targets.push(localstack_target(endpoint).await),
            Err(why) => println!("LocalStack skipped: {why}"),
        }
        println!(
            "AWS API throughput, AWS SDK for Rust, {CONCURRENCY} concurrent clients, {SECONDS} s each"
        );
        let mut figures = Vec::new();
        for t in &targets {
            // The round trips first: on `saga run` every Order Placed the
            // PutEvents phase puts starts the saga's functions (inventory,
            // payment, shipping, orders, the archive), which go on for tens
            // of seconds after the phase; round trips measured after it
            // share the cores with that backlog, which LocalStack (a rule
            // and a queue) does not have.
            let sqs = sqs_round_trip_rate(t).await;
            let events = put_events_rate(t).await;
            println!(
                "  {:<10} PutEvents (10-entry batches) {:>9.0} events/s   SendMessage+ReceiveMessage+DeleteMessage {:>7.0} round trips/s",
                t.name, events, sqs
            );
            figures.push((events, sqs));
        }
        if let [(se, ss), (le, ls)] = figures[..] {
            println!(
                "  ratio saga run / LocalStack: PutEvents {:.1}x, SQS round trips {:.1}x (target: 10x)",
                se / le,
                ss / ls
            );
        }
    });
    let _ = saga.kill();
    let _ = saga.wait();
}
