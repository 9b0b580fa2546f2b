//! `saga run --backend aws`: the same saga with its bus, rules, queues and
//! tables in AWS, moto or LocalStack, and the handlers on this machine
//! (the `hybrid` crate). Physical names come from a deployed stack's
//! `describe-stack-resources` JSON, or from provisioning the template into
//! an emulator first.

use super::run::RunArgs;
use super::saga_env;
use anyhow::Context;
use clap::{Args, ValueEnum};
use hybrid::provision::ProvisionError;
use hybrid::{HybridRuntime, Provisioner, StackNames, StackTemplate};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Backend {
    /// Everything in one SQLite file on this machine.
    #[default]
    Embedded,
    /// Bus, rules, queues and tables in AWS (or an emulator); handlers here.
    Aws,
}

#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Where the saga's resources live.
    #[arg(long, value_enum, default_value_t = Backend::Embedded)]
    pub backend: Backend,
    /// The AWS endpoint (moto, LocalStack); default: AWS itself, or
    /// AWS_ENDPOINT_URL.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// The deployed stack's resources: the JSON of `aws cloudformation
    /// describe-stack-resources --stack-name <stack>`.
    #[arg(long, conflicts_with = "provision")]
    pub stack_resources: Option<PathBuf>,
    /// Create the template's tables, queues, bus, archive and rules in the
    /// endpoint first, named `<PREFIX><LogicalId>` (emulators only).
    #[arg(long, value_name = "PREFIX", num_args = 0..=1, default_missing_value = "ordersaga-")]
    pub provision: Option<String>,
    /// The endpoint is moto: work around its quirks (events delivered to
    /// SQS without their `account`).
    #[arg(long)]
    pub moto: bool,
    /// Write the physical names used to this file (the describe-stack-resources
    /// shape), e.g. to run again with --stack-resources.
    #[arg(long)]
    pub write_stack_resources: Option<PathBuf>,
}

impl AwsArgs {
    /// The AWS options mean nothing to the embedded backend: say so rather
    /// than ignore them.
    pub fn only_with_aws(&self) -> anyhow::Result<()> {
        let given = [
            ("--endpoint", self.endpoint.is_some()),
            ("--stack-resources", self.stack_resources.is_some()),
            ("--provision", self.provision.is_some()),
            (
                "--write-stack-resources",
                self.write_stack_resources.is_some(),
            ),
        ];
        match given.iter().find(|(_, set)| *set) {
            Some((flag, _)) if self.backend == Backend::Embedded => {
                anyhow::bail!("{flag} needs --backend aws")
            }
            _ => Ok(()),
        }
    }
}

pub async fn sdk_config(endpoint: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = endpoint {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

pub async fn run(args: &RunArgs, started: Instant) -> anyhow::Result<()> {
    saga_env::init_logs("info");
    anyhow::ensure!(
        !args.faults.faults()?.is_active(),
        "fault injection (--fail-rate, --duplicate-rate, --crash-rate, --delay) needs the embedded backend"
    );
    let aws = &args.aws;
    let wiring = saga_env::wiring(&args.saga)?;
    let template = StackTemplate::from_path(&args.saga.template)?;
    let config = sdk_config(aws.endpoint.as_deref()).await;
    let (names, fresh) = match (&aws.stack_resources, &aws.provision) {
        (Some(path), _) => (StackNames::from_path(path)?, false),
        (None, Some(prefix)) => {
            let names = Provisioner::new(&config)
                .provision(&template, prefix)
                .await
                .map_err(|e: ProvisionError| anyhow::anyhow!(e))
                .context("provisioning the template (is the endpoint an emulator?)")?;
            (names, true)
        }
        (None, None) => anyhow::bail!(
            "--backend aws needs the stack's physical names: --stack-resources FILE \
             (from `aws cloudformation describe-stack-resources --stack-name <stack> > FILE`) \
             or --provision [PREFIX] to create the resources in an emulator"
        ),
    };
    if let Some(path) = &aws.write_stack_resources {
        std::fs::write(path, serde_json::to_string_pretty(&names)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let options = hybrid::HybridOptions {
        listen: Some(args.listen),
        quirks: if aws.moto {
            hybrid::Quirks::moto()
        } else {
            hybrid::Quirks::default()
        },
    };
    let runtime = HybridRuntime::start(&config, &template, wiring, names, options).await?;
    let catalogue = match &args.catalogue {
        Some(path) => Some(
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        ),
        None => fresh.then(|| inventory::catalogue::SEED.to_owned()),
    };
    if let Some(text) = catalogue {
        let items = inventory::catalogue::parse(&text)?;
        let n = inventory::catalogue::load(&runtime.services.inventory, &items).await?;
        tracing::info!(items = n, "catalogue loaded into the inventory table");
    }
    let addr = runtime.addr.context("the API did not bind")?;
    tracing::info!(
        consumers = runtime.wiring.consumers.len(),
        ready_ms = started.elapsed().as_millis() as u64,
        "serving http://{addr} over AWS resources (POST /orders, GET /orders/{{id}}); Ctrl-C stops"
    );
    super::run::shutdown_signal().await;
    tracing::info!("stopping: messages not yet received stay on their queues");
    runtime.shutdown().await;
    Ok(())
}
