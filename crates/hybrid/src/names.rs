//! Physical names of a stack's resources, by logical id, in the shape of
//! CloudFormation's `DescribeStackResources` answer
//! (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html):
//! a queue's physical id is its URL, a table's and a bus's their names.
//!
//! For a deployed stack the file comes from
//! `aws cloudformation describe-stack-resources --stack-name ordersaga`;
//! for an emulator the provisioner writes the same shape.

use serde::{Deserialize, Serialize};
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum NamesError {
    #[error("{path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the stack has no {resource_type} {logical_id}; is it the stack of this template?")]
    Missing {
        logical_id: String,
        resource_type: &'static str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackResource {
    pub logical_resource_id: String,
    pub physical_resource_id: String,
    pub resource_type: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackNames {
    pub stack_resources: Vec<StackResource>,
}

impl StackNames {
    pub fn from_path(path: &Path) -> Result<Self, NamesError> {
        let read = |reason: String| NamesError::Read {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| read(e.to_string()))?;
        serde_json::from_str(&text).map_err(|e| {
            read(format!(
                "{e}; expected the JSON of `aws cloudformation describe-stack-resources`"
            ))
        })
    }

    pub fn insert(&mut self, logical_id: &str, physical_id: &str, resource_type: &str) {
        self.stack_resources.push(StackResource {
            logical_resource_id: logical_id.to_owned(),
            physical_resource_id: physical_id.to_owned(),
            resource_type: resource_type.to_owned(),
        });
    }

    pub fn physical(&self, logical_id: &str) -> Option<&str> {
        self.stack_resources
            .iter()
            .find(|r| r.logical_resource_id == logical_id)
            .map(|r| r.physical_resource_id.as_str())
    }

    fn of(&self, logical_id: &str, resource_type: &'static str) -> Result<&str, NamesError> {
        self.stack_resources
            .iter()
            .find(|r| r.logical_resource_id == logical_id && r.resource_type == resource_type)
            .map(|r| r.physical_resource_id.as_str())
            .ok_or_else(|| NamesError::Missing {
                logical_id: logical_id.to_owned(),
                resource_type,
            })
    }

    pub fn queue_url(&self, logical_id: &str) -> Result<&str, NamesError> {
        self.of(logical_id, "AWS::SQS::Queue")
    }

    pub fn table(&self, logical_id: &str) -> Result<&str, NamesError> {
        self.of(logical_id, "AWS::DynamoDB::Table")
    }

    pub fn bus(&self, logical_id: &str) -> Result<&str, NamesError> {
        self.of(logical_id, "AWS::Events::EventBus")
    }

    pub fn archive(&self, logical_id: &str) -> Result<&str, NamesError> {
        self.of(logical_id, "AWS::Events::Archive")
    }
}

/// The queue name at the end of a queue URL (`https://…/123456789012/Name`).
pub fn queue_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_describe_stack_resources_json_of_the_aws_cli_is_read_by_logical_id() {
        let text = r#"{"StackResources": [
            {"StackName": "ordersaga", "LogicalResourceId": "InventoryQueue",
             "PhysicalResourceId": "https://sqs.eu-west-1.amazonaws.com/111122223333/ordersaga-InventoryQueue-AbC",
             "ResourceType": "AWS::SQS::Queue", "ResourceStatus": "CREATE_COMPLETE"},
            {"LogicalResourceId": "OrdersTable", "PhysicalResourceId": "ordersaga-OrdersTable-XyZ",
             "ResourceType": "AWS::DynamoDB::Table"}]}"#;
        let names: StackNames = serde_json::from_str(text).unwrap();
        let url = names.queue_url("InventoryQueue").unwrap();
        assert_eq!(queue_name(url), "ordersaga-InventoryQueue-AbC");
        assert_eq!(
            names.table("OrdersTable").unwrap(),
            "ordersaga-OrdersTable-XyZ"
        );
        let err = names.table("InventoryQueue").unwrap_err().to_string();
        assert!(err.contains("AWS::DynamoDB::Table InventoryQueue"), "{err}");
    }
}
