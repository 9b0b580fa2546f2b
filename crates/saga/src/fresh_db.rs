//! The fresh database `saga demo` starts from. Demo replaces a database
//! only when it created it itself (recorded inside it, see
//! [`platform::sqlite::origin`]) and no runtime holds it; it never deletes
//! the orders of a `saga run`.

use anyhow::Context;
use platform::sqlite::{Db, DbLock};
use std::path::Path;
use std::sync::Arc;

/// The origin `saga demo` records in the databases it creates.
pub const DEMO: &str = "saga demo";

/// Takes `db`'s lock, then removes the database if `saga demo` created it;
/// refuses, naming why, if a runtime holds it or it holds anything else.
pub fn claim(db: &Path) -> anyhow::Result<Arc<DbLock>> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let lock = DbLock::acquire(db).with_context(|| format!("saga demo on {}", db.display()))?;
    if db.exists() {
        let origin = platform::sqlite::origin(db).with_context(|| {
            format!(
                "{} is not a database saga demo created, so demo leaves it alone: pass another --db",
                db.display()
            )
        })?;
        anyhow::ensure!(
            origin.as_deref() == Some(DEMO),
            "{} holds data saga demo did not create ({}); demo only replaces its own databases: pass another --db, or remove the file yourself",
            db.display(),
            origin.map_or(
                "no record of its creator: a `saga run` database?".to_owned(),
                |o| format!("created by {o}")
            )
        );
        remove(db)?;
    }
    Ok(Arc::new(lock))
}

/// Records that demo created the database it now runs on.
pub fn record(db: &Db) -> anyhow::Result<()> {
    db.record_origin(DEMO)
        .context("recording the demo database's origin")
}

fn remove(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("removing {}", Path::new(&p).display()));
            }
        }
    }
    Ok(())
}
