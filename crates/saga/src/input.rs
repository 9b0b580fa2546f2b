//! Command arguments that are either inline text or `file://path`, the
//! convention of the AWS CLI.

use anyhow::Context;

/// Returns the argument's text, reading it from a file for `file://path`.
pub fn text_or_file(argument: &str, what: &str) -> anyhow::Result<String> {
    match argument.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the {what} from {path}")),
        None => Ok(argument.to_owned()),
    }
}
