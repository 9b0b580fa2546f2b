//! One entry of the template's `Resources` section, as written.

use serde_yaml_ng::{Mapping, Value};

use super::error::TemplateError;

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

impl Resource {
    pub(crate) fn from_yaml(id: &Value, body: &Value) -> Result<Self, TemplateError> {
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
