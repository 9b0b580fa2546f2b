//! `PutEvents`: AWS's request limits and entry rules, then the accepted
//! entries go on the bus in one unit (archived, matched against every rule,
//! a copy queued for each target), and each entry's outcome is reported in
//! its place (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html).

use super::{from_epoch_seconds, is_our_bus, validation};
use crate::{Api, ApiError};
use chrono::{SecondsFormat, Utc};
use emulator::{ACCOUNT, REGION};
use serde::{Deserialize, Serialize};

/// Entries per request (API_PutEvents.html, `Entries`: 1 to 10 items).
pub const MAX_ENTRIES: usize = 10;

/// Total entry size per request: 1 MB since January 2026
/// (https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb),
/// counted as https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
/// says: Time as 14 bytes, Source, DetailType, Detail and each Resources
/// entry as their UTF-8 bytes.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// Field lengths of `PutEventsRequestEntry`
/// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html).
const MAX_SOURCE: usize = 256;
const MAX_DETAIL_TYPE: usize = 128;
const MAX_RESOURCE: usize = 2048;
const MAX_BUS_NAME: usize = 1600;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutEventsInput {
    entries: Vec<Entry>,
    #[serde(rename = "EndpointId")]
    _endpoint_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    source: Option<String>,
    detail_type: Option<String>,
    detail: Option<String>,
    event_bus_name: Option<String>,
    #[serde(default)]
    resources: Vec<String>,
    time: Option<f64>,
    #[serde(rename = "TraceHeader")]
    _trace_header: Option<String>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutEventsOutput {
    failed_entry_count: usize,
    entries: Vec<ResultEntry>,
}

#[derive(Debug, Serialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
struct ResultEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

impl ResultEntry {
    fn failed(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            error_code: Some(code),
            error_message: Some(message.into()),
            ..Self::default()
        }
    }
}

fn entry_size(e: &Entry) -> usize {
    let time = if e.time.is_some() { 14 } else { 0 };
    time + e.source.as_deref().map_or(0, str::len)
        + e.detail_type.as_deref().map_or(0, str::len)
        + e.detail.as_deref().map_or(0, str::len)
        + e.resources.iter().map(String::len).sum::<usize>()
}

/// The event EventBridge would deliver for an entry, or why the entry
/// fails.
fn envelope(api: &Api, e: &Entry) -> Result<serde_json::Value, ResultEntry> {
    let invalid = |field: &str, reason: &str| {
        ResultEntry::failed(
            "InvalidArgument",
            format!("Parameter {field} is not valid. Reason: {reason}"),
        )
    };
    let source = match e.source.as_deref() {
        None | Some("") => return Err(invalid("Source", "Source is a required argument.")),
        Some(s) if s.len() > MAX_SOURCE => {
            return Err(invalid("Source", "Source is longer than 256 characters."));
        }
        // Only AWS services publish `aws.` sources (EventBridge user guide,
        // eb-events-structure.html: "source").
        Some(s) if s.starts_with("aws.") => {
            return Err(ResultEntry::failed(
                "NotAuthorizedForSourceException",
                "Not authorized for the source.",
            ));
        }
        Some(s) => s,
    };
    let detail_type = match e.detail_type.as_deref() {
        None | Some("") => {
            return Err(invalid("DetailType", "DetailType is a required argument."));
        }
        Some(d) if d.len() > MAX_DETAIL_TYPE => {
            return Err(invalid(
                "DetailType",
                "DetailType is longer than 128 characters.",
            ));
        }
        Some(d) => d,
    };
    let detail = match e.detail.as_deref() {
        None | Some("") => return Err(invalid("Detail", "Detail is a required argument.")),
        Some(d) => d,
    };
    if let Some(r) = e.resources.iter().find(|r| r.len() > MAX_RESOURCE) {
        return Err(invalid(
            "Resources",
            &format!(
                "resource {}... is longer than 2048 characters.",
                r.chars().take(32).collect::<String>()
            ),
        ));
    }
    let bus = e.event_bus_name.as_deref();
    if bus.is_some_and(|b| b.len() > MAX_BUS_NAME) {
        return Err(invalid(
            "EventBusName",
            "EventBusName is longer than 1600 characters.",
        ));
    }
    if !is_our_bus(api, bus) {
        return Err(ResultEntry::failed(
            "ResourceNotFoundException",
            format!(
                "Event bus {} does not exist. (The local runtime emulates the template's bus {} only.)",
                bus.filter(|b| !b.is_empty()).unwrap_or("default"),
                api.emulator.bus_name
            ),
        ));
    }
    // The pattern crate's validator: the same check the bus's matcher
    // relies on, so an accepted event is always matchable.
    if let Err(e) = pattern::ValidEvent::parse(detail.as_bytes()) {
        return Err(ResultEntry::failed(
            "MalformedDetail",
            format!("Detail is malformed. Reason: {e}"),
        ));
    }
    let detail: serde_json::Value = serde_json::from_str(detail).map_err(|e| {
        ResultEntry::failed(
            "MalformedDetail",
            format!("Detail is malformed. Reason: {e}"),
        )
    })?;
    let time = match e.time {
        Some(t) => from_epoch_seconds("Time", t)
            .map_err(|err| ResultEntry::failed("InvalidArgument", err.message))?,
        None => Utc::now(),
    };
    let event = serde_json::json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": time.to_rfc3339_opts(SecondsFormat::Secs, true),
        "region": REGION,
        "resources": e.resources,
        "detail": detail,
    });
    // The bus's own check of every event from outside (the pattern
    // crate's): an entry it would refuse fails alone, here.
    pattern::validate_event(event.to_string().as_bytes())
        .map_err(|e| ResultEntry::failed("InvalidArgument", e.to_string()))?;
    Ok(event)
}

pub(crate) async fn put_events(
    api: &Api,
    input: PutEventsInput,
) -> Result<PutEventsOutput, ApiError> {
    let n = input.entries.len();
    if n == 0 || n > MAX_ENTRIES {
        return Err(validation(format!(
            "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length {} (got {n} entries)",
            if n == 0 {
                "greater than or equal to 1"
            } else {
                "less than or equal to 10"
            }
        )));
    }
    let size: usize = input.entries.iter().map(entry_size).sum();
    if size > MAX_REQUEST_BYTES {
        return Err(validation(format!(
            "Total size of the entries in the request is over the limit ({size} bytes; the limit is {MAX_REQUEST_BYTES})."
        )));
    }
    let mut results = Vec::with_capacity(n);
    let mut events = Vec::with_capacity(n);
    for entry in &input.entries {
        match envelope(api, entry) {
            Ok(event) => {
                results.push(ResultEntry {
                    event_id: event["id"].as_str().map(str::to_owned),
                    ..ResultEntry::default()
                });
                events.push(event);
            }
            Err(failed) => results.push(failed),
        }
    }
    if !events.is_empty() {
        api.emulator
            .bus
            .put_envelopes(&events)
            .await
            .map_err(|e| match e {
                emulator::BusError::Store(e) => ApiError::store(e),
                refused => validation(refused.to_string()),
            })?;
        for e in &events {
            tracing::info!(
                source = e["source"].as_str(),
                detail_type = e["detail-type"].as_str(),
                "event put on the bus through the EventBridge API"
            );
        }
    }
    Ok(PutEventsOutput {
        failed_entry_count: n - events.len(),
        entries: results,
    })
}
