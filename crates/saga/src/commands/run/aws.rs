//! `saga run --backend aws`: the same saga with its bus, rules, queues and
//! tables in AWS, moto or LocalStack, and the handlers on this machine
//! (the `hybrid` crate). Physical names come from a deployed stack's
//! `describe-stack-resources` JSON, or from provisioning the template into
//! an emulator first.

use super::args::RunArgs;
use crate::saga_env;
use anyhow::Context;
use hybrid::provision::ProvisionError;
use hybrid::{HybridRuntime, Provisioner, StackNames};
use std::time::Instant;
use wiring::template::Template;

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
        !args.no_functions,
        "--no-functions is for the embedded backend (the bus and queues another runtime's functions use)"
    );
    anyhow::ensure!(
        !args.faults.faults()?.is_active(),
        "fault injection (--fail-rate, --duplicate-rate, --crash-rate, --delay) needs the embedded backend"
    );
    let aws = &args.aws;
    // The whole template is checked as the embedded backend reads it, so
    // both backends refuse the same templates.
    let wiring = saga_env::load(&args.saga)?.wiring;
    let template = Template::from_path(&args.saga.template)?;
    let config = sdk_config(aws.endpoint.as_deref()).await;
    let delivery = match &aws.bus_endpoint {
        Some(url) => Some(sdk_config(Some(url)).await),
        None => None,
    };
    let (names, fresh) = match (&aws.stack_resources, &aws.provision, &delivery) {
        (Some(path), _, _) => (StackNames::from_path(path)?, false),
        (None, Some(prefix), Some(delivery)) => {
            let mut names = Provisioner::new(&config)
                .tables(&template, prefix)
                .await
                .map_err(|e: ProvisionError| anyhow::anyhow!(e))
                .context("creating the template's tables (is --endpoint an emulator?)")?;
            let found = hybrid::attach(delivery, &template, "")
                .await
                .map_err(|e: hybrid::AttachError| anyhow::anyhow!(e))
                .with_context(|| {
                    format!(
                        "finding the template's bus, rules and queues at --bus-endpoint {}",
                        aws.bus_endpoint.as_deref().unwrap_or_default()
                    )
                })?;
            names.stack_resources.extend(found.stack_resources);
            (names, true)
        }
        (None, None, Some(_)) => anyhow::bail!(
            "--bus-endpoint needs --provision [PREFIX]: the tables are created at --endpoint"
        ),
        (None, Some(prefix), None) => {
            let names = Provisioner::new(&config)
                .provision(&template, prefix)
                .await
                .map_err(|e: ProvisionError| anyhow::anyhow!(e))
                .context("provisioning the template (is the endpoint an emulator?)")?;
            (names, true)
        }
        (None, None, None) => anyhow::bail!(
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
        delivery,
        ..hybrid::HybridOptions::default()
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
    saga_env::shutdown_signal().await;
    tracing::info!("stopping: messages not yet received stay on their queues");
    runtime.shutdown().await;
    Ok(())
}
