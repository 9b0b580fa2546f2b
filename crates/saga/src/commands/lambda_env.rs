//! `saga lambda-env`: writes the env file of the cargo-lambda loop (see
//! [`crate::lambda_env`]) and, with `--create-tables`, the tables.

use crate::lambda_env::{self, LocalEndpoints, tables};
use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use wiring::template::Template;

#[derive(Debug, Args)]
pub struct LambdaEnvArgs {
    /// The SAM template the functions' environments come from.
    #[arg(long, default_value = "infra/template.yaml")]
    pub template: PathBuf,
    /// `saga run`'s address: the functions' EventBridge and SQS endpoint.
    #[arg(long, default_value = "http://127.0.0.1:3000", value_parser = endpoint_url)]
    pub aws_endpoint: String,
    /// The DynamoDB the functions use: LocalStack (`make localstack`,
    /// 127.0.0.1:4566) or DynamoDB Local.
    #[arg(long, default_value = "http://127.0.0.1:4566", value_parser = endpoint_url)]
    pub dynamodb_endpoint: String,
    /// Where the env file is written.
    #[arg(long, default_value = ".saga/lambda.env")]
    pub out: PathBuf,
    /// Create the template's tables the DynamoDB endpoint lacks (existing
    /// ones are left alone) and load the seed catalogue items the inventory
    /// table lacks.
    #[arg(long)]
    pub create_tables: bool,
}

/// An `http://` or `https://` URL with a host.
fn endpoint_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))
        .ok_or_else(|| format!("{text:?} is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{text:?} has no host"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

pub async fn run(
    args: &LambdaEnvArgs,
    out: &mut impl Write,
) -> anyhow::Result<std::process::ExitCode> {
    let template = Template::from_path(&args.template)?;
    let endpoints = LocalEndpoints {
        aws_api: args.aws_endpoint.clone(),
        dynamodb: args.dynamodb_endpoint.clone(),
    };
    let resolved = lambda_env::resolve_functions(&template, &endpoints)?;
    let text = lambda_env::env_file(&resolved, &endpoints)?;
    if args.create_tables {
        let config = tables::sdk_config(&endpoints.dynamodb).await;
        let report = tables::create(&template, &config)
            .await
            .with_context(|| format!("at {}", endpoints.dynamodb))?;
        for table in &report.tables {
            let what = if table.created {
                "created"
            } else {
                "exists, left alone"
            };
            writeln!(out, "table {}: {what}", table.name)?;
        }
        if let Some(seed) = &report.seed {
            writeln!(
                out,
                "seed catalogue: {} items written to {}, {} there already",
                seed.written, seed.table, seed.present
            )?;
        }
    }
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&args.out, text).with_context(|| format!("writing {}", args.out.display()))?;
    let binaries: Vec<&str> = resolved
        .functions
        .iter()
        .map(|f| f.binary.as_str())
        .collect();
    writeln!(
        out,
        "wrote {} for {} functions: {}",
        args.out.display(),
        binaries.len(),
        binaries.join(", ")
    )?;
    for skipped in &resolved.skipped {
        writeln!(
            out,
            "left out {} ({}): {}",
            skipped.binary, skipped.logical_id, skipped.reason
        )?;
    }
    writeln!(
        out,
        "next: cargo lambda watch -A 127.0.0.1 --env-file {} (beside `saga run`), then e.g. \
         cargo lambda invoke orders-api --data-file events-schema/lambda/apigw-post-order.json",
        args.out.display()
    )?;
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::endpoint_url;

    #[test]
    fn an_endpoint_must_be_an_http_url_with_a_host() {
        assert_eq!(
            endpoint_url("http://127.0.0.1:3000/").unwrap(),
            "http://127.0.0.1:3000"
        );
        assert_eq!(
            endpoint_url("127.0.0.1:4566").unwrap_err(),
            "\"127.0.0.1:4566\" is not an http:// or https:// URL"
        );
        assert_eq!(
            endpoint_url("http:///x").unwrap_err(),
            "\"http:///x\" has no host"
        );
    }
}
