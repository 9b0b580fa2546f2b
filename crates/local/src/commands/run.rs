//! `saga run`: the whole saga, serving the order API, until Ctrl-C.

use super::saga_env::{self, FaultArgs, SagaArgs};
use anyhow::Context;
use clap::Args;
use runtime::Options;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub saga: SagaArgs,
    #[command(flatten)]
    pub faults: FaultArgs,
    /// Where the order API listens: HOST:PORT, the host an address or a
    /// name (localhost:3000). Loopback only unless you ask otherwise.
    #[arg(long, default_value = "127.0.0.1:3000", value_parser = listen_address)]
    pub listen: SocketAddr,
    /// Load this catalogue (JSON, as crates/inventory/seed/catalogue.json)
    /// instead of the seed, replacing entries with the same SKU.
    #[arg(long)]
    pub catalogue: Option<PathBuf>,
    /// Leave dead letters on their DLQs instead of recording them (the DLQ
    /// recorder does not run), for SQS clients to list, read and redrive.
    #[arg(long)]
    pub hold_dead_letters: bool,
    #[command(flatten)]
    pub aws: super::run_aws::AwsArgs,
}

/// Resolves `--listen`: an IPv4 address where the name has one (what
/// `localhost` means to most clients), else the first it resolves to.
pub fn listen_address(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| format!("{text} is not HOST:PORT that resolves ({e})"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("{text} resolves to no address"))
}

pub async fn run(args: &RunArgs, started: Instant) -> anyhow::Result<()> {
    if args.aws.backend == super::run_aws::Backend::Aws {
        return super::run_aws::run(args, started).await;
    }
    args.aws.only_with_aws()?;
    saga_env::init_logs("info");
    let console = console::Console::default();
    let options = Options {
        listen: Some(args.listen),
        faults: args.faults.faults()?,
        // The bus and queues' EventBridge and SQS APIs, and the console,
        // on the same port.
        mount: Some(console.beside(awsapi::mount())),
        hold_dead_letters: args.hold_dead_letters,
        ..Options::default()
    };
    let runtime = saga_env::start(&args.saga, options).await?;
    console.attach(&runtime);
    match &args.catalogue {
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
    let apis = crate::template::Template::from_path(&args.saga.template)?.http_apis()?;
    match crate::template::local_auth_notice(&apis, addr) {
        (notice, false) => tracing::info!("{notice}"),
        (notice, true) => tracing::warn!("{notice}"),
    }
    tracing::info!("console: http://{addr}{}", console::PATH);
    tracing::info!(
        bus = %runtime.wiring.bus_name,
        rules = runtime.wiring.rules.len(),
        queues = runtime.wiring.queues.len(),
        consumers = runtime.wiring.consumers.len(),
        database = %args.saga.db.display(),
        ready_ms = ready,
        "serving http://{addr} (POST /orders, GET /orders/{{id}}; the EventBridge and SQS APIs for --endpoint-url http://{addr}) {ready} ms after start; Ctrl-C stops"
    );
    shutdown_signal().await;
    tracing::info!("stopping: in-flight deliveries finish, the rest stays queued in the database");
    console.close();
    runtime.shutdown().await;
    Ok(())
}

pub(crate) async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
