//! Errors for invalid patterns and unreadable events.
//!
//! Every pattern error names the dotted path of the offending field (e.g.
//! `detail.amount`, or `detail.$or[1].state` inside an `$or`) the way the
//! EventBridge console points at the part of a pattern it rejects.

use std::fmt;

/// A dotted location inside a pattern; the empty path is the pattern itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub(crate) String);

impl FieldPath {
    pub(crate) fn child(&self, segment: &str) -> Self {
        if self.0.is_empty() {
            Self(segment.to_owned())
        } else {
            Self(format!("{}.{segment}", self.0))
        }
    }

    pub(crate) fn or_branch(&self, index: usize) -> Self {
        self.child(&format!("$or[{index}]"))
    }

    /// The path as text, e.g. `detail.amount`; empty for the whole pattern.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("event pattern")
        } else {
            write!(f, "`{}`", self.0)
        }
    }
}

/// Why a pattern is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("event pattern is not valid JSON: {0}")]
    Json(String),
    #[error("event pattern is nested deeper than {limit} levels")]
    TooDeep { limit: usize },
    /// At the root, AWS's own wording ("Filter is not an object").
    #[error("{}", not_an_object(path))]
    NotAnObject { path: FieldPath },
    #[error("{path}: empty objects are not allowed")]
    EmptyObject { path: FieldPath },
    #[error("{path}: must be an object or an array")]
    LeafNotArray { path: FieldPath },
    #[error("{path}: empty arrays are not allowed")]
    EmptyArray { path: FieldPath },
    #[error(
        "{path}: match value must be a string, number, true, false, null or an operator object"
    )]
    InvalidMatchValue { path: FieldPath },
    #[error("{path}: an operator object must have exactly one key, found {found}")]
    OperatorArity { path: FieldPath, found: usize },
    #[error("{path}: unknown operator \"{operator}\"")]
    UnknownOperator { path: FieldPath, operator: String },
    #[error("{path}: value of \"{operator}\" must be {expected}")]
    WrongType {
        path: FieldPath,
        operator: String,
        expected: &'static str,
    },
    #[error("{path}: invalid numeric expression: {reason}")]
    InvalidNumeric { path: FieldPath, reason: String },
    #[error(
        "{path}: number {value} is outside the range EventBridge compares numerically (-5.0e9 to 5.0e9)"
    )]
    NumberOutOfRange { path: FieldPath, value: String },
    #[error("{path}: invalid CIDR block \"{value}\"")]
    InvalidCidr { path: FieldPath, value: String },
    #[error("{path}: invalid wildcard \"{value}\": {reason}")]
    InvalidWildcard {
        path: FieldPath,
        value: String,
        reason: &'static str,
    },
    #[error("{path}: invalid anything-but: {reason}")]
    InvalidAnythingBut {
        path: FieldPath,
        reason: &'static str,
    },
    #[error("{path}: $or must be an array of at least two objects")]
    InvalidOr { path: FieldPath },
    #[error("{path}: \"{name}\" is a reserved word and cannot be a field name inside $or")]
    ReservedFieldInOr { path: FieldPath, name: String },
    /// The wildcards of one field are too non-deterministic (see
    /// [`crate::MAX_WILDCARD_COMPLEXITY`]); AWS's own wording.
    #[error(
        "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character (wildcard complexity above {limit})"
    )]
    TooComplex { limit: usize },
}

fn not_an_object(path: &FieldPath) -> String {
    if path.0.is_empty() {
        "Filter is not an object: an event pattern must be a JSON object".to_owned()
    } else {
        format!("{path}: must be a JSON object")
    }
}

impl PatternError {
    /// The path of the offending field, when the error is about one field.
    pub fn path(&self) -> Option<&FieldPath> {
        use PatternError::*;
        match self {
            Json(_) | TooDeep { .. } | TooComplex { .. } => None,
            NotAnObject { path }
            | EmptyObject { path }
            | LeafNotArray { path }
            | EmptyArray { path }
            | InvalidMatchValue { path }
            | OperatorArity { path, .. }
            | UnknownOperator { path, .. }
            | WrongType { path, .. }
            | InvalidNumeric { path, .. }
            | NumberOutOfRange { path, .. }
            | InvalidCidr { path, .. }
            | InvalidWildcard { path, .. }
            | InvalidAnythingBut { path, .. }
            | InvalidOr { path }
            | ReservedFieldInOr { path, .. } => Some(path),
        }
    }
}

/// Why an event could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("event is not valid UTF-8 (first invalid byte at offset {offset})")]
    InvalidUtf8 { offset: usize },
    #[error("event is not valid JSON at byte {offset}: {reason}")]
    Syntax { offset: usize, reason: &'static str },
    #[error("event is nested deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("event is not a JSON object")]
    NotAnObject,
}
