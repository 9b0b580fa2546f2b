//! `saga lambda-env --create-tables`: the template's DynamoDB tables at
//! the local endpoint (by the hybrid backend's provisioner, named by their
//! logical ids, as the env file names them), and the seed catalogue in the
//! inventory table. Nothing that is there already is changed: an existing
//! table is left alone, and only the seed items the inventory table lacks
//! are written, so stock that orders have reserved is never reset.

use super::{LOCAL_ACCESS_KEY, LOCAL_REGION};
use aws_sdk_dynamodb::config::{Credentials, Region};
use hybrid::Provisioner;
use hybrid::provision::{ProvisionError, ProvisionedTable};
use inventory::catalogue::{self, CatalogueError};
use inventory::dynamo::DynamoInventoryStore;
use inventory::{InventoryStore, StockItem};
use platform::{Retryable, StoreError};
use thiserror::Error;
use wiring::template::Template;

/// The variable naming the inventory function's table (`INVENTORY_TABLE:
/// !Ref InventoryTable`).
const INVENTORY_TABLE_VARIABLE: &str = "INVENTORY_TABLE";

/// BatchGetItem reads at most 100 keys.
const BATCH_GET_LIMIT: usize = 100;

#[derive(Debug, Error)]
pub enum TablesError {
    #[error("creating the template's tables")]
    Provision(#[source] ProvisionError),
    #[error("the seed catalogue")]
    Catalogue(#[source] CatalogueError),
    #[error("loading the seed catalogue into {table}")]
    Seed {
        table: String,
        #[source]
        source: StoreError,
    },
}

/// An endpoint that did not answer may answer next time; a refused
/// template or catalogue will not.
impl Retryable for TablesError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Provision(ProvisionError::Call { .. }) => true,
            Self::Seed { source, .. } => source.is_retryable(),
            _ => false,
        }
    }
}

/// What was created and loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablesReport {
    pub tables: Vec<ProvisionedTable>,
    /// The inventory table, the seed items written and the ones it had.
    pub seed: Option<Seed>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub table: String,
    pub written: usize,
    pub present: usize,
}

/// SDK configuration for the DynamoDB endpoint, with the region and keys
/// the env file gives the functions.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(LOCAL_REGION))
        .credentials_provider(Credentials::new(
            LOCAL_ACCESS_KEY,
            LOCAL_ACCESS_KEY,
            None,
            None,
            "saga lambda-env",
        ))
        .load()
        .await
}

/// Creates the tables the endpoint lacks, then seeds the inventory table.
pub async fn create(
    template: &Template,
    config: &aws_config::SdkConfig,
) -> Result<TablesReport, TablesError> {
    let provisioner = Provisioner::new(config);
    let tables = provisioner
        .ensure_tables(template, "")
        .await
        .map_err(TablesError::Provision)?;
    let inventory = template
        .table_of_env(INVENTORY_TABLE_VARIABLE)
        .and_then(|id| tables.iter().find(|t| t.logical_id == id));
    let seed = match inventory {
        Some(table) => {
            let store = DynamoInventoryStore::new(provisioner.dynamodb.clone(), &table.name);
            Some(seed(&store, &table.name).await?)
        }
        None => None,
    };
    Ok(TablesReport { tables, seed })
}

/// Writes the seed items `store` does not have.
async fn seed(store: &impl InventoryStore, table: &str) -> Result<Seed, TablesError> {
    let items = catalogue::parse(catalogue::SEED).map_err(TablesError::Catalogue)?;
    let failed = |source| TablesError::Seed {
        table: table.to_owned(),
        source,
    };
    let mut present = Vec::new();
    for chunk in items.chunks(BATCH_GET_LIMIT) {
        let skus: Vec<_> = chunk.iter().map(|i| i.sku.clone()).collect();
        present.extend(store.items(&skus).await.map_err(failed)?);
    }
    let missing: Vec<&StockItem> = items
        .iter()
        .filter(|item| !present.iter().any(|p| p.sku == item.sku))
        .collect();
    for item in &missing {
        store.put_item(item).await.map_err(failed)?;
    }
    Ok(Seed {
        table: table.to_owned(),
        written: missing.len(),
        present: present.len(),
    })
}
