//! `saga test-event-pattern`, mirroring `aws events test-event-pattern`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use pattern::Pattern;
use serde_json::Value;

use crate::cli::TestEventPatternArgs;
use crate::input::text_or_file;

/// The fields the TestEventPattern API reference lists as mandatory.
const MANDATORY_STRINGS: [&str; 6] = ["id", "account", "source", "time", "region", "detail-type"];

pub fn run(args: &TestEventPatternArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let pattern_text = text_or_file(&args.event_pattern, "event pattern")?;
    let event_text = text_or_file(&args.event, "event")?;
    let pattern = Pattern::parse(&pattern_text).map_err(|e| {
        anyhow!("InvalidEventPatternException: Event pattern is not valid. Reason: {e}")
    })?;
    let event = parse_event(&event_text)?;
    let result = pattern.matches(&event);
    writeln!(out, "{{\"Result\": {result}}}")?;
    Ok(ExitCode::SUCCESS)
}

/// Validates the event the way TestEventPattern does: a JSON object with
/// `id`, `account`, `source`, `time`, `region` and `detail-type` strings and a
/// `resources` list of strings.
pub fn parse_event(text: &str) -> anyhow::Result<Value> {
    let event: Value = serde_json::from_str(text)
        .context("ValidationException: Parameter Event is not valid: not JSON")?;
    let Some(object) = event.as_object() else {
        bail!("ValidationException: Parameter Event is not valid: not a JSON object");
    };
    for field in MANDATORY_STRINGS {
        match object.get(field) {
            Some(Value::String(_)) => {}
            Some(_) => bail!(
                "ValidationException: Parameter Event is not valid: `{field}` must be a string"
            ),
            None => bail!(
                "ValidationException: Parameter Event is not valid: missing required field `{field}`"
            ),
        }
    }
    match object.get("resources") {
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(event),
        Some(_) => bail!(
            "ValidationException: Parameter Event is not valid: `resources` must be a list of strings"
        ),
        None => bail!(
            "ValidationException: Parameter Event is not valid: missing required field `resources`"
        ),
    }
}
