//! Whether a contract may replace its last published revision: the rules
//! are read off the two JSON Schemas, keyword by keyword, at every depth
//! (through `$ref`s, nullable `anyOf`s, properties and array items), not
//! from a list kept per event type.
//!
//! Each change says whom it breaks, in the terms of Confluent Schema
//! Registry's compatibility types
//! (https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html):
//! BACKWARD (consumers of the new contract read events written by the
//! published one), FORWARD (consumers of the published contract read events
//! written by the new one) or both. The mode a check runs in decides which
//! changes fail it; FULL, the saga's, fails both kinds, because its readers
//! validate what they read: an enum value they do not know or a number
//! outside their range is an error to them, not a value to skip.

use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashSet};
use std::fmt;

/// Which changes a check refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Consumers of the new contract must read events of the published one.
    Backward,
    /// Consumers of the published contract must read events of the new one.
    Forward,
    /// Both.
    Full,
}

impl Mode {
    pub fn refuses(self, breaks: Breaks) -> bool {
        matches!(
            (self, breaks),
            (Mode::Full, _)
                | (_, Breaks::Both)
                | (Mode::Backward, Breaks::Backward)
                | (Mode::Forward, Breaks::Forward)
        )
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Backward => "BACKWARD",
            Mode::Forward => "FORWARD",
            Mode::Full => "FULL",
        })
    }
}

/// Whom a change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaks {
    /// New consumers, reading events written by the published contract.
    Backward,
    /// Published consumers, reading events written by the new contract.
    Forward,
    Both,
}

impl Breaks {
    fn of(narrowed: bool, widened: bool) -> Option<Breaks> {
        match (narrowed, widened) {
            (true, true) => Some(Breaks::Both),
            (true, false) => Some(Breaks::Backward),
            (false, true) => Some(Breaks::Forward),
            (false, false) => None,
        }
    }
}

/// One difference between the published and the new contract that some
/// consumer cannot take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where, as a path into the event: `detail.data.lines[].quantity`.
    pub path: String,
    pub what: String,
    pub breaks: Breaks,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whom = match self.breaks {
            Breaks::Backward => "consumers of the new contract reading published events",
            Breaks::Forward => "consumers of the published contract reading new events",
            Breaks::Both => "consumers of either contract",
        };
        write!(f, "{}: {} (breaks {whom})", self.path, self.what)
    }
}

/// The changes from `published` to `current` that `mode` refuses.
pub fn breaking(published: &Value, current: &Value, mode: Mode) -> Vec<Change> {
    changes(published, current)
        .into_iter()
        .filter(|c| mode.refuses(c.breaks))
        .collect()
}

/// Every change from `published` to `current` that breaks someone. Adding
/// an optional field breaks no one and is not listed.
pub fn changes(published: &Value, current: &Value) -> Vec<Change> {
    let mut walk = Walk {
        old_root: published,
        new_root: current,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    walk.compare(published, current, "");
    walk.out
}

struct Walk<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    /// Pairs of nodes already compared, so recursive definitions end.
    seen: HashSet<(usize, usize)>,
    out: Vec<Change>,
}

/// A node with its `$ref`s followed and a nullable `anyOf` unwrapped.
struct Node<'a> {
    schema: &'a Map<String, Value>,
    nullable: bool,
}

fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> Node<'a> {
    static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    let mut nullable = false;
    for _ in 0..64 {
        if let Some(target) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| root.pointer(pointer))
        {
            node = target;
            continue;
        }
        if let Some([a, b]) = node
            .get("anyOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
            if is_null(b) {
                (node, nullable) = (a, true);
                continue;
            }
            if is_null(a) {
                (node, nullable) = (b, true);
                continue;
            }
        }
        break;
    }
    Node {
        schema: node.as_object().unwrap_or(&EMPTY),
        nullable,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The JSON types a node accepts; empty when it does not say.
fn types(node: &Node<'_>) -> BTreeSet<String> {
    let s = node.schema;
    let mut out: BTreeSet<String> = match s.get("type") {
        Some(Value::String(t)) => [t.clone()].into(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => match (s.get("const"), s.get("enum")) {
            (Some(c), _) => [json_type(c).to_owned()].into(),
            (None, Some(Value::Array(values))) => {
                values.iter().map(|v| json_type(v).to_owned()).collect()
            }
            _ if s.contains_key("properties") => ["object".to_owned()].into(),
            _ => BTreeSet::new(),
        },
    };
    if node.nullable && !out.is_empty() {
        out.insert("null".into());
    }
    out
}

/// Whether a value of JSON type `t` is accepted by a node of `types`.
fn accepts(types: &BTreeSet<String>, t: &str) -> bool {
    types.contains(t) || (t == "integer" && types.contains("number"))
}

fn listed(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(" or ")
}

fn field(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn required(node: &Node<'_>) -> BTreeSet<String> {
    node.schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn closed(node: &Node<'_>) -> bool {
    node.schema.get("additionalProperties") == Some(&Value::Bool(false))
}

/// Lower and upper bounds a node can narrow or widen.
const BOUNDS: &[(&str, bool)] = &[
    ("minimum", true),
    ("exclusiveMinimum", true),
    ("maximum", false),
    ("exclusiveMaximum", false),
    ("minLength", true),
    ("maxLength", false),
    ("minItems", true),
    ("maxItems", false),
];

impl Walk<'_> {
    fn push(&mut self, path: &str, what: String, breaks: Breaks) {
        self.out.push(Change {
            path: path.to_owned(),
            what,
            breaks,
        });
    }

    fn compare(&mut self, old: &Value, new: &Value, path: &str) {
        let (o, n) = (resolve(self.old_root, old), resolve(self.new_root, new));
        let key = (
            std::ptr::from_ref(o.schema) as usize,
            std::ptr::from_ref(n.schema) as usize,
        );
        if !self.seen.insert(key) {
            return;
        }
        if self.types(&o, &n, path) == Some(Breaks::Both) {
            // Nothing below a changed type compares meaningfully.
            return;
        }
        self.values(&o, &n, path);
        self.bounds(&o, &n, path);
        for keyword in ["format", "pattern"] {
            let (a, b) = (o.schema.get(keyword), n.schema.get(keyword));
            if let (Some(a), Some(b)) = (a, b)
                && a != b
            {
                self.push(
                    path,
                    format!("{keyword} changed from {a} to {b}"),
                    Breaks::Both,
                );
            } else if a.is_none() && b.is_some() {
                self.push(
                    path,
                    format!("{keyword} {} added", b.unwrap_or(&Value::Null)),
                    Breaks::Backward,
                );
            }
        }
        self.properties(&o, &n, path);
        if let (Some(a), Some(b)) = (o.schema.get("items"), n.schema.get("items")) {
            self.compare(a, b, &format!("{path}[]"));
        }
    }

    fn types(&mut self, o: &Node<'_>, n: &Node<'_>, path: &str) -> Option<Breaks> {
        let (to, tn) = (types(o), types(n));
        if to.is_empty() || tn.is_empty() {
            return None;
        }
        let narrowed = to.iter().any(|t| !accepts(&tn, t));
        let widened = tn.iter().any(|t| !accepts(&to, t));
        let breaks = Breaks::of(narrowed, widened)?;
        self.push(
            path,
            format!("type changed from {} to {}", listed(&to), listed(&tn)),
            breaks,
        );
        Some(breaks)
    }

    /// `const` and `enum`: values the new contract no longer allows break
    /// its consumers on published events; values it newly allows break the
    /// published consumers.
    fn values(&mut self, o: &Node<'_>, n: &Node<'_>, path: &str) {
        let allowed = |node: &Node<'_>| -> Option<Vec<Value>> {
            match (node.schema.get("const"), node.schema.get("enum")) {
                (Some(c), _) => Some(vec![c.clone()]),
                (None, Some(Value::Array(values))) => Some(values.clone()),
                _ => None,
            }
        };
        match (allowed(o), allowed(n)) {
            (Some(a), Some(b)) => {
                for v in a.iter().filter(|v| !b.contains(v)) {
                    self.push(path, format!("value {v} removed"), Breaks::Backward);
                }
                for v in b.iter().filter(|v| !a.contains(v)) {
                    self.push(path, format!("value {v} added"), Breaks::Forward);
                }
            }
            (Some(_), None) => self.push(
                path,
                "any value allowed where a list was".into(),
                Breaks::Forward,
            ),
            (None, Some(b)) => self.push(
                path,
                format!("values restricted to {}", Value::Array(b)),
                Breaks::Backward,
            ),
            (None, None) => {}
        }
    }

    fn bounds(&mut self, o: &Node<'_>, n: &Node<'_>, path: &str) {
        for &(keyword, lower) in BOUNDS {
            let (a, b) = (
                o.schema.get(keyword).and_then(Value::as_f64),
                n.schema.get(keyword).and_then(Value::as_f64),
            );
            let (narrowed, widened) = match (a, b) {
                (Some(a), Some(b)) if lower => (b > a, b < a),
                (Some(a), Some(b)) => (b < a, b > a),
                (None, Some(_)) => (true, false),
                (Some(_), None) => (false, true),
                (None, None) => (false, false),
            };
            let shown = |v: Option<f64>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
            if narrowed {
                self.push(
                    path,
                    format!("range narrowed: {keyword} {} to {}", shown(a), shown(b)),
                    Breaks::Backward,
                );
            } else if widened {
                self.push(
                    path,
                    format!("range widened: {keyword} {} to {}", shown(a), shown(b)),
                    Breaks::Forward,
                );
            }
        }
    }

    fn properties(&mut self, o: &Node<'_>, n: &Node<'_>, path: &str) {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        let props = |node: &Node<'_>| {
            node.schema
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| EMPTY.clone())
        };
        let (po, pn) = (props(o), props(n));
        let (ro, rn) = (required(o), required(n));
        let added: Vec<&String> = pn.keys().filter(|k| !po.contains_key(*k)).collect();
        for (name, schema) in &po {
            match pn.get(name) {
                Some(new_schema) => {
                    let at = field(path, name);
                    match (ro.contains(name), rn.contains(name)) {
                        (false, true) => {
                            self.push(&at, "optional field made required".into(), Breaks::Backward)
                        }
                        (true, false) => {
                            self.push(&at, "required field made optional".into(), Breaks::Forward)
                        }
                        _ => {}
                    }
                    self.compare(schema, new_schema, &at);
                }
                None => {
                    let renamed = added
                        .iter()
                        .find(|a| changes_between(self, schema, &pn[a.as_str()]).is_empty());
                    let what = match renamed {
                        Some(to) => format!("field removed: renamed to `{to}`?"),
                        None => "field removed (or renamed)".to_owned(),
                    };
                    self.push(&field(path, name), what, Breaks::Forward);
                }
            }
        }
        for name in added {
            if rn.contains(name) {
                self.push(
                    &field(path, name),
                    "required field added: published events do not have it".into(),
                    Breaks::Backward,
                );
            }
        }
        match (closed(o), closed(n)) {
            (false, true) if !pn.is_empty() => self.push(
                path,
                "closed to fields it does not name".into(),
                Breaks::Backward,
            ),
            (true, false) => self.push(
                path,
                "opened to fields it does not name".into(),
                Breaks::Forward,
            ),
            _ => {}
        }
    }
}

/// The changes between two nodes of the two documents, on their own.
fn changes_between(walk: &Walk<'_>, old: &Value, new: &Value) -> Vec<Change> {
    let mut inner = Walk {
        old_root: walk.old_root,
        new_root: walk.new_root,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    inner.compare(old, new, "");
    inner.out
}

#[cfg(test)]
#[path = "compat_tests.rs"]
mod tests;
