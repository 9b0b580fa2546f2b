//! The fresh database `saga demo` and `saga seed` start from. Each
//! replaces a database only when one of them created it (recorded inside
//! it, see [`platform::sqlite::origin`]) and no runtime holds it; neither
//! ever deletes the orders of a `saga run`.

use anyhow::Context;
use platform::sqlite::{Db, DbLock};
use std::path::Path;
use std::sync::Arc;

/// The origin `saga demo` records in the databases it creates.
pub const DEMO: &str = "saga demo";
/// The origin `saga seed` records in the databases it creates.
pub const SEED: &str = "saga seed";
/// The databases demo and seed replace: their own.
const REPLACEABLE: &[&str] = &[DEMO, SEED];

/// Takes `db`'s lock, then removes the database if `saga demo` or `saga
/// seed` created it; refuses, naming why, if a runtime holds it or it
/// holds anything else. `command` is the one claiming it.
pub fn claim(db: &Path, command: &str) -> anyhow::Result<Arc<DbLock>> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let lock = DbLock::acquire(db).with_context(|| format!("{command} on {}", db.display()))?;
    if db.exists() {
        let origin = platform::sqlite::origin(db).with_context(|| {
            format!(
                "{} is not a database saga demo or seed created, so {command} leaves it alone: pass another --db",
                db.display()
            )
        })?;
        anyhow::ensure!(
            origin.as_deref().is_some_and(|o| REPLACEABLE.contains(&o)),
            "{} holds data saga demo or seed did not create ({}); {command} only replaces their own databases: pass another --db, or remove the file yourself",
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

/// Records that `command` (demo or seed) created the database it now
/// runs on.
pub fn record(db: &Db, command: &str) -> anyhow::Result<()> {
    db.record_origin(command)
        .with_context(|| format!("recording that {command} created the database"))
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
