//! The template's HTTP API routes, served on this machine by the same axum
//! shell as the embedded backend ([`wiring::http::template_router`]): the
//! orders routes over the stack's orders table, `GET /reports/{name}` over
//! the stack's Athena workgroup and named queries, as the `orders-api` and
//! `reports-api` functions behind API Gateway use them. The relay picks a
//! placed order's outbox item up from the table's stream, as on AWS.

use crate::names::StackNames;
use orders::DynamoOrderStore;
use reports::ReportName;
use reports::athena::AthenaReports;
use std::collections::HashMap;
use std::time::Duration;
use wiring::http::{TemplateApi, template_router};
use wiring::template::{Template as StackTemplate, ref_target};
use wiring::{ApiHandler, Wiring};

/// How long a report may wait for Athena: the `reports-api` function's
/// default (under the HTTP API's 30 s integration timeout).
const REPORT_TIMEOUT: Duration = Duration::from_secs(25);

pub(crate) fn router(
    config: &aws_config::SdkConfig,
    template: &StackTemplate,
    wiring: &Wiring,
    names: &StackNames,
    orders: DynamoOrderStore,
    body_timeout: Duration,
) -> axum::Router {
    template_router(TemplateApi {
        routes: wiring.routes.clone(),
        orders,
        reports: athena_reports(config, template, wiring, names),
        placed: None,
        body_timeout,
    })
}

/// The reports function's Athena configuration: its environment in the
/// template, each `!Ref` resolved to the stack's physical name. A name the
/// stack does not have is left out; the report that needs it answers 500
/// naming the variable (`no named query configured (NAMED_QUERY_REVENUE
/// is not set)`).
fn athena_reports(
    config: &aws_config::SdkConfig,
    template: &StackTemplate,
    wiring: &Wiring,
    names: &StackNames,
) -> AthenaReports {
    let function = wiring
        .routes
        .iter()
        .find(|r| r.handler == ApiHandler::Reports)
        .map(|r| r.function.as_str());
    let variables = template
        .resources()
        .iter()
        .find(|r| Some(r.logical_id.as_str()) == function)
        .and_then(|f| {
            f.properties
                .get("Environment")?
                .get("Variables")?
                .as_mapping()
        });
    let variable = |name: &str| -> Option<String> {
        let value = variables?.get(name)?;
        match ref_target(value) {
            Some((id, None)) => names.physical(&id).map(str::to_owned),
            Some(_) => None,
            None => value.as_str().map(str::to_owned),
        }
    };
    let queries: HashMap<ReportName, String> = ReportName::ALL
        .into_iter()
        .filter_map(|name| Some((name, variable(&name.named_query_env())?)))
        .collect();
    AthenaReports {
        client: aws_sdk_athena::Client::new(config),
        workgroup: variable("ATHENA_WORKGROUP").unwrap_or_default(),
        database: variable("ATHENA_DATABASE").unwrap_or_default(),
        queries,
        timeout: REPORT_TIMEOUT,
    }
}
