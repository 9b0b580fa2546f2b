//! Loads a catalogue file into the deployed InventoryTable:
//! `load-catalogue --table <InventoryTable> [FILE]` (the seed by default).

use anyhow::{Context, bail};
use inventory::catalogue;
use inventory::dynamo::DynamoInventoryStore;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (table, file) = match args.as_slice() {
        [flag, table] if flag == "--table" => (table.clone(), None),
        [flag, table, file] if flag == "--table" => (table.clone(), Some(file.clone())),
        _ => bail!("usage: load-catalogue --table <InventoryTable name> [catalogue.json]"),
    };
    let text = match &file {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
        None => catalogue::SEED.to_owned(),
    };
    let items = catalogue::parse(&text).context("parsing the catalogue")?;
    let aws = platform::config::aws().await;
    let store = DynamoInventoryStore::new(aws_sdk_dynamodb::Client::new(&aws), &table);
    let n = catalogue::load(&store, &items)
        .await
        .with_context(|| format!("writing to {table}"))?;
    println!("loaded {n} items into {table}");
    Ok(())
}
