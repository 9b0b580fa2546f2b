//! What can go wrong with a report, and whether trying again helps.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ReportError {
    #[error("unknown report {name:?}; known reports: {known}")]
    UnknownReport { name: String, known: String },
    #[error("parameter {name}: {reason}")]
    BadParameter { name: String, reason: String },
    #[error("the local store failed: {0}")]
    Store(#[from] platform::StoreError),
    /// The report's turn or its query thread ended before it answered
    /// (the runtime shutting down, a panic): another try runs it anew.
    #[error("the report stopped before it answered")]
    Worker(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Athena refused or failed the query; `retryable` when throttled or
    /// the service was unavailable.
    #[error("athena: {message}")]
    Athena {
        message: String,
        retryable: bool,
        /// The failed call, when a call failed (not a query that ran and
        /// did not succeed).
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A result row does not fit the report's declared columns: the named
    /// query and the definition disagree, which no retry fixes.
    #[error("report {report}: {reason}")]
    Shape { report: String, reason: String },
    /// The report ran past its time limit and was stopped, so the
    /// saga's own work goes on; the same query would take as long again.
    #[error(
        "report {report} took longer than its {} s limit and was stopped; ask for a shorter window (from, to)",
        limit.as_secs()
    )]
    TimeLimit {
        report: String,
        limit: std::time::Duration,
    },
}

impl ReportError {
    pub fn bad(name: &str, reason: impl Into<String>) -> Self {
        Self::BadParameter {
            name: name.to_owned(),
            reason: reason.into(),
        }
    }

    /// A mistake of the caller (an unknown report, a bad parameter): 400.
    pub fn is_client_error(&self) -> bool {
        matches!(self, Self::UnknownReport { .. } | Self::BadParameter { .. })
    }
}

impl platform::Retryable for ReportError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Store(e) => e.is_retryable(),
            Self::Worker(_) => true,
            Self::Athena { retryable, .. } => *retryable,
            Self::UnknownReport { .. }
            | Self::BadParameter { .. }
            | Self::Shape { .. }
            | Self::TimeLimit { .. } => false,
        }
    }
}

impl From<rusqlite::Error> for ReportError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.into())
    }
}
