//! `saga run`: the whole saga, serving the order API, until Ctrl-C, on
//! the embedded backend ([`embedded`]) or with its resources in AWS
//! ([`aws`]).

mod args;
mod aws;
mod embedded;

pub use args::{AwsArgs, Backend, RunArgs, listen_address};
pub use aws::sdk_config;

use std::time::Instant;

pub async fn run(args: &RunArgs, started: Instant) -> anyhow::Result<()> {
    match args.aws.backend {
        Backend::Aws => aws::run(args, started).await,
        Backend::Embedded => embedded::run(args, started).await,
    }
}
