//! Creates the template's delivery resources in an emulator (moto,
//! LocalStack) with the AWS SDK: the tables, the queues with their redrive
//! policies, the bus, its archive, the rules with their targets, and the
//! queue policies. Each gets the physical name `<prefix><LogicalId>` (the
//! bus: `<prefix><EventBusName>`), and the names come back as a
//! [`StackNames`], in the shape CloudFormation reports for a deployed stack.
//!
//! Why not the SAM-translated template as a CloudFormation stack: the
//! hybrid backend runs the functions in this process, so the stack's
//! Lambda functions and event source mappings must not exist in the
//! target. moto's SQS hands every message sent to a queue with an event
//! source mapping to that function at once (`moto/sqs/models.py`,
//! `add_message`), which it cannot run without Docker, and LocalStack's
//! pollers would compete with ours. The resources created here are plain
//! CloudFormation in the template already (the SAM transform only touches
//! `AWS::Serverless::*`), so nothing is lost by skipping it. Resources that
//! take no part in delivery (IAM roles, log groups, alarms, the HTTP API,
//! the functions) are not created; see the README of this crate for the
//! list and for each emulator quirk.

mod tables;

pub use tables::ProvisionedTable;

use crate::names::StackNames;
use crate::resolved::{Resolved, text, unresolved_target};
use aws_sdk_eventbridge::types::{
    DeadLetterConfig, InputTransformer, RetryPolicy, RuleState, Target,
};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;
use wiring::template::{Template, TemplateError, resolve};

#[derive(Debug, Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("creating {resource}: {reason}")]
    Call { resource: String, reason: String },
}

fn call<E: std::fmt::Display>(resource: &str) -> impl FnOnce(E) -> ProvisionError + '_ {
    move |e| ProvisionError::Call {
        resource: resource.to_owned(),
        reason: e.to_string(),
    }
}

fn sdk<E: std::error::Error + 'static, R: std::fmt::Debug>(
    resource: &str,
) -> impl FnOnce(aws_sdk_sqs::error::SdkError<E, R>) -> ProvisionError + '_ {
    move |e| ProvisionError::Call {
        resource: resource.to_owned(),
        reason: aws_sdk_sqs::error::DisplayErrorContext(e).to_string(),
    }
}

/// Types created; every other resource type of the template is left out.
pub const PROVISIONED_TYPES: [&str; 6] = [
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::Events::EventBus",
    "AWS::Events::Archive",
    "AWS::Events::Rule",
    "AWS::SQS::QueuePolicy",
];

pub struct Provisioner {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub events: aws_sdk_eventbridge::Client,
    region: String,
}

impl Provisioner {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            events: aws_sdk_eventbridge::Client::new(config),
            region: config
                .region()
                .map_or_else(|| "us-east-1".to_owned(), ToString::to_string),
        }
    }

    /// Creates every delivery resource of `template`, named with `prefix`.
    pub async fn provision(
        &self,
        template: &Template,
        prefix: &str,
    ) -> Result<StackNames, ProvisionError> {
        let mut created = self.create_tables(template, prefix).await?;
        // Dead-letter queues before the queues whose redrive policy names them.
        let mut queues: Vec<_> = template.resources_of_type("AWS::SQS::Queue").collect();
        queues.sort_by_key(|q| q.properties.contains_key("RedrivePolicy"));
        for queue in queues {
            self.queue(&mut created, &queue.logical_id, prefix, &queue.properties)
                .await?;
        }
        for bus in template.resources_of_type("AWS::Events::EventBus") {
            self.bus(&mut created, &bus.logical_id, &bus.properties)
                .await?;
        }
        for archive in template.resources_of_type("AWS::Events::Archive") {
            self.archive(&mut created, &archive.logical_id, &archive.properties)
                .await?;
        }
        for rule in template.resources_of_type("AWS::Events::Rule") {
            self.rule(&mut created, &rule.logical_id, prefix, &rule.properties)
                .await?;
        }
        for policy in template.resources_of_type("AWS::SQS::QueuePolicy") {
            self.queue_policy(&created, &policy.logical_id, &policy.properties)
                .await?;
        }
        Ok(created.names)
    }

    /// Creates only the template's tables, named with `prefix`: for a
    /// runtime whose bus and queues already exist elsewhere
    /// ([`crate::attach`]).
    pub async fn tables(
        &self,
        template: &Template,
        prefix: &str,
    ) -> Result<StackNames, ProvisionError> {
        Ok(self.create_tables(template, prefix).await?.names)
    }

    /// The template's tables, created; what they resolve to.
    async fn create_tables(
        &self,
        template: &Template,
        prefix: &str,
    ) -> Result<Resolved, ProvisionError> {
        let mut created = Resolved::new(template, prefix, &self.region);
        for table in template.resources_of_type("AWS::DynamoDB::Table") {
            self.table(&mut created, &table.logical_id, prefix, &table.properties)
                .await?;
        }
        Ok(created)
    }

    async fn queue(
        &self,
        created: &mut Resolved,
        id: &str,
        prefix: &str,
        properties: &serde_yaml_ng::Mapping,
    ) -> Result<(), ProvisionError> {
        let props = resolve(&properties.clone().into(), created, (id, "Properties"))?;
        let name = format!("{prefix}{id}");
        let mut create = self.sqs.create_queue().queue_name(&name);
        for (property, value) in props.as_object().into_iter().flatten() {
            let attribute = match property.as_str() {
                "RedrivePolicy" => {
                    create =
                        create.attributes(QueueAttributeName::RedrivePolicy, value.to_string());
                    continue;
                }
                "Tags" => continue,
                "VisibilityTimeout"
                | "MessageRetentionPeriod"
                | "SqsManagedSseEnabled"
                | "DelaySeconds"
                | "MaximumMessageSize"
                | "ReceiveMessageWaitTimeSeconds"
                | "KmsMasterKeyId"
                | "KmsDataKeyReusePeriodSeconds" => QueueAttributeName::from(property.as_str()),
                other => {
                    return Err(call(id)(format!(
                        "property {other} is not provisioned by the hybrid backend"
                    )));
                }
            };
            let value = text(value).unwrap_or_default();
            create = create.attributes(attribute, value);
        }
        let url = create
            .send()
            .await
            .map_err(sdk(id))?
            .queue_url
            .unwrap_or_default();
        let arn = self
            .sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(sdk(id))?
            .attributes
            .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
            .unwrap_or_default();
        created.record_queue(id, &url, &name, arn);
        Ok(())
    }

    async fn bus(
        &self,
        created: &mut Resolved,
        id: &str,
        properties: &serde_yaml_ng::Mapping,
    ) -> Result<(), ProvisionError> {
        let name_value = properties.get("Name").cloned().unwrap_or_default();
        let name = text(&resolve(&name_value, created, (id, "Name"))?).unwrap_or_else(|| id.into());
        let arn = self
            .events
            .create_event_bus()
            .name(&name)
            .send()
            .await
            .map_err(sdk(id))?
            .event_bus_arn
            .unwrap_or_default();
        if let Some(account) = arn.split(':').nth(4) {
            created
                .refs
                .insert("AWS::AccountId".into(), account.to_owned());
        }
        created.record_bus(id, &name, arn);
        Ok(())
    }

    async fn archive(
        &self,
        created: &mut Resolved,
        id: &str,
        properties: &serde_yaml_ng::Mapping,
    ) -> Result<(), ProvisionError> {
        let props = resolve(&properties.clone().into(), created, (id, "Properties"))?;
        let name = text(&props["ArchiveName"]).unwrap_or_else(|| id.into());
        let mut create = self
            .events
            .create_archive()
            .archive_name(&name)
            .event_source_arn(text(&props["SourceArn"]).unwrap_or_default())
            .set_description(text(&props["Description"]));
        if let Some(days) = props["RetentionDays"].as_i64() {
            create = create.retention_days(i32::try_from(days).map_err(call(id))?);
        }
        if !props["EventPattern"].is_null() {
            create = create.event_pattern(props["EventPattern"].to_string());
        }
        let arn = create
            .send()
            .await
            .map_err(sdk(id))?
            .archive_arn
            .unwrap_or_default();
        created.record(id, &name, Some(arn), "AWS::Events::Archive");
        Ok(())
    }

    async fn rule(
        &self,
        created: &mut Resolved,
        id: &str,
        prefix: &str,
        properties: &serde_yaml_ng::Mapping,
    ) -> Result<(), ProvisionError> {
        let name = format!("{prefix}{id}");
        if let Some(target) = unresolved_target(created, properties) {
            // A target this provisioner does not create (e.g. a Firehose
            // stream): the rule is left out, and says so. Its ARN is still
            // known, so the policies that name it resolve.
            let bus = properties
                .get("EventBusName")
                .map(|b| resolve(b, created, (id, "EventBusName")))
                .transpose()?
                .and_then(|b| text(&b))
                .unwrap_or_else(|| "default".into());
            let account = created
                .refs
                .get("AWS::AccountId")
                .cloned()
                .unwrap_or_default();
            let arn = format!("arn:aws:events:{}:{account}:rule/{bus}/{name}", self.region);
            created.attributes.insert((id.into(), "Arn".into()), arn);
            tracing::warn!(rule = id, target = %target, "rule not provisioned: its target is not a resource the hybrid backend creates");
            return Ok(());
        }
        let props = resolve(&properties.clone().into(), created, (id, "Properties"))?;
        let bus = text(&props["EventBusName"]).unwrap_or_else(|| "default".into());
        let state = text(&props["State"]).unwrap_or_else(|| "ENABLED".into());
        let arn = self
            .events
            .put_rule()
            .name(&name)
            .event_bus_name(&bus)
            .event_pattern(props["EventPattern"].to_string())
            .state(RuleState::from(state.as_str()))
            .set_description(text(&props["Description"]))
            .send()
            .await
            .map_err(sdk(id))?
            .rule_arn
            .unwrap_or_default();
        let mut targets = Vec::new();
        for t in props["Targets"].as_array().into_iter().flatten() {
            targets.push(target(id, t)?);
        }
        let out = self
            .events
            .put_targets()
            .rule(&name)
            .event_bus_name(&bus)
            .set_targets(Some(targets))
            .send()
            .await
            .map_err(sdk(id))?;
        if out.failed_entry_count() > 0 {
            return Err(call(id)(format!(
                "targets refused: {:?}",
                out.failed_entries()
            )));
        }
        created.record(id, &name, Some(arn), "AWS::Events::Rule");
        Ok(())
    }

    async fn queue_policy(
        &self,
        created: &Resolved,
        id: &str,
        properties: &serde_yaml_ng::Mapping,
    ) -> Result<(), ProvisionError> {
        let props = resolve(&properties.clone().into(), created, (id, "Properties"))?;
        let policy = props["PolicyDocument"].to_string();
        for url in props["Queues"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
        {
            self.sqs
                .set_queue_attributes()
                .queue_url(url)
                .attributes(QueueAttributeName::Policy, policy.clone())
                .send()
                .await
                .map_err(sdk(id))?;
        }
        Ok(())
    }
}

/// One rule target, with its input, retry policy and dead-letter queue.
fn target(rule: &str, t: &Json) -> Result<Target, ProvisionError> {
    let mut builder = Target::builder()
        .id(text(&t["Id"]).unwrap_or_default())
        .arn(text(&t["Arn"]).unwrap_or_default())
        .set_input(text(&t["Input"]))
        .set_input_path(text(&t["InputPath"]));
    if let Some(transformer) = t["InputTransformer"].as_object() {
        let paths: Option<HashMap<String, String>> = transformer
            .get("InputPathsMap")
            .and_then(Json::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), text(v)?)))
                    .collect()
            });
        builder = builder.input_transformer(
            InputTransformer::builder()
                .set_input_paths_map(paths)
                .input_template(
                    transformer
                        .get("InputTemplate")
                        .and_then(text)
                        .unwrap_or_default(),
                )
                .build()
                .map_err(call(rule))?,
        );
    }
    if let Some(retry) = t["RetryPolicy"].as_object() {
        let number = |k: &str| {
            retry
                .get(k)
                .and_then(Json::as_i64)
                .and_then(|n| i32::try_from(n).ok())
        };
        builder = builder.retry_policy(
            RetryPolicy::builder()
                .set_maximum_retry_attempts(number("MaximumRetryAttempts"))
                .set_maximum_event_age_in_seconds(number("MaximumEventAgeInSeconds"))
                .build(),
        );
    }
    if let Some(arn) = text(&t["DeadLetterConfig"]["Arn"]) {
        builder = builder.dead_letter_config(DeadLetterConfig::builder().arn(arn).build());
    }
    builder.build().map_err(call(rule))
}

/// Sets `VisibilityTimeout` on queues of a provisioned stack: tests use
/// seconds where the template says a minute, so a message failed on
/// purpose comes back soon. The template is not changed.
pub async fn set_visibility_timeouts(
    sqs: &aws_sdk_sqs::Client,
    names: &StackNames,
    seconds: u32,
) -> Result<(), ProvisionError> {
    let queues: BTreeMap<&str, &str> = names
        .stack_resources
        .iter()
        .filter(|r| r.resource_type == "AWS::SQS::Queue")
        .map(|r| {
            (
                r.logical_resource_id.as_str(),
                r.physical_resource_id.as_str(),
            )
        })
        .collect();
    for (id, url) in queues {
        sqs.set_queue_attributes()
            .queue_url(url)
            .attributes(QueueAttributeName::VisibilityTimeout, seconds.to_string())
            .send()
            .await
            .map_err(sdk(id))?;
    }
    Ok(())
}
