//! What a rule target receives: the whole event, a constant (`Input`), a
//! part of it (`InputPath`) or a template (`InputTransformer`), per
//! https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html

use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    Event,
    Constant(String),
    Path(String),
    Transformer {
        paths: BTreeMap<String, String>,
        template: String,
    },
}

/// Resolves a JSONPath of the simple form EventBridge targets use
/// (`$`, `$.detail`, `$.detail.data.orderId`, `$.resources[0]`).
pub fn select<'a>(event: &'a Value, path: &str) -> Option<&'a Value> {
    let rest = path.strip_prefix('$')?;
    let mut node = event;
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        let (name, index) = match part.split_once('[') {
            Some((name, idx)) => (name, idx.strip_suffix(']')?.parse::<usize>().ok()),
            None => (part, None),
        };
        if !name.is_empty() {
            node = node.get(name)?;
        }
        if let Some(i) = index {
            node = node.get(i)?;
        }
    }
    Some(node)
}

impl InputSpec {
    pub fn check(&self) -> Result<(), String> {
        let check_path = |p: &str| {
            if p.starts_with('$') {
                Ok(())
            } else {
                Err(format!("`{p}` is not a JSONPath starting with `$`"))
            }
        };
        match self {
            InputSpec::Event => Ok(()),
            InputSpec::Constant(text) => serde_json::from_str::<Value>(text)
                .map(|_| ())
                .map_err(|e| format!("Input is not valid JSON: {e}")),
            InputSpec::Path(p) => check_path(p),
            InputSpec::Transformer { paths, .. } => paths.values().try_for_each(|p| check_path(p)),
        }
    }

    /// The message body the target receives for `event`.
    pub fn apply(&self, event: &Value, event_text: &str) -> String {
        match self {
            InputSpec::Event => event_text.to_owned(),
            InputSpec::Constant(text) => text.clone(),
            InputSpec::Path(path) => {
                select(event, path).map_or_else(|| "null".to_owned(), Value::to_string)
            }
            InputSpec::Transformer { paths, template } => {
                let mut out = template.clone();
                for (name, path) in paths {
                    let value = select(event, path);
                    // Strings go in without quotes: the template quotes them
                    // where it wants a JSON string.
                    let text = match value {
                        Some(Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                        None => String::new(),
                    };
                    out = out.replace(&format!("<{name}>"), &text);
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_input_path_selects_part_of_the_event() {
        let event = json!({"detail": {"data": {"orderId": "o-1"}}, "resources": ["a", "b"]});
        let text = event.to_string();
        assert_eq!(
            InputSpec::Path("$.detail.data".into()).apply(&event, &text),
            r#"{"orderId":"o-1"}"#
        );
        assert_eq!(
            InputSpec::Path("$.resources[1]".into()).apply(&event, &text),
            r#""b""#
        );
        assert_eq!(InputSpec::Event.apply(&event, &text), text);
    }

    #[test]
    fn an_input_transformer_fills_its_template() {
        let event = json!({"detail-type": "Order Placed", "detail": {"n": 3}});
        let spec = InputSpec::Transformer {
            paths: BTreeMap::from([
                ("t".into(), "$.detail-type".into()),
                ("n".into(), "$.detail.n".into()),
            ]),
            template: r#"{"type": "<t>", "n": <n>}"#.into(),
        };
        assert_eq!(
            spec.apply(&event, &event.to_string()),
            r#"{"type": "Order Placed", "n": 3}"#
        );
    }

    #[test]
    fn a_constant_input_must_be_json() {
        assert!(InputSpec::Constant("{oops".into()).check().is_err());
        assert!(InputSpec::Path("detail".into()).check().is_err());
    }
}
