//! The reports function's Athena side over a mocked Athena client: the
//! named query is run in the workgroup with the window bound as execution
//! parameters (never spliced into the SQL), polled until it ends, and its
//! rows are typed by the report's columns; failures map to the right
//! status through the same `GET /reports/{name}` route as locally.

use aws_sdk_athena::Client;
use aws_sdk_athena::operation::get_named_query::GetNamedQueryOutput;
use aws_sdk_athena::operation::get_query_execution::GetQueryExecutionOutput;
use aws_sdk_athena::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_athena::operation::start_query_execution::{
    StartQueryExecutionError, StartQueryExecutionOutput,
};
use aws_sdk_athena::types::error::TooManyRequestsException;
use aws_sdk_athena::types::{
    Datum, NamedQuery, QueryExecution, QueryExecutionState, QueryExecutionStatus, ResultSet, Row,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use reports::athena::AthenaReports;
use reports::{ReportName, Window};
use std::collections::HashMap;
use std::time::Duration;

fn reports(client: Client) -> AthenaReports {
    AthenaReports {
        client,
        workgroup: "wg".into(),
        database: "lake".into(),
        queries: ReportName::ALL
            .into_iter()
            .map(|r| (r, format!("id-{}", r.as_str())))
            .collect::<HashMap<_, _>>(),
        timeout: Duration::from_secs(5),
    }
}

fn named(name: ReportName) -> Rule {
    mock!(Client::get_named_query)
        .match_requests(move |r| r.named_query_id() == Some(&format!("id-{}", name.as_str())))
        .then_output(move || {
            GetNamedQueryOutput::builder()
                .named_query(
                    NamedQuery::builder()
                        .name(name.as_str())
                        .database("lake")
                        .query_string(name.athena_sql())
                        .build()
                        .unwrap(),
                )
                .build()
        })
}

fn execution(state: QueryExecutionState, reason: &str) -> GetQueryExecutionOutput {
    GetQueryExecutionOutput::builder()
        .query_execution(
            QueryExecution::builder()
                .query_execution_id("q-1")
                .status(
                    QueryExecutionStatus::builder()
                        .state(state)
                        .state_change_reason(reason)
                        .build(),
                )
                .build(),
        )
        .build()
}

fn row(cells: &[Option<&str>]) -> Row {
    let mut b = Row::builder();
    for c in cells {
        let mut d = Datum::builder();
        if let Some(text) = c {
            d = d.var_char_value(*text);
        }
        b = b.data(d.build());
    }
    b.build()
}

#[tokio::test]
async fn a_report_runs_its_named_query_with_the_window_as_execution_parameters_and_types_the_rows()
{
    let sql = ReportName::Revenue.athena_sql();
    let start = mock!(Client::start_query_execution)
        .match_requests(move |r| {
            r.query_string() == Some(sql)
                && r.work_group() == Some("wg")
                && r.query_execution_context().and_then(|c| c.database()) == Some("lake")
                && r.execution_parameters()
                    == [
                        "'2026-11-22T00:00:00.000Z'",
                        "'2026-11-23T09:30:00.000Z'",
                        "'2026-11-22T00:00:00.000Z'",
                        "'2026-11-23T09:30:00.000Z'",
                    ]
        })
        .then_output(|| {
            StartQueryExecutionOutput::builder()
                .query_execution_id("q-1")
                .build()
        });
    let poll = mock!(Client::get_query_execution)
        .sequence()
        .output(|| execution(QueryExecutionState::Running, ""))
        .output(|| execution(QueryExecutionState::Succeeded, ""))
        .build();
    let pages = mock!(Client::get_query_results)
        .sequence()
        .output(|| {
            GetQueryResultsOutput::builder()
                .result_set(
                    ResultSet::builder()
                        .rows(row(&[
                            Some("currency"),
                            Some("orders"),
                            Some("revenue_minor"),
                        ]))
                        .rows(row(&[Some("EUR"), Some("1"), Some("700")]))
                        .build(),
                )
                .next_token("page-2")
                .build()
        })
        .output(|| {
            GetQueryResultsOutput::builder()
                .result_set(
                    ResultSet::builder()
                        .rows(row(&[Some("USD"), Some("2"), None]))
                        .build(),
                )
                .build()
        })
        .build();
    let client = mock_client!(
        aws_sdk_athena,
        RuleMode::MatchAny,
        [&named(ReportName::Revenue), &start, &poll, &pages]
    );
    let window = Window::new(Some("2026-11-22"), Some("2026-11-23T10:30:00+01:00")).unwrap();
    let report = reports(client)
        .run(ReportName::Revenue, &window)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&report.rows).unwrap(),
        serde_json::json!([
            {"currency": "EUR", "orders": 1, "revenue_minor": 700},
            {"currency": "USD", "orders": 2, "revenue_minor": null},
        ])
    );
    assert_eq!(start.num_calls(), 1);
    assert_eq!(poll.num_calls(), 2);
}

#[tokio::test]
async fn a_failed_query_is_a_500_naming_athena_s_reason_and_throttling_a_retryable_503() {
    let start = mock!(Client::start_query_execution).then_output(|| {
        StartQueryExecutionOutput::builder()
            .query_execution_id("q-1")
            .build()
    });
    let failed = mock!(Client::get_query_execution)
        .then_output(|| execution(QueryExecutionState::Failed, "TABLE_NOT_FOUND: events"));
    let client = mock_client!(
        aws_sdk_athena,
        RuleMode::MatchAny,
        [&named(ReportName::DeadLetters), &start, &failed]
    );
    let r = reports::api::route(&reports(client), "GET", "/reports/dead-letters", Ok(vec![])).await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(r.body.contains("TABLE_NOT_FOUND: events"), "{}", r.body);

    let throttled = mock!(Client::start_query_execution).then_error(|| {
        StartQueryExecutionError::TooManyRequestsException(
            TooManyRequestsException::builder()
                .message("slow down")
                .meta(
                    ErrorMetadata::builder()
                        .code("TooManyRequestsException")
                        .message("slow down")
                        .build(),
                )
                .build(),
        )
    });
    let client = mock_client!(
        aws_sdk_athena,
        RuleMode::MatchAny,
        [&named(ReportName::DeadLetters), &throttled]
    );
    let r = reports::api::route(&reports(client), "GET", "/reports/dead-letters", Ok(vec![])).await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("\"retryable\":true"), "{}", r.body);
}

#[tokio::test]
async fn a_result_whose_columns_differ_from_the_report_is_refused() {
    let start = mock!(Client::start_query_execution).then_output(|| {
        StartQueryExecutionOutput::builder()
            .query_execution_id("q-1")
            .build()
    });
    let done = mock!(Client::get_query_execution)
        .then_output(|| execution(QueryExecutionState::Succeeded, ""));
    let results = mock!(Client::get_query_results).then_output(|| {
        GetQueryResultsOutput::builder()
            .result_set(
                ResultSet::builder()
                    .rows(row(&[Some("reason"), Some("count")]))
                    .build(),
            )
            .build()
    });
    let client = mock_client!(
        aws_sdk_athena,
        RuleMode::MatchAny,
        [
            &named(ReportName::CancellationReasons),
            &start,
            &done,
            &results
        ]
    );
    let e = reports(client)
        .run(ReportName::CancellationReasons, &Window::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cancellation-reasons") && e.contains("count"),
        "{e}"
    );
}

#[tokio::test]
async fn a_bad_request_is_answered_400_without_calling_athena() {
    let client = mock_client!(aws_sdk_athena, RuleMode::MatchAny, []);
    let query = reports::api::parse_query(Some("from=noon"));
    let r = reports::api::route(&reports(client), "GET", "/reports/revenue", query).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("parameter from"), "{}", r.body);
}
