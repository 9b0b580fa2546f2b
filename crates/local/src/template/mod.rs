//! Reading a CloudFormation / SAM template.
//!
//! The template is parsed with serde_yaml_ng, which keeps the short-form
//! intrinsic tags (`!Ref X`, `!GetAtt X.Arn`, `!Sub ...`) as tagged values, so
//! they can be told apart from plain strings. This module is the start of the
//! local runtime's template loader: today it understands
//! `AWS::Events::Rule`; queues, functions, routes and archives are meant to be
//! added beside [`rule`] the same way, each reading its resource's properties
//! and failing with an error that names the resource and property.

mod api;
mod error;
mod function;
mod intrinsic;
mod queue;
mod rule;
mod value;

use std::path::Path;

use serde_yaml_ng::{Mapping, Value};

pub use api::{HttpApiResource, local_auth_notice};
pub use error::TemplateError;
pub use function::{FunctionEvent, FunctionResource};
pub use intrinsic::ResourceRef;
pub use queue::QueueResource;
pub use rule::{EventRule, RetryPolicy, RuleState, RuleTarget, TargetInput};

/// One entry of the template's `Resources` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub logical_id: String,
    pub resource_type: String,
    /// The raw `Properties` mapping (empty when absent), intrinsics included.
    pub properties: Mapping,
    /// The resource's `Metadata` (empty when absent); SAM keeps a Rust
    /// function's `BuildProperties.Binary` there.
    pub metadata: Mapping,
}

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

    /// Every `AWS::Events::Rule`, in template order.
    pub fn event_rules(&self) -> Result<Vec<EventRule>, TemplateError> {
        self.resources_of_type(rule::RESOURCE_TYPE)
            .map(EventRule::from_resource)
            .collect()
    }
}

impl Resource {
    fn from_yaml(id: &Value, body: &Value) -> Result<Self, TemplateError> {
        let logical_id = id
            .as_str()
            .ok_or_else(|| TemplateError::Yaml(format!("resource id {id:?} is not a string")))?
            .to_owned();
        let invalid = |reason: &str| TemplateError::InvalidProperty {
            resource: logical_id.clone(),
            property: "Type".to_owned(),
            reason: reason.to_owned(),
        };
        let resource_type = body
            .get("Type")
            .ok_or_else(|| invalid("missing"))?
            .as_str()
            .ok_or_else(|| invalid("must be a string"))?
            .to_owned();
        let properties = match body.get("Properties") {
            None => Mapping::new(),
            Some(Value::Mapping(map)) => map.clone(),
            Some(_) => {
                return Err(TemplateError::InvalidProperty {
                    resource: logical_id,
                    property: "Properties".to_owned(),
                    reason: "must be a mapping".to_owned(),
                });
            }
        };
        let metadata = match body.get("Metadata") {
            Some(Value::Mapping(map)) => map.clone(),
            _ => Mapping::new(),
        };
        Ok(Self {
            logical_id,
            resource_type,
            properties,
            metadata,
        })
    }
}
