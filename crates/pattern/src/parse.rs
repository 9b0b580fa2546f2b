//! Validation of a pattern's JSON into its tree, with EventBridge's rules.
//!
//! The rules follow the EventBridge user guide pages "Amazon EventBridge event
//! patterns" and "Comparison operators for use in event patterns", and the
//! checks of aws/event-ruler's rule compiler (read for semantics, not copied).

use serde_json::{Map, Value};

use crate::MAX_NESTING_DEPTH;
use crate::error::{FieldPath, PatternError};
use crate::leaf::Leaf;
use crate::number::{self, Range};
use crate::ops::{Negated, Op};
use crate::text::{self, Cidr, Wildcard};
use crate::tree::{Field, Obj};

/// Words that cannot be field names inside an `$or` branch, because there
/// they would be ambiguous with operators (event-ruler's reserved list).
const RESERVED_IN_OR: &[&str] = &[
    "exact",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
];

pub(crate) fn parse_root(value: &Value) -> Result<Obj<String>, PatternError> {
    let path = FieldPath::default();
    match value {
        Value::Object(map) => object(map, &path, 1, false),
        _ => Err(PatternError::NotAnObject { path }),
    }
}

fn object(
    map: &Map<String, Value>,
    path: &FieldPath,
    depth: usize,
    in_or: bool,
) -> Result<Obj<String>, PatternError> {
    if depth > MAX_NESTING_DEPTH {
        return Err(PatternError::TooDeep {
            limit: MAX_NESTING_DEPTH,
        });
    }
    if map.is_empty() {
        return Err(PatternError::EmptyObject { path: path.clone() });
    }
    let mut obj = Obj {
        fields: Vec::with_capacity(map.len()),
        ors: Vec::new(),
    };
    for (name, value) in map {
        if name == "$or" {
            obj.ors.push(or_group(value, path, depth)?);
            continue;
        }
        let field_path = path.child(name);
        if in_or && RESERVED_IN_OR.contains(&name.as_str()) {
            return Err(PatternError::ReservedFieldInOr {
                path: field_path,
                name: name.clone(),
            });
        }
        let field = match value {
            Value::Object(inner) => Field::Obj(object(inner, &field_path, depth + 1, in_or)?),
            Value::Array(items) => Field::Leaf(leaf(items, &field_path)?),
            _ => return Err(PatternError::LeafNotArray { path: field_path }),
        };
        obj.fields.push(joined(name, field));
    }
    Ok(obj)
}

/// The field `name` as the path it stands for. EventBridge flattens both
/// the event and the pattern to dotted paths before matching, so a key
/// `"state.status"` is the field `status` inside `state` (observed on AWS:
/// the `dot_joining_pattern` cases of the conformance suite). Nesting such
/// keys here lets the matcher treat them like any nested field; the event
/// side is the trie's joined keys (`FieldTrie::add_joined_keys`). Another
/// field named `state` stays a separate entry: both are looked up in the
/// same event object, so they still have to hold together.
fn joined(name: &str, field: Field<String>) -> (String, Field<String>) {
    match name.split_once('.') {
        None => (name.to_owned(), field),
        Some((head, rest)) => {
            let inner = joined(rest, field);
            (
                head.to_owned(),
                Field::Obj(Obj {
                    fields: vec![inner],
                    ors: Vec::new(),
                }),
            )
        }
    }
}

fn or_group(
    value: &Value,
    path: &FieldPath,
    depth: usize,
) -> Result<Vec<Obj<String>>, PatternError> {
    let invalid = || PatternError::InvalidOr {
        path: path.child("$or"),
    };
    let Value::Array(branches) = value else {
        return Err(invalid());
    };
    if branches.len() < 2 {
        return Err(invalid());
    }
    branches
        .iter()
        .enumerate()
        .map(|(index, branch)| match branch {
            Value::Object(map) => object(map, &path.or_branch(index), depth + 1, true),
            _ => Err(invalid()),
        })
        .collect()
}

fn leaf(items: &[Value], path: &FieldPath) -> Result<Leaf, PatternError> {
    if items.is_empty() {
        return Err(PatternError::EmptyArray { path: path.clone() });
    }
    let mut leaf = Leaf::default();
    for item in items {
        match item {
            Value::String(s) => leaf.ops.push(Op::ExactStr(s.as_str().into())),
            Value::Number(n) => {
                let value = n.as_f64().unwrap_or(f64::NAN);
                leaf.ops.push(Op::ExactNum {
                    value,
                    key: number::comparable(value),
                });
            }
            Value::Bool(b) => leaf.ops.push(Op::ExactBool(*b)),
            Value::Null => leaf.ops.push(Op::ExactNull),
            Value::Object(map) => match operator(map, path)? {
                Operand::Op(op) => leaf.ops.push(op),
                Operand::Exists(true) => leaf.exists_true = true,
                Operand::Exists(false) => leaf.exists_false = true,
            },
            Value::Array(_) => return Err(PatternError::InvalidMatchValue { path: path.clone() }),
        }
    }
    Ok(leaf.finish())
}

enum Operand {
    Op(Op),
    Exists(bool),
}

fn wrong(path: &FieldPath, operator: &str, expected: &'static str) -> PatternError {
    PatternError::WrongType {
        path: path.clone(),
        operator: operator.to_owned(),
        expected,
    }
}

fn string<'v>(value: &'v Value, path: &FieldPath, operator: &str) -> Result<&'v str, PatternError> {
    value
        .as_str()
        .ok_or_else(|| wrong(path, operator, "a string"))
}

fn operator(map: &Map<String, Value>, path: &FieldPath) -> Result<Operand, PatternError> {
    let mut entries = map.iter();
    let (Some((name, value)), None) = (entries.next(), entries.next()) else {
        return Err(PatternError::OperatorArity {
            path: path.clone(),
            found: map.len(),
        });
    };
    let op = match name.as_str() {
        "exact" => Op::ExactStr(string(value, path, name)?.into()),
        "prefix" => match value {
            Value::Object(inner) => Op::PrefixIgnoreCase(ignore_case_operand(inner, path, name)?),
            _ => Op::Prefix(string(value, path, name)?.into()),
        },
        "suffix" => match value {
            Value::Object(inner) => Op::SuffixIgnoreCase(ignore_case_operand(inner, path, name)?),
            _ => Op::Suffix(string(value, path, name)?.into()),
        },
        "equals-ignore-case" => Op::EqualsIgnoreCase(text::lower(string(value, path, name)?)),
        "wildcard" => Op::Wildcard(wildcard(string(value, path, name)?, path)?),
        "cidr" => {
            let block = string(value, path, name)?;
            Op::Cidr(Cidr::parse(block).ok_or_else(|| PatternError::InvalidCidr {
                path: path.clone(),
                value: block.to_owned(),
            })?)
        }
        "numeric" => match value {
            Value::Array(terms) => Op::Numeric(numeric(terms, path)?),
            _ => return Err(wrong(path, name, "an array")),
        },
        "exists" => match value {
            Value::Bool(b) => return Ok(Operand::Exists(*b)),
            _ => return Err(wrong(path, name, "true or false")),
        },
        "anything-but" => Op::AnythingBut(anything_but(value, path)?),
        _ => {
            return Err(PatternError::UnknownOperator {
                path: path.clone(),
                operator: name.clone(),
            });
        }
    };
    Ok(Operand::Op(op))
}

/// The `{"equals-ignore-case": "x"}` operand of prefix and suffix.
fn ignore_case_operand(
    map: &Map<String, Value>,
    path: &FieldPath,
    outer: &str,
) -> Result<Box<str>, PatternError> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((name, value)), None) if name == "equals-ignore-case" => {
            Ok(text::lower(string(value, path, name)?))
        }
        (Some((name, _)), None) => Err(PatternError::UnknownOperator {
            path: path.clone(),
            operator: format!("{outer}.{name}"),
        }),
        _ => Err(PatternError::OperatorArity {
            path: path.clone(),
            found: map.len(),
        }),
    }
}

fn wildcard(value: &str, path: &FieldPath) -> Result<Wildcard, PatternError> {
    Wildcard::parse(value).map_err(|reason| PatternError::InvalidWildcard {
        path: path.clone(),
        value: value.to_owned(),
        reason,
    })
}

fn numeric_key(value: &Value, path: &FieldPath) -> Result<i64, PatternError> {
    let n = value.as_f64().unwrap_or(f64::NAN);
    number::comparable(n).ok_or_else(|| PatternError::NumberOutOfRange {
        path: path.clone(),
        value: value.to_string(),
    })
}

/// `["=", x]`, `[op, x]` for `<`, `<=`, `>`, `>=`, or a range
/// `[">" | ">=", low, "<" | "<=", high]` with `low < high`.
fn numeric(terms: &[Value], path: &FieldPath) -> Result<Range, PatternError> {
    let invalid = |reason: String| PatternError::InvalidNumeric {
        path: path.clone(),
        reason,
    };
    let operand = |index: usize, op: &str| -> Result<i64, PatternError> {
        match terms.get(index) {
            Some(value @ Value::Number(_)) => numeric_key(value, path),
            _ => Err(invalid(format!("value of \"{op}\" must be a number"))),
        }
    };
    let op_at = |index: usize| -> Result<&str, PatternError> {
        terms
            .get(index)
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("expected an operator at position {index}")))
    };
    let first = op_at(0)?;
    let key = operand(1, first)?;
    let mut range = match first {
        "=" => Range {
            lower: Some((key, true)),
            upper: Some((key, true)),
        },
        "<" | "<=" => Range {
            lower: None,
            upper: Some((key, first == "<=")),
        },
        ">" | ">=" => Range {
            lower: Some((key, first == ">=")),
            upper: None,
        },
        other => return Err(invalid(format!("unknown operator \"{other}\""))),
    };
    if terms.len() == 2 {
        return Ok(range);
    }
    if range.upper.is_some() {
        return Err(invalid(format!("nothing may follow \"{first}\"")));
    }
    let second = op_at(2)?;
    if second != "<" && second != "<=" {
        return Err(invalid(format!(
            "a range's upper bound needs \"<\" or \"<=\", not \"{second}\""
        )));
    }
    let top = operand(3, second)?;
    if terms.len() > 4 {
        return Err(invalid("too many terms".to_owned()));
    }
    if top <= key {
        return Err(invalid(
            "the lower bound must be below the upper bound".to_owned(),
        ));
    }
    range.upper = Some((top, second == "<="));
    Ok(range)
}

fn anything_but(value: &Value, path: &FieldPath) -> Result<Negated, PatternError> {
    let invalid = |reason| PatternError::InvalidAnythingBut {
        path: path.clone(),
        reason,
    };
    match value {
        Value::String(s) => Ok(Negated::Strings(vec![s.as_str().into()])),
        Value::Number(_) => Ok(Negated::Numbers(vec![numeric_key(value, path)?])),
        Value::Array(items) if items.iter().all(Value::is_string) && !items.is_empty() => {
            Ok(Negated::Strings(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(Into::into)
                    .collect(),
            ))
        }
        Value::Array(items) if items.iter().all(Value::is_number) && !items.is_empty() => {
            Ok(Negated::Numbers(
                items
                    .iter()
                    .map(|item| numeric_key(item, path))
                    .collect::<Result<_, _>>()?,
            ))
        }
        Value::Array(_) => Err(invalid(
            "a list must be non-empty and hold only strings or only numbers",
        )),
        Value::Object(map) => {
            let mut entries = map.iter();
            let (Some((name, operand)), None) = (entries.next(), entries.next()) else {
                return Err(PatternError::OperatorArity {
                    path: path.clone(),
                    found: map.len(),
                });
            };
            if !matches!(
                name.as_str(),
                "prefix" | "suffix" | "equals-ignore-case" | "wildcard"
            ) {
                return Err(PatternError::UnknownOperator {
                    path: path.clone(),
                    operator: format!("anything-but.{name}"),
                });
            }
            let strings: Vec<&str> = match operand {
                Value::String(s) => vec![s.as_str()],
                Value::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(|item| item.as_str())
                    .collect::<Option<_>>()
                    .ok_or_else(|| wrong(path, name, "a string or a list of strings"))?,
                _ => return Err(wrong(path, name, "a string or a non-empty list of strings")),
            };
            let boxed = || strings.iter().map(|s| Box::<str>::from(*s)).collect();
            match name.as_str() {
                "prefix" | "suffix" if strings.iter().any(|s| s.is_empty()) => {
                    Err(invalid("an empty prefix or suffix is not allowed"))
                }
                "prefix" => Ok(Negated::Prefixes(boxed())),
                "suffix" => Ok(Negated::Suffixes(boxed())),
                "equals-ignore-case" => Ok(Negated::IgnoreCase(
                    strings.iter().map(|s| text::lower(s)).collect(),
                )),
                _ => Ok(Negated::Wildcards(
                    strings
                        .iter()
                        .map(|s| wildcard(s, path))
                        .collect::<Result<_, _>>()?,
                )),
            }
        }
        _ => Err(invalid(
            "must be a string, a number, a list, or an object with prefix, suffix, equals-ignore-case or wildcard",
        )),
    }
}
