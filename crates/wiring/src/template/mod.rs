//! Reading a CloudFormation / SAM template: the one model of
//! `infra/template.yaml` both backends read (the embedded backend's
//! resources and functions, the hybrid backend's provisioning).
//!
//! The template is parsed with serde_yaml_ng, which keeps the short-form
//! intrinsic tags (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`) as tagged values, so
//! they can be told apart from plain strings. Each resource type the saga
//! reads has its module ([`rule`], [`queue`], [`function`], [`api`]), each
//! reading its resource's properties and failing with an error that names
//! the resource and property; [`resolve`] resolves intrinsics against a
//! stack's physical names.

mod api;
mod error;
mod function;
mod intrinsic;
mod queue;
mod resolve;
mod resource;
mod rule;
mod value;

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

pub use api::{HttpApiResource, local_auth_notice};
pub use error::TemplateError;
pub use function::{FunctionEvent, FunctionResource};
pub use intrinsic::ResourceRef;
pub use queue::QueueResource;
pub use resolve::{Resolver, ref_target, resolve};
pub use resource::Resource;
pub use rule::{EventRule, RetryPolicy, RuleState, RuleTarget, TargetInput};

/// A parsed template: its resources, in the order they were written.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    resources: Vec<Resource>,
    /// `Parameters`, for the defaults a local run uses.
    pub parameters: Mapping,
    /// SAM's `Globals` (e.g. `Globals.Function.Environment`).
    pub globals: Mapping,
}

impl Template {
    pub fn from_path(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_yaml(&text)
    }

    /// Parses YAML (or JSON, which YAML reads too) template text.
    pub fn from_yaml(text: &str) -> Result<Self, TemplateError> {
        let root: Value =
            serde_yaml_ng::from_str(text).map_err(|e| TemplateError::Yaml(e.to_string()))?;
        let Some(resources) = root.get("Resources").and_then(Value::as_mapping) else {
            return Err(TemplateError::NoResources);
        };
        let resources = resources
            .iter()
            .map(|(id, body)| Resource::from_yaml(id, body))
            .collect::<Result<_, _>>()?;
        let section = |name: &str| {
            root.get(name)
                .and_then(Value::as_mapping)
                .cloned()
                .unwrap_or_default()
        };
        Ok(Self {
            resources,
            parameters: section("Parameters"),
            globals: section("Globals"),
        })
    }

    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    pub fn resources_of_type<'t>(
        &'t self,
        resource_type: &'t str,
    ) -> impl Iterator<Item = &'t Resource> {
        self.resources
            .iter()
            .filter(move |r| r.resource_type == resource_type)
    }

    /// Every `AWS::SQS::Queue`, in template order.
    pub fn queues(&self) -> Result<Vec<QueueResource>, TemplateError> {
        self.resources_of_type(queue::RESOURCE_TYPE)
            .map(QueueResource::from_resource)
            .collect()
    }

    /// Every `AWS::Serverless::Function`, in template order.
    pub fn functions(&self) -> Result<Vec<FunctionResource>, TemplateError> {
        self.resources_of_type(function::RESOURCE_TYPE)
            .map(|r| FunctionResource::from_resource(r, &self.globals))
            .collect()
    }

    /// Every `AWS::Serverless::HttpApi`, in template order.
    pub fn http_apis(&self) -> Result<Vec<HttpApiResource>, TemplateError> {
        self.resources_of_type(api::RESOURCE_TYPE)
            .map(HttpApiResource::from_resource)
            .collect()
    }

    /// A parameter's `Default`, as text.
    pub fn parameter_default(&self, name: &str) -> Option<String> {
        match self.parameters.get(name)?.get("Default")? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// Every parameter's `Default` that is a string, number or boolean, as
    /// text.
    pub fn parameter_defaults(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, p) in &self.parameters {
            let text = match p.get("Default") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                _ => continue,
            };
            if let Some(name) = name.as_str() {
                out.insert(name.to_owned(), text);
            }
        }
        out
    }

    /// The table a function environment variable (`ORDERS_TABLE: !Ref
    /// OrdersTable`) names, as a logical id.
    pub fn table_of_env(&self, variable: &str) -> Option<String> {
        self.resources_of_type(function::RESOURCE_TYPE)
            .find_map(|f| {
                let value = f
                    .properties
                    .get("Environment")?
                    .get("Variables")?
                    .get(variable)?;
                match ref_target(value)? {
                    (id, None) => Some(id),
                    _ => None,
                }
            })
    }

    /// The table whose stream feeds a function (`Stream: !GetAtt
    /// OrdersTable.StreamArn`), as a logical id.
    pub fn stream_table(&self) -> Option<String> {
        self.resources_of_type(function::RESOURCE_TYPE)
            .find_map(|f| {
                f.properties
                    .get("Events")?
                    .as_mapping()?
                    .values()
                    .find_map(|e| {
                        (e.get("Type")?.as_str()? == "DynamoDB")
                            .then(|| ref_target(e.get("Properties")?.get("Stream")?))
                            .flatten()
                            .map(|(id, _)| id)
                    })
            })
    }

    /// Every `AWS::Events::Rule`, in template order.
    pub fn event_rules(&self) -> Result<Vec<EventRule>, TemplateError> {
        self.resources_of_type(rule::RESOURCE_TYPE)
            .map(EventRule::from_resource)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_template_names_each_services_table_and_the_stream_table() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
        let t = Template::from_path(&path).unwrap();
        assert_eq!(
            t.table_of_env("ORDERS_TABLE").as_deref(),
            Some("OrdersTable")
        );
        assert_eq!(t.table_of_env("DLQ_TABLE").as_deref(), Some("DlqTable"));
        assert_eq!(t.stream_table().as_deref(), Some("OrdersTable"));
        assert_eq!(t.parameter_defaults()["EventBusName"], "ordersaga");
    }
}
