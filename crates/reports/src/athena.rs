//! The reports on AWS: each is an Athena named query over the data lake's
//! `events` table (published by `infra/template.yaml` from
//! `sql/athena/NAME.sql`). A request reads the named query's text, starts
//! it in the reports workgroup with the validated window as
//! `ExecutionParameters` (bound to its `?` placeholders by Athena, never
//! spliced into the text:
//! https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html),
//! waits for it, and types the result rows by the report's columns.

use crate::definition::{Param, ReportName};
use crate::error::ReportError;
use crate::output::{Cell, Report};
use crate::params::Window;
use aws_sdk_athena::Client;
use aws_sdk_athena::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState};
use std::collections::HashMap;
use std::time::{Duration, Instant};

pub struct AthenaReports {
    pub client: Client,
    pub workgroup: String,
    pub database: String,
    /// Named query id per report.
    pub queries: HashMap<ReportName, String>,
    /// How long to wait for a query before giving up (retryable).
    pub timeout: Duration,
}

fn athena_error<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
    what: &str,
    e: SdkError<E>,
) -> ReportError {
    let code = e.code().unwrap_or("").to_owned();
    let retryable = matches!(
        e,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    ) || code == "TooManyRequestsException"
        || code == "InternalServerException"
        || code == "ThrottlingException";
    let message = e.message().map_or_else(
        || format!("{what}: {}", aws_sdk_athena::error::DisplayErrorContext(&e)),
        |m| format!("{what}: {code} {m}"),
    );
    ReportError::Athena {
        message,
        retryable,
        source: Some(Box::new(e)),
    }
}

/// An execution parameter is a SQL literal: the window's canonical text,
/// quoted. Only `Window`'s own rendering of a parsed time reaches here, so
/// it never holds a quote.
fn literal(text: String) -> String {
    format!("'{text}'")
}

impl AthenaReports {
    /// The bound values of a report's placeholders, in order.
    pub fn parameters(name: ReportName, window: &Window) -> Vec<String> {
        name.athena_params()
            .iter()
            .map(|p| {
                literal(match p {
                    Param::From => window.from_text(),
                    Param::To => window.to_text(),
                })
            })
            .collect()
    }

    pub async fn run(&self, name: ReportName, window: &Window) -> Result<Report, ReportError> {
        let id = self.queries.get(&name).ok_or_else(|| ReportError::Shape {
            report: name.as_str().to_owned(),
            reason: format!(
                "no named query configured ({} is not set)",
                name.named_query_env()
            ),
        })?;
        let named = self
            .client
            .get_named_query()
            .named_query_id(id)
            .send()
            .await
            .map_err(|e| athena_error("GetNamedQuery", e))?;
        let sql = named
            .named_query()
            .map(|q| q.query_string())
            .unwrap_or_default();
        let parameters = Self::parameters(name, window);
        if sql.matches('?').count() != parameters.len() {
            return Err(ReportError::Shape {
                report: name.as_str().to_owned(),
                reason: format!(
                    "named query {id} has {} placeholders; the report binds {}",
                    sql.matches('?').count(),
                    parameters.len()
                ),
            });
        }
        let started = self
            .client
            .start_query_execution()
            .query_string(sql)
            .work_group(&self.workgroup)
            .query_execution_context(
                QueryExecutionContext::builder()
                    .database(&self.database)
                    .build(),
            )
            .set_execution_parameters(Some(parameters))
            .send()
            .await
            .map_err(|e| athena_error("StartQueryExecution", e))?;
        let execution = started.query_execution_id().unwrap_or_default().to_owned();
        self.wait(&execution).await?;
        let rows = self.rows(name, &execution).await?;
        Report::new(name, window, rows)
    }

    /// Polls until the query ends: from 100 ms, doubling to 1 s.
    async fn wait(&self, execution: &str) -> Result<(), ReportError> {
        let deadline = Instant::now() + self.timeout;
        let mut pause = Duration::from_millis(100);
        loop {
            let out = self
                .client
                .get_query_execution()
                .query_execution_id(execution)
                .send()
                .await
                .map_err(|e| athena_error("GetQueryExecution", e))?;
            let status = out.query_execution().and_then(|q| q.status());
            match status.and_then(|s| s.state()) {
                Some(QueryExecutionState::Succeeded) => return Ok(()),
                Some(QueryExecutionState::Failed | QueryExecutionState::Cancelled) => {
                    let reason = status
                        .and_then(|s| s.state_change_reason())
                        .unwrap_or("no reason given");
                    return Err(ReportError::Athena {
                        message: format!("query {execution} did not succeed: {reason}"),
                        retryable: false,
                        source: None,
                    });
                }
                _ => {}
            }
            if Instant::now() + pause > deadline {
                return Err(ReportError::Athena {
                    message: format!("query {execution} still running after {:?}", self.timeout),
                    retryable: true,
                    source: None,
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }

    /// Every result row; the first row of the first page is the header,
    /// checked against the report's columns.
    async fn rows(&self, name: ReportName, execution: &str) -> Result<Vec<Vec<Cell>>, ReportError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut header_seen = false;
        loop {
            let page = self
                .client
                .get_query_results()
                .query_execution_id(execution)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| athena_error("GetQueryResults", e))?;
            for row in page.result_set().map(|r| r.rows()).unwrap_or_default() {
                let cells: Vec<Option<&str>> =
                    row.data().iter().map(|d| d.var_char_value()).collect();
                if !header_seen {
                    header_seen = true;
                    let expected: Vec<Option<&str>> =
                        name.columns().iter().map(|c| Some(c.name)).collect();
                    if cells != expected {
                        return Err(ReportError::Shape {
                            report: name.as_str().to_owned(),
                            reason: format!("the query returns columns {cells:?}"),
                        });
                    }
                    continue;
                }
                out.push(
                    cells
                        .into_iter()
                        .map(|c| c.map_or(Cell::Null, |t| Cell::Text(t.to_owned())))
                        .collect(),
                );
            }
            match page.next_token() {
                Some(t) => token = Some(t.to_owned()),
                None => return Ok(out),
            }
        }
    }
}

impl crate::api::Source for AthenaReports {
    async fn run(&self, name: ReportName, window: &Window) -> Result<Report, ReportError> {
        AthenaReports::run(self, name, window).await
    }
}

impl AthenaReports {
    /// Configuration from the environment the template sets:
    /// `ATHENA_WORKGROUP`, `ATHENA_DATABASE`, one `NAMED_QUERY_*` per
    /// report, and optionally `REPORT_TIMEOUT_SECONDS` (default 25, under
    /// the HTTP API's 30 s integration timeout).
    pub fn from_env(client: Client) -> Result<Self, platform::config::ConfigError> {
        use platform::config::{parsed_or, required};
        let mut queries = HashMap::new();
        for name in ReportName::ALL {
            let var = name.named_query_env();
            // `required` takes a static name; the five are fixed.
            let var: &'static str = Box::leak(var.into_boxed_str());
            queries.insert(name, required(var)?);
        }
        Ok(Self {
            client,
            workgroup: required("ATHENA_WORKGROUP")?,
            database: required("ATHENA_DATABASE")?,
            queries,
            timeout: Duration::from_secs(parsed_or("REPORT_TIMEOUT_SECONDS", 25u64)?),
        })
    }
}
