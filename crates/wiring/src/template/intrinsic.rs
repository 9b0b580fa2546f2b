//! References to other resources: `!Ref`, `!GetAtt`, `!Sub` and their long
//! forms (`Ref`, `Fn::GetAtt`, `Fn::Sub`), or a literal ARN.

use serde_yaml_ng::Value;

use super::error::TemplateError;
use super::value::Context;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceRef {
    /// `!Ref X`: the resource's logical id.
    Ref(String),
    /// `!GetAtt X.Arn`.
    GetAtt { resource: String, attribute: String },
    /// `!Sub "..."`: the unexpanded text.
    Sub(String),
    /// A plain string such as an ARN.
    Literal(String),
}

impl ResourceRef {
    /// The logical id of the resource referred to, when there is one; a `!Sub`
    /// that is exactly `${X}` or `${X.Attr}` refers to `X`.
    pub fn logical_id(&self) -> Option<&str> {
        match self {
            ResourceRef::Ref(id) => Some(id),
            ResourceRef::GetAtt { resource, .. } => Some(resource),
            ResourceRef::Sub(text) => {
                let inner = text.strip_prefix("${")?.strip_suffix('}')?;
                let id = inner.split('.').next()?;
                (!id.is_empty() && !id.contains(['$', '{', '}', ':'])).then_some(id)
            }
            ResourceRef::Literal(_) => None,
        }
    }

    /// A short label: the logical id, else the literal or `!Sub` text.
    pub fn label(&self) -> &str {
        match self {
            ResourceRef::Literal(text) => text,
            ResourceRef::Sub(text) => self.logical_id().unwrap_or(text),
            _ => self.logical_id().unwrap_or_default(),
        }
    }

    pub(crate) fn from_yaml(value: &Value, at: &Context<'_>) -> Result<Self, TemplateError> {
        if let Value::Tagged(tagged) = value {
            return Self::from_function(&tagged.tag.to_string(), &tagged.value, at);
        }
        if let Value::Mapping(map) = value
            && map.len() == 1
            && let Some((Value::String(name), argument)) = map.iter().next()
        {
            return Self::from_function(name, argument, at);
        }
        match value {
            Value::String(text) => Ok(ResourceRef::Literal(text.clone())),
            _ => Err(at.invalid("must be a string, !Ref, !GetAtt or !Sub")),
        }
    }

    fn from_function(
        name: &str,
        argument: &Value,
        at: &Context<'_>,
    ) -> Result<Self, TemplateError> {
        let name = name.trim_start_matches('!');
        match (name, argument) {
            ("Ref", Value::String(id)) => Ok(ResourceRef::Ref(id.clone())),
            ("GetAtt" | "Fn::GetAtt", Value::String(dotted)) => match dotted.split_once('.') {
                Some((resource, attribute)) => Ok(ResourceRef::GetAtt {
                    resource: resource.to_owned(),
                    attribute: attribute.to_owned(),
                }),
                None => Err(at.invalid("!GetAtt needs Resource.Attribute")),
            },
            ("GetAtt" | "Fn::GetAtt", Value::Sequence(parts)) => match parts.as_slice() {
                [Value::String(resource), Value::String(attribute)] => Ok(ResourceRef::GetAtt {
                    resource: resource.clone(),
                    attribute: attribute.clone(),
                }),
                _ => Err(at.invalid("!GetAtt needs [Resource, Attribute]")),
            },
            ("Sub" | "Fn::Sub", Value::String(text)) => Ok(ResourceRef::Sub(text.clone())),
            ("Sub" | "Fn::Sub", Value::Sequence(parts)) => match parts.first() {
                Some(Value::String(text)) => Ok(ResourceRef::Sub(text.clone())),
                _ => Err(at.invalid("!Sub needs a string")),
            },
            _ => Err(at.unsupported(name)),
        }
    }
}
