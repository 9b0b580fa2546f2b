//! `saga run` on the embedded backend: the whole saga in this process
//! over one SQLite file, serving the order API, until Ctrl-C; with
//! `--no-functions`, only its bus and queues, for functions that run
//! elsewhere (the hybrid backend with `--bus-endpoint`).

use super::args::RunArgs;
use crate::saga_env;
use anyhow::Context;
use runtime::{Mount, Options};
use std::sync::Arc;
use std::time::Instant;

pub async fn run(args: &RunArgs, started: Instant) -> anyhow::Result<()> {
    args.aws.only_with_aws()?;
    saga_env::init_logs("info");
    let console = console::Console::default();
    let options = Options {
        listen: Some(args.listen),
        faults: args.faults.faults()?,
        // The bus and queues' EventBridge and SQS APIs, and the console,
        // on the same port.
        mount: Some(console.beside(Mount(Arc::new(awsapi::router)))),
        hold_dead_letters: args.hold_dead_letters,
        ..Options::default()
    };
    let mut saga = saga_env::load(&args.saga)?;
    if args.no_functions {
        // The bus and queues only: the functions run elsewhere, against
        // the AWS APIs mounted above.
        saga.wiring = wiring::Wiring {
            consumers: Vec::new(),
            routes: Vec::new(),
            outbox_relay: false,
        };
    }
    let runtime = saga_env::start_saga(&args.saga, saga, options).await?;
    console.attach(&runtime);
    match &args.catalogue {
        _ if args.no_functions => {}
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let items = inventory::catalogue::parse(&text)
                .with_context(|| format!("{}", path.display()))?;
            let n = inventory::catalogue::load(&runtime.services.inventory, &items).await?;
            tracing::info!(items = n, file = %path.display(), "catalogue loaded");
        }
        None => {
            if let Some(n) = saga_env::seed_catalogue(&runtime).await? {
                tracing::info!(items = n, "seed catalogue loaded");
            }
        }
    }
    let addr = runtime.addr.context("the API did not bind")?;
    // Process start to serving: the figure the start-up target is about.
    let ready = started.elapsed().as_millis() as u64;
    if !args.no_functions {
        let apis = wiring::template::Template::from_path(&args.saga.template)?.http_apis()?;
        match wiring::template::local_auth_notice(&apis, addr) {
            (notice, false) => tracing::info!("{notice}"),
            (notice, true) => tracing::warn!("{notice}"),
        }
    }
    tracing::info!("console: http://{addr}{}", console::PATH);
    let (serves, stopping) = if args.no_functions {
        (
            format!(
                "the bus and queues only: --no-functions runs no function and serves no order API; for --endpoint-url http://{addr}, or `saga run --backend aws --bus-endpoint http://{addr}`"
            ),
            "stopping: messages stay queued in the database",
        )
    } else {
        (
            format!(
                "POST /orders, GET /orders/{{id}}; the EventBridge and SQS APIs for --endpoint-url http://{addr}"
            ),
            "stopping: in-flight deliveries finish, the rest stays queued in the database",
        )
    };
    tracing::info!(
        bus = %runtime.resources.bus_name,
        rules = runtime.resources.rules.len(),
        queues = runtime.resources.queues.len(),
        consumers = runtime.wiring.consumers.len(),
        database = %args.saga.db.display(),
        ready_ms = ready,
        "serving http://{addr} ({serves}) {ready} ms after start; Ctrl-C stops"
    );
    saga_env::shutdown_signal().await;
    tracing::info!("{stopping}");
    console.close();
    runtime.shutdown().await;
    Ok(())
}
