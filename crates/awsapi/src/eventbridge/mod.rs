//! The EventBridge API (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Operation>`)
//! over the template's bus, rules and archive
//! (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html).
//!
//! Rules and targets come from the template: the operations that would
//! change them answer `OperationDisabledException` naming the template as
//! the source of truth, instead of wiring that would vanish at restart.

mod archive;
mod put_events;
mod rules;

pub(crate) use archive::Replays;

use crate::{Api, ApiError, input, output};
use emulator::{ACCOUNT, REGION};
use serde::{Deserialize, Serialize};

pub(crate) async fn dispatch(api: &Api, operation: &str, body: &[u8]) -> Result<String, ApiError> {
    match operation {
        "PutEvents" => output(&put_events::put_events(api, input(body)?).await?),
        "TestEventPattern" => output(&rules::test_event_pattern(input(body)?)?),
        "ListEventBuses" => output(&list_event_buses(api, input(body)?)),
        "DescribeEventBus" => output(&describe_event_bus(api, input(body)?)?),
        "ListRules" => output(&rules::list_rules(api, input(body)?)?),
        "DescribeRule" => output(&rules::describe_rule(api, input(body)?)?),
        "ListTargetsByRule" => output(&rules::list_targets_by_rule(api, input(body)?)?),
        "ListArchives" => output(&archive::list_archives(api, input(body)?)?),
        "DescribeArchive" => output(&archive::describe_archive(api, input(body)?)?),
        "StartReplay" => output(&archive::start_replay(api, input(body)?)?),
        "DescribeReplay" => output(&archive::describe_replay(api, input(body)?)?),
        "ListReplays" => output(&archive::list_replays(api, input(body)?)?),
        "PutRule" | "DeleteRule" | "EnableRule" | "DisableRule" | "PutTargets"
        | "RemoveTargets" | "CreateEventBus" | "DeleteEventBus" | "CreateArchive"
        | "UpdateArchive" | "DeleteArchive" | "CancelReplay" => Err(ApiError::bad_request(
            "OperationDisabledException",
            format!(
                "{operation} is not served by the local runtime: the bus, its rules, targets and archive come from the SAM template (infra/template.yaml); change the template and restart `saga run`"
            ),
        )),
        _ => Err(ApiError::unknown_operation(format!(
            "AWSEvents.{operation} is not an operation the local EventBridge API serves"
        ))),
    }
}

pub(crate) fn arn(resource: &str) -> String {
    format!("arn:aws:events:{REGION}:{ACCOUNT}:{resource}")
}

pub(crate) fn bus_arn(api: &Api) -> String {
    arn(&format!("event-bus/{}", api.emulator.bus_name))
}

pub(crate) fn queue_arn(queue: &str) -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}")
}

pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("ResourceNotFoundException", message)
}

pub(crate) fn validation(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("ValidationException", message)
}

/// Whether `name` (a bus name or ARN; none means `default`) is the
/// template's bus, the only one the runtime emulates.
pub(crate) fn is_our_bus(api: &Api, name: Option<&str>) -> bool {
    let name = name.filter(|n| !n.is_empty()).unwrap_or("default");
    name == api.emulator.bus_name || name == bus_arn(api)
}

pub(crate) fn check_bus(api: &Api, name: Option<&str>) -> Result<(), ApiError> {
    if is_our_bus(api, name) {
        return Ok(());
    }
    let name = name.filter(|n| !n.is_empty()).unwrap_or("default");
    Err(not_found(format!(
        "Event bus {name} does not exist. (The local runtime emulates the template's bus {} only.)",
        api.emulator.bus_name
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListEventBusesInput {
    name_prefix: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct EventBus {
    name: String,
    arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListEventBusesOutput {
    event_buses: Vec<EventBus>,
}

fn list_event_buses(api: &Api, input: ListEventBusesInput) -> ListEventBusesOutput {
    let name = &api.emulator.bus_name;
    let listed = input
        .name_prefix
        .as_deref()
        .is_none_or(|p| name.starts_with(p));
    ListEventBusesOutput {
        event_buses: listed
            .then(|| EventBus {
                name: name.clone(),
                arn: bus_arn(api),
            })
            .into_iter()
            .collect(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeEventBusInput {
    name: Option<String>,
}

fn describe_event_bus(api: &Api, input: DescribeEventBusInput) -> Result<EventBus, ApiError> {
    check_bus(api, input.name.as_deref())?;
    Ok(EventBus {
        name: api.emulator.bus_name.clone(),
        arn: bus_arn(api),
    })
}

/// Seconds since the epoch, as the JSON protocols write timestamps.
pub(crate) fn epoch_seconds(t: chrono::DateTime<chrono::Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

pub(crate) fn from_epoch_seconds(
    field: &str,
    seconds: f64,
) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    let millis = (seconds * 1000.0).round();
    if !millis.is_finite() || millis.abs() > 1e15 {
        return Err(validation(format!(
            "Parameter {field} is not valid. Reason: {seconds} is not a time."
        )));
    }
    chrono::DateTime::from_timestamp_millis(millis as i64).ok_or_else(|| {
        validation(format!(
            "Parameter {field} is not valid. Reason: {seconds} is not a time."
        ))
    })
}
