//! The template's DynamoDB tables: created by [`Provisioner::provision`]
//! with the rest of a stack, by [`Provisioner::tables`] on their own, or
//! by [`Provisioner::ensure_tables`], which leaves a table that already
//! exists as it is (`saga lambda-env
//! --create-tables`, for functions run outside the saga against DynamoDB
//! Local or LocalStack).

use super::{ProvisionError, Provisioner, call, sdk};
use crate::resolved::{Resolved, text};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ProvisionedThroughput, ScalarAttributeType,
    SseSpecification, StreamSpecification, StreamViewType, TableStatus, TimeToLiveSpecification,
};
use serde_json::Value as Json;
use std::time::{Duration, Instant};
use wiring::template::{Template, resolve};

/// A table of the template and what [`Provisioner::ensure_tables`] did
/// with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionedTable {
    pub logical_id: String,
    /// `<prefix><LogicalId>`.
    pub name: String,
    /// False when the table was there already and was left alone.
    pub created: bool,
}

impl Provisioner {
    /// Creates each `AWS::DynamoDB::Table` of `template` named
    /// `<prefix><LogicalId>` that does not exist yet, as [`Self::provision`]
    /// creates it; a table that exists is left as it is, items and all
    /// (never deleted, never changed), so running this twice is harmless.
    pub async fn ensure_tables(
        &self,
        template: &Template,
        prefix: &str,
    ) -> Result<Vec<ProvisionedTable>, ProvisionError> {
        let mut created = Resolved::new(template, prefix, &self.region);
        let mut tables = Vec::new();
        for table in template.resources_of_type("AWS::DynamoDB::Table") {
            let id = table.logical_id.as_str();
            let name = format!("{prefix}{id}");
            let exists = self.exists(&name, id).await?;
            if exists {
                self.wait_active(&name, id).await?;
            } else {
                self.table(&mut created, id, prefix, &table.properties)
                    .await?;
            }
            tables.push(ProvisionedTable {
                logical_id: id.to_owned(),
                name,
                created: !exists,
            });
        }
        Ok(tables)
    }

    async fn exists(&self, name: &str, id: &str) -> Result<bool, ProvisionError> {
        match self.dynamodb.describe_table().table_name(name).send().await {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(sdk(id)(e)),
        }
    }

    pub(super) async fn table(
        &self,
        created: &mut Resolved,
        id: &str,
        prefix: &str,
        properties: &serde_yaml_ng::Mapping,
    ) -> Result<(), ProvisionError> {
        let props = resolve(&properties.clone().into(), created, (id, "Properties"))?;
        let name = format!("{prefix}{id}");
        let mut create = self.dynamodb.create_table().table_name(&name);
        for a in props["AttributeDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            create = create.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(text(&a["AttributeName"]).unwrap_or_default())
                    .attribute_type(ScalarAttributeType::from(
                        text(&a["AttributeType"]).unwrap_or_default().as_str(),
                    ))
                    .build()
                    .map_err(call(id))?,
            );
        }
        create = create
            .set_key_schema(Some(key_schema(id, &props["KeySchema"])?))
            .set_provisioned_throughput(throughput(id, &props["ProvisionedThroughput"])?);
        if let Some(mode) = text(&props["BillingMode"]) {
            create = create.billing_mode(BillingMode::from(mode.as_str()));
        }
        for index in props["GlobalSecondaryIndexes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            create = create.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(text(&index["IndexName"]).unwrap_or_default())
                    .set_key_schema(Some(key_schema(id, &index["KeySchema"])?))
                    .projection(projection(&index["Projection"]))
                    .set_provisioned_throughput(throughput(id, &index["ProvisionedThroughput"])?)
                    .build()
                    .map_err(call(id))?,
            );
        }
        for index in props["LocalSecondaryIndexes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            create = create.local_secondary_indexes(
                LocalSecondaryIndex::builder()
                    .index_name(text(&index["IndexName"]).unwrap_or_default())
                    .set_key_schema(Some(key_schema(id, &index["KeySchema"])?))
                    .projection(projection(&index["Projection"]))
                    .build()
                    .map_err(call(id))?,
            );
        }
        if let Some(view) = text(&props["StreamSpecification"]["StreamViewType"]) {
            create = create.stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::from(view.as_str()))
                    .build()
                    .map_err(call(id))?,
            );
        }
        if props["SSESpecification"]["SSEEnabled"] == Json::Bool(true) {
            create = create.sse_specification(SseSpecification::builder().enabled(true).build());
        }
        let out = create.send().await.map_err(sdk(id))?;
        let description = out.table_description();
        let arn = description.and_then(|d| d.table_arn()).unwrap_or_default();
        let mut stream = description
            .and_then(|d| d.latest_stream_arn())
            .map(str::to_owned);
        self.wait_active(&name, id).await?;
        if stream.is_none() && props["StreamSpecification"].is_object() {
            stream = self
                .dynamodb
                .describe_table()
                .table_name(&name)
                .send()
                .await
                .map_err(sdk(id))?
                .table
                .and_then(|t| t.latest_stream_arn);
        }
        if let (Some(attribute), Json::Bool(true)) = (
            text(&props["TimeToLiveSpecification"]["AttributeName"]),
            &props["TimeToLiveSpecification"]["Enabled"],
        ) {
            self.dynamodb
                .update_time_to_live()
                .table_name(&name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(attribute)
                        .enabled(true)
                        .build()
                        .map_err(call(id))?,
                )
                .send()
                .await
                .map_err(sdk(id))?;
        }
        created.record(id, &name, Some(arn.to_owned()), "AWS::DynamoDB::Table");
        if let Some(stream) = stream {
            created
                .attributes
                .insert((id.into(), "StreamArn".into()), stream);
        }
        tracing::info!(table = %name, "table created");
        Ok(())
    }

    /// Polls DescribeTable until ACTIVE (LocalStack takes a moment; moto is
    /// ACTIVE at once).
    async fn wait_active(&self, name: &str, id: &str) -> Result<(), ProvisionError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status = self
                .dynamodb
                .describe_table()
                .table_name(name)
                .send()
                .await
                .map_err(sdk(id))?
                .table
                .and_then(|t| t.table_status);
            if status == Some(TableStatus::Active) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(call(id)(format!(
                    "table {name} still {status:?} after 60 s"
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A `KeySchema` (of the table or of an index).
fn key_schema(id: &str, keys: &Json) -> Result<Vec<KeySchemaElement>, ProvisionError> {
    keys.as_array()
        .into_iter()
        .flatten()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(text(&k["AttributeName"]).unwrap_or_default())
                .key_type(KeyType::from(
                    text(&k["KeyType"]).unwrap_or_default().as_str(),
                ))
                .build()
                .map_err(call(id))
        })
        .collect()
}

/// An index's `Projection`: `ALL` unless the template says otherwise.
fn projection(projection: &Json) -> Projection {
    let kind = text(&projection["ProjectionType"]).unwrap_or_else(|| "ALL".into());
    let attributes: Option<Vec<String>> = projection["NonKeyAttributes"]
        .as_array()
        .map(|a| a.iter().filter_map(text).collect());
    Projection::builder()
        .projection_type(ProjectionType::from(kind.as_str()))
        .set_non_key_attributes(attributes)
        .build()
}

/// `ProvisionedThroughput`, for tables and indexes not billed per request.
fn throughput(id: &str, value: &Json) -> Result<Option<ProvisionedThroughput>, ProvisionError> {
    if !value.is_object() {
        return Ok(None);
    }
    let units = |name: &str| {
        value[name]
            .as_i64()
            .or_else(|| text(&value[name])?.parse().ok())
    };
    ProvisionedThroughput::builder()
        .set_read_capacity_units(units("ReadCapacityUnits"))
        .set_write_capacity_units(units("WriteCapacityUnits"))
        .build()
        .map(Some)
        .map_err(call(id))
}

#[cfg(test)]
#[path = "tables_tests.rs"]
mod tests;
