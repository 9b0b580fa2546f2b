//! `saga run`'s arguments, for both backends.

use crate::saga_env::{FaultArgs, SagaArgs};
use clap::{Args, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// Run none of the template's functions: serve only the bus, rules,
    /// queues, DLQs and archive, through their EventBridge and SQS APIs,
    /// for functions that run elsewhere (`saga run --backend aws
    /// --bus-endpoint http://<this address>`). No order API is served.
    #[arg(long, conflicts_with_all = ["catalogue", "hold_dead_letters"])]
    pub no_functions: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
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
    /// EventBridge and SQS at this endpoint instead, where the template's
    /// bus, rules, queues and archive already exist (`saga run
    /// --no-functions` of the same template): they are looked up, never
    /// created, and one that is missing is an error naming it. The tables
    /// stay at --endpoint (created there with --provision).
    #[arg(long, value_name = "URL", conflicts_with = "stack_resources")]
    pub bus_endpoint: Option<String>,
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
            ("--bus-endpoint", self.bus_endpoint.is_some()),
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
