//! The parts of `infra/template.yaml` the hybrid backend needs beyond the
//! runtime's [`runtime::Wiring`]: each resource's raw properties (to
//! provision them into an emulator) and which table each function's
//! environment names. Intrinsics are resolved against the physical names
//! of a stack ([`Resolver`]).

use serde_json::{Map, Value as Json};
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("{path}: {reason}")]
    Read { path: String, reason: String },
    #[error("resource {resource}, property {property}: {reason}")]
    Property {
        resource: String,
        property: String,
        reason: String,
    },
}

/// One resource of the template.
#[derive(Debug, Clone)]
pub struct Resource {
    pub logical_id: String,
    pub resource_type: String,
    pub properties: Mapping,
}

#[derive(Debug, Clone)]
pub struct StackTemplate {
    pub resources: Vec<Resource>,
    /// Parameter defaults.
    pub parameters: BTreeMap<String, String>,
}

impl StackTemplate {
    pub fn from_path(path: &Path) -> Result<Self, TemplateError> {
        let read = |reason: String| TemplateError::Read {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| read(e.to_string()))?;
        let doc: Value = serde_yaml_ng::from_str(&text).map_err(|e| read(e.to_string()))?;
        let mut resources = Vec::new();
        for (id, r) in doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| read("no Resources section".into()))?
        {
            resources.push(Resource {
                logical_id: id.as_str().unwrap_or_default().to_owned(),
                resource_type: r
                    .get("Type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                properties: r
                    .get("Properties")
                    .and_then(Value::as_mapping)
                    .cloned()
                    .unwrap_or_default(),
            });
        }
        let mut parameters = BTreeMap::new();
        for (name, p) in doc
            .get("Parameters")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
        {
            if let (Some(name), Some(default)) = (name.as_str(), p.get("Default")) {
                let text = match default {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                parameters.insert(name.to_owned(), text);
            }
        }
        Ok(Self {
            resources,
            parameters,
        })
    }

    pub fn of_type<'a>(&'a self, resource_type: &'a str) -> impl Iterator<Item = &'a Resource> {
        self.resources
            .iter()
            .filter(move |r| r.resource_type == resource_type)
    }

    /// The table a function environment variable (`ORDERS_TABLE: !Ref
    /// OrdersTable`) names, as a logical id.
    pub fn table_of_env(&self, variable: &str) -> Option<String> {
        self.of_type("AWS::Serverless::Function").find_map(|f| {
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

    /// The table whose stream feeds the function building `binary`
    /// (`Stream: !GetAtt OrdersTable.StreamArn`).
    pub fn stream_table(&self) -> Option<String> {
        self.of_type("AWS::Serverless::Function").find_map(|f| {
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
}

/// `!Ref X` → `(X, None)`; `!GetAtt X.Attr` → `(X, Some(Attr))`, in short or
/// long form.
pub fn ref_target(value: &Value) -> Option<(String, Option<String>)> {
    let (name, argument) = match value {
        Value::Tagged(t) => (t.tag.to_string(), &t.value),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, v) = m.iter().next()?;
            (k.as_str()?.to_owned(), v)
        }
        _ => return None,
    };
    match (name.trim_start_matches('!'), argument) {
        ("Ref", Value::String(id)) => Some((id.clone(), None)),
        ("GetAtt" | "Fn::GetAtt", Value::String(dotted)) => {
            let (id, attr) = dotted.split_once('.')?;
            Some((id.to_owned(), Some(attr.to_owned())))
        }
        ("GetAtt" | "Fn::GetAtt", Value::Sequence(parts)) => match parts.as_slice() {
            [Value::String(id), Value::String(attr)] => Some((id.clone(), Some(attr.clone()))),
            _ => None,
        },
        _ => None,
    }
}

/// What `!Ref`, `!GetAtt` and `${...}` resolve to in one stack.
pub trait Resolver {
    /// `!Ref` of a resource or parameter, or a pseudo parameter.
    fn reference(&self, id: &str) -> Option<String>;
    fn attribute(&self, id: &str, attribute: &str) -> Option<String>;
}

/// Resolves every intrinsic in `value` to plain JSON; `at` names the
/// resource and property for errors.
pub fn resolve(
    value: &Value,
    resolver: &dyn Resolver,
    at: (&str, &str),
) -> Result<Json, TemplateError> {
    let fail = |reason: String| TemplateError::Property {
        resource: at.0.to_owned(),
        property: at.1.to_owned(),
        reason,
    };
    if let Some((id, attr)) = ref_target(value) {
        let resolved = match &attr {
            None => resolver.reference(&id),
            Some(a) => resolver.attribute(&id, a),
        };
        return resolved.map(Json::String).ok_or_else(|| {
            fail(format!(
                "cannot resolve {id}{}",
                attr.map(|a| format!(".{a}")).unwrap_or_default()
            ))
        });
    }
    Ok(match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => {
            serde_json::from_str(&n.to_string()).map_err(|e| fail(e.to_string()))?
        }
        Value::String(s) => Json::String(s.clone()),
        Value::Sequence(items) => Json::Array(
            items
                .iter()
                .map(|v| resolve(v, resolver, at))
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(m) => {
            if let Some(text) = sub_text(value) {
                return substitute(&text, resolver).map(Json::String).map_err(fail);
            }
            let mut out = Map::new();
            for (k, v) in m {
                let key = k.as_str().ok_or_else(|| fail("a non-string key".into()))?;
                out.insert(key.to_owned(), resolve(v, resolver, at)?);
            }
            Json::Object(out)
        }
        Value::Tagged(t) => match sub_text(value) {
            Some(text) => Json::String(substitute(&text, resolver).map_err(fail)?),
            None => return Err(fail(format!("unsupported intrinsic {}", t.tag))),
        },
    })
}

fn sub_text(value: &Value) -> Option<String> {
    let (name, argument) = match value {
        Value::Tagged(t) => (t.tag.to_string(), &t.value),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, v) = m.iter().next()?;
            (k.as_str()?.to_owned(), v)
        }
        _ => return None,
    };
    match name.trim_start_matches('!') {
        "Sub" | "Fn::Sub" => argument.as_str().map(str::to_owned),
        _ => None,
    }
}

/// `${X}` and `${X.Attr}` of a `!Sub` string.
fn substitute(text: &str, resolver: &dyn Resolver) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| format!("unclosed ${{ in {text:?}"))?;
        let name = &rest[start + 2..start + end];
        let value = match name.split_once('.') {
            Some((id, attr)) if !id.starts_with("AWS::") => resolver.attribute(id, attr),
            _ => resolver.reference(name),
        };
        out.push_str(&value.ok_or_else(|| format!("cannot resolve ${{{name}}}"))?);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Resolver for Fixed {
        fn reference(&self, id: &str) -> Option<String> {
            (id != "Nope").then(|| format!("ref-{id}"))
        }
        fn attribute(&self, id: &str, attribute: &str) -> Option<String> {
            Some(format!("{id}-{attribute}"))
        }
    }

    #[test]
    fn intrinsics_resolve_in_short_and_long_form_and_unknown_names_are_errors() {
        let yaml = "a: !Ref Q\nb: !GetAtt Q.Arn\nc: !Sub '${Bus}-archive'\nd: {Fn::GetAtt: [R, Arn]}\ne: [1, true]\n";
        let value: Value = serde_yaml_ng::from_str(yaml).unwrap();
        let json = resolve(&value, &Fixed, ("X", "P")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"a": "ref-Q", "b": "Q-Arn", "c": "ref-Bus-archive", "d": "R-Arn", "e": [1, true]})
        );
        let bad: Value = serde_yaml_ng::from_str("!Ref Nope").unwrap();
        let err = resolve(&bad, &Fixed, ("X", "P")).unwrap_err().to_string();
        assert!(err.contains("resource X") && err.contains("Nope"), "{err}");
    }

    #[test]
    fn the_project_template_names_each_services_table_and_the_stream_table() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
        let t = StackTemplate::from_path(&path).unwrap();
        assert_eq!(
            t.table_of_env("ORDERS_TABLE").as_deref(),
            Some("OrdersTable")
        );
        assert_eq!(t.table_of_env("DLQ_TABLE").as_deref(), Some("DlqTable"));
        assert_eq!(t.stream_table().as_deref(), Some("OrdersTable"));
        assert_eq!(t.parameters["EventBusName"], "ordersaga");
    }
}
