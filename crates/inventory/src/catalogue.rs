//! Loading a catalogue file (the seed under `seed/catalogue.json`, or your
//! own) into a store, locally or into the DynamoDB table.

use crate::{InventoryStore, StockItem};
use platform::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CatalogueError {
    #[error("catalogue is not valid")]
    Invalid(#[from] serde_json::Error),
    #[error("catalogue names {0} twice")]
    Duplicate(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The seed catalogue shipped with the project.
pub const SEED: &str = include_str!("../seed/catalogue.json");

pub fn parse(text: &str) -> Result<Vec<StockItem>, CatalogueError> {
    let items: Vec<StockItem> = serde_json::from_str(text)?;
    let mut seen = std::collections::HashSet::new();
    for item in &items {
        if !seen.insert(item.sku.as_str()) {
            return Err(CatalogueError::Duplicate(item.sku.to_string()));
        }
    }
    Ok(items)
}

/// Writes every item, replacing entries with the same SKU.
pub async fn load<S: InventoryStore>(
    store: &S,
    items: &[StockItem],
) -> Result<usize, CatalogueError> {
    for item in items {
        store.put_item(item).await?;
    }
    Ok(items.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_catalogue_parses() {
        let items = parse(SEED).unwrap();
        assert!(
            items.iter().any(|i| i.available == 0),
            "the seed has a sold-out item for the out-of-stock path"
        );
    }

    #[test]
    fn a_catalogue_naming_a_sku_twice_is_rejected() {
        let one =
            r#"{"sku":"A","name":"a","unitPrice":{"minor":1,"currency":"USD"},"available":1}"#;
        let err = parse(&format!("[{one},{one}]")).unwrap_err();
        assert!(err.to_string().contains('A'));
    }
}
