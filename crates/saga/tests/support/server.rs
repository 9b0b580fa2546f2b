//! A real `saga run` process on a free loopback port, for the suites that
//! kill, restart and race it: `saga run --template <the project's> --db
//! DB`, started by the workspace's one starter (`testkit::saga_run`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

pub use testkit::saga_run::SagaRun as Server;

pub fn template() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml")
}

/// Starts `saga run` on a free port and waits for its "serving" line.
pub fn start(db: &Path) -> Server {
    try_start(db).unwrap_or_else(|log| panic!("saga run did not start:\n{log}"))
}

/// [`start`], or the log of a `saga run` that exited instead of serving.
pub fn try_start(db: &Path) -> Result<Server, String> {
    let template = template();
    testkit::saga_run::try_start(
        Path::new(env!("CARGO_BIN_EXE_saga")),
        [
            OsStr::new("--template"),
            template.as_os_str(),
            OsStr::new("--db"),
            db.as_os_str(),
        ],
    )
}
