//! The template's archive and replays of it. A replay runs in the
//! background like EventBridge's: `StartReplay` answers `STARTING`, and
//! `DescribeReplay` follows it to `COMPLETED` (or `FAILED`, with the
//! reason). Replays are kept in memory until restart.

use super::rules::{find_rule, page};
use super::{arn, bus_arn, epoch_seconds, from_epoch_seconds, not_found, validation};
use crate::{Api, ApiError};
use chrono::{DateTime, Utc};
use emulator::ReplayFilter;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Destination {
    arn: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    filter_arns: Vec<String>,
}

#[derive(Debug, Clone)]
struct Replay {
    name: String,
    description: Option<String>,
    archive_arn: String,
    destination: Destination,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    state: &'static str,
    reason: Option<String>,
    started: DateTime<Utc>,
    ended: Option<DateTime<Utc>>,
    last_replayed: Option<DateTime<Utc>>,
}

/// The replays started since `saga run` started.
#[derive(Default, Clone)]
pub(crate) struct Replays(Arc<Mutex<BTreeMap<String, Replay>>>);

impl Replays {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Replay>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn archive_arn(name: &str) -> String {
    arn(&format!("archive/{name}"))
}

/// The template's archive, if `name` (a name or ARN) is it.
fn our_archive(api: &Api, name: &str) -> Result<String, ApiError> {
    match &api.emulator.archive {
        Some(a) if a.name == name || archive_arn(&a.name) == name => Ok(a.name.clone()),
        _ => Err(not_found(format!("Archive {name} does not exist."))),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Archive {
    archive_name: String,
    event_source_arn: String,
    state: &'static str,
    retention_days: u32,
    size_bytes: i64,
    event_count: i64,
}

fn archive(api: &Api, name: &str) -> Result<Archive, ApiError> {
    let (event_count, size_bytes) = api.emulator.bus.archive_size().map_err(ApiError::store)?;
    Ok(Archive {
        archive_name: name.to_owned(),
        event_source_arn: bus_arn(api),
        state: "ENABLED",
        // The template's RetentionDays, which the runtime enforces
        // (emulator::retention); 0 keeps events indefinitely.
        retention_days: api
            .emulator
            .archive
            .as_ref()
            .map_or(0, |a| a.retention_days),
        size_bytes,
        event_count,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListArchivesInput {
    name_prefix: Option<String>,
    event_source_arn: Option<String>,
    state: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListArchivesOutput {
    archives: Vec<Archive>,
}

pub(crate) fn list_archives(
    api: &Api,
    input: ListArchivesInput,
) -> Result<ListArchivesOutput, ApiError> {
    let mut archives = Vec::new();
    if let Some(name) = api.emulator.archive.as_ref().map(|a| &a.name)
        && input
            .name_prefix
            .as_deref()
            .is_none_or(|p| name.starts_with(p))
        && input
            .event_source_arn
            .as_deref()
            .is_none_or(|a| a == bus_arn(api))
        && input.state.as_deref().is_none_or(|s| s == "ENABLED")
    {
        archives.push(archive(api, name)?);
    }
    Ok(ListArchivesOutput { archives })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeArchiveInput {
    archive_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeArchiveOutput {
    archive_arn: String,
    #[serde(flatten)]
    archive: Archive,
}

pub(crate) fn describe_archive(
    api: &Api,
    input: DescribeArchiveInput,
) -> Result<DescribeArchiveOutput, ApiError> {
    let name = our_archive(api, &input.archive_name)?;
    Ok(DescribeArchiveOutput {
        archive_arn: archive_arn(&name),
        archive: archive(api, &name)?,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StartReplayInput {
    replay_name: String,
    description: Option<String>,
    event_source_arn: String,
    event_start_time: f64,
    event_end_time: f64,
    destination: Destination,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StartReplayOutput {
    replay_arn: String,
    state: &'static str,
    replay_start_time: f64,
}

pub(crate) fn start_replay(
    api: &Api,
    input: StartReplayInput,
) -> Result<StartReplayOutput, ApiError> {
    let archive = our_archive(api, &input.event_source_arn)?;
    let from = from_epoch_seconds("EventStartTime", input.event_start_time)?;
    let to = from_epoch_seconds("EventEndTime", input.event_end_time)?;
    if from >= to {
        return Err(validation(
            "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.",
        ));
    }
    if input.destination.arn != bus_arn(api) {
        return Err(validation(format!(
            "Parameter Destination.Arn is not valid. Reason: the archive's events can only be replayed to its own bus, {}.",
            bus_arn(api)
        )));
    }
    let rules = input
        .destination
        .filter_arns
        .iter()
        .map(|a| find_rule(api, a).map(|r| r.name.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let started = Utc::now();
    let replay = Replay {
        name: input.replay_name.clone(),
        description: input.description,
        archive_arn: archive_arn(&archive),
        destination: input.destination,
        from,
        to,
        state: "STARTING",
        reason: None,
        started,
        ended: None,
        last_replayed: None,
    };
    {
        let mut replays = api.replays.lock();
        if replays.contains_key(&replay.name) {
            return Err(ApiError::bad_request(
                "ResourceAlreadyExistsException",
                format!("Replay {} already exists.", replay.name),
            ));
        }
        replays.insert(replay.name.clone(), replay);
    }
    let name = input.replay_name;
    let replay_arn = arn(&format!("replay/{name}"));
    let bus = api.emulator.bus.clone();
    let replays = api.replays.clone();
    tokio::spawn(async move {
        set_state(&replays, &name, "RUNNING", None);
        let filter = ReplayFilter {
            from: Some(from),
            to: Some(to),
            rule: None,
        };
        let only = (!rules.is_empty()).then_some(rules);
        let task_name = name.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            bus.replay_to(&task_name, &filter, only.as_deref())
        })
        .await;
        match outcome {
            Ok(Ok(n)) => {
                tracing::info!(replay = %name, events = n, "replay completed");
                set_state(&replays, &name, "COMPLETED", None);
            }
            Ok(Err(e)) => set_state(&replays, &name, "FAILED", Some(e.to_string())),
            Err(e) => set_state(&replays, &name, "FAILED", Some(e.to_string())),
        }
    });
    Ok(StartReplayOutput {
        replay_arn,
        state: "STARTING",
        replay_start_time: epoch_seconds(started),
    })
}

fn set_state(replays: &Replays, name: &str, state: &'static str, reason: Option<String>) {
    if let Some(r) = replays.lock().get_mut(name) {
        r.state = state;
        r.reason = reason;
        if matches!(state, "COMPLETED" | "FAILED") {
            let now = Utc::now();
            r.ended = Some(now);
            if state == "COMPLETED" {
                r.last_replayed = Some(r.to.min(now));
            }
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReplayOutput {
    replay_name: String,
    replay_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_reason: Option<String>,
    event_source_arn: String,
    destination: Destination,
    event_start_time: f64,
    event_end_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_last_replayed_time: Option<f64>,
    replay_start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    replay_end_time: Option<f64>,
}

fn replay_output(r: &Replay) -> ReplayOutput {
    ReplayOutput {
        replay_name: r.name.clone(),
        replay_arn: arn(&format!("replay/{}", r.name)),
        description: r.description.clone(),
        state: r.state,
        state_reason: r.reason.clone(),
        event_source_arn: r.archive_arn.clone(),
        destination: r.destination.clone(),
        event_start_time: epoch_seconds(r.from),
        event_end_time: epoch_seconds(r.to),
        event_last_replayed_time: r.last_replayed.map(epoch_seconds),
        replay_start_time: epoch_seconds(r.started),
        replay_end_time: r.ended.map(epoch_seconds),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeReplayInput {
    replay_name: String,
}

pub(crate) fn describe_replay(
    api: &Api,
    input: DescribeReplayInput,
) -> Result<ReplayOutput, ApiError> {
    api.replays
        .lock()
        .get(&input.replay_name)
        .map(replay_output)
        .ok_or_else(|| not_found(format!("Replay {} does not exist.", input.replay_name)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListReplaysInput {
    name_prefix: Option<String>,
    state: Option<String>,
    event_source_arn: Option<String>,
    limit: Option<usize>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListReplaysOutput {
    replays: Vec<ReplayOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(crate) fn list_replays(
    api: &Api,
    input: ListReplaysInput,
) -> Result<ListReplaysOutput, ApiError> {
    let replays: Vec<ReplayOutput> = api
        .replays
        .lock()
        .values()
        .filter(|r| {
            input
                .name_prefix
                .as_deref()
                .is_none_or(|p| r.name.starts_with(p))
        })
        .filter(|r| input.state.as_deref().is_none_or(|s| s == r.state))
        .filter(|r| {
            input
                .event_source_arn
                .as_deref()
                .is_none_or(|a| a == r.archive_arn)
        })
        .map(replay_output)
        .collect();
    let (replays, next_token) = page(replays, input.limit, input.next_token.as_deref())?;
    Ok(ListReplaysOutput {
        replays,
        next_token,
    })
}
