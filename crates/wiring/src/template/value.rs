//! Plain data from YAML: mappings, lists and scalars as JSON, with the
//! property they were found at kept for errors.

use serde_yaml_ng::Value;

use super::error::TemplateError;

/// Where in the template a value sits, for error messages.
pub(crate) struct Context<'r> {
    pub resource: &'r str,
    pub property: String,
}

impl<'r> Context<'r> {
    pub(crate) fn new(resource: &'r str, property: &str) -> Self {
        Self {
            resource,
            property: property.to_owned(),
        }
    }

    pub(crate) fn child(&self, segment: &str) -> Self {
        Self {
            resource: self.resource,
            property: format!("{}.{segment}", self.property),
        }
    }

    pub(crate) fn invalid(&self, reason: &str) -> TemplateError {
        TemplateError::InvalidProperty {
            resource: self.resource.to_owned(),
            property: self.property.clone(),
            reason: reason.to_owned(),
        }
    }

    pub(crate) fn unsupported(&self, intrinsic: &str) -> TemplateError {
        TemplateError::UnsupportedIntrinsic {
            resource: self.resource.to_owned(),
            property: self.property.clone(),
            intrinsic: format!("!{}", intrinsic.trim_start_matches('!')),
        }
    }

    pub(crate) fn string(&self, value: &Value) -> Result<String, TemplateError> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Tagged(tagged) => Err(self.unsupported(&tagged.tag.to_string())),
            _ => Err(self.invalid("must be a string")),
        }
    }

    /// Converts plain YAML data to JSON; intrinsic functions are refused
    /// because the value is used as-is (e.g. an event pattern).
    pub(crate) fn json(&self, value: &Value) -> Result<serde_json::Value, TemplateError> {
        Ok(match value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => {
                let text = n.to_string();
                serde_json::from_str(&text)
                    .map_err(|_| self.invalid("holds a number JSON cannot represent"))?
            }
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Sequence(items) => serde_json::Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.child(&i.to_string()).json(item))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Mapping(map) => {
                let mut object = serde_json::Map::new();
                for (key, item) in map {
                    let key = match key {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => return Err(self.invalid("has a key that is not a string")),
                    };
                    let item = self.child(&key).json(item)?;
                    object.insert(key, item);
                }
                serde_json::Value::Object(object)
            }
            Value::Tagged(tagged) => return Err(self.unsupported(&tagged.tag.to_string())),
        })
    }
}
