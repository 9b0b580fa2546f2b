//! Runs the real `saga` binary, as a user would.

mod archive_retention;
mod careless_user;
#[path = "../support/http.rs"]
mod http;
mod hybrid_over_saga_run;
mod lint_command;
mod match_command;
mod replay_archive;
mod report_command;
mod run_binding;
mod runtime_commands;
mod schema_command;
mod seed_command;
mod template_loading;
mod test_event_pattern;

use std::path::PathBuf;
use std::process::{Command, Output};

/// The outcome of one run of the binary.
pub struct Run {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

pub fn saga(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(args)
        .output()
        .expect("the saga binary runs");
    Run {
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// The project's own template, the one `make run` serves.
pub fn template() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml").to_owned()
}

/// `saga demo` of 60 orders (every path, in known proportions) into `db`.
pub fn demo(db: &str) -> Run {
    saga(&[
        "demo",
        "--orders",
        "60",
        "--concurrency",
        "4",
        "--template",
        &template(),
        "--db",
        db,
    ])
}

/// `saga run` of the project's template on `db`, on a free loopback port,
/// logging at info (the workspace's one starter, `testkit::saga_run`).
pub fn start_run(db: &std::path::Path) -> testkit::saga_run::SagaRun {
    let template = template();
    testkit::saga_run::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_saga")),
        [
            std::ffi::OsStr::new("--template"),
            std::ffi::OsStr::new(&template),
            std::ffi::OsStr::new("--db"),
            db.as_os_str(),
        ],
    )
}

pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// `saga match` with a fixture template over the fixture events.
pub fn match_template(template: &str) -> Run {
    saga(&[
        "match",
        "--template",
        &fixture(template),
        "--events",
        &fixture("events.jsonl"),
    ])
}
