//! Intrinsics resolved against the physical names of one stack (`!Ref`,
//! `!GetAtt`, `!Sub`), for the hybrid backend's provisioner, which
//! creates a template's resources from their raw properties.

use serde_json::{Map, Value as Json};
use serde_yaml_ng::Value;

use super::error::TemplateError;

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
    let fail = |reason: String| TemplateError::InvalidProperty {
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
}
