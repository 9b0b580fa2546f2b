//! One database, one runtime: an exclusive advisory lock (`flock`) on a
//! sidecar file next to the database (`saga.db.lock` beside `saga.db`),
//! holding the PID of its holder. The kernel releases the lock when the
//! process ends, however it ends (`kill -9` included), so a crash never
//! leaves a stale lock behind, and the PID in the file is only read to
//! name the holder in the error.
//!
//! A sidecar rather than a lock on the database file itself: SQLite takes
//! its own POSIX locks on the database, and a process closing any
//! descriptor of a file drops every POSIX lock it holds on it; `flock`
//! locks on another file are independent of both.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum LockError {
    /// Another process (or another runtime of this one) holds the lock.
    #[error(
        "the database is in use by another saga runtime ({holder}); one database serves one runtime: stop that one first, or pass another --db"
    )]
    Held { database: PathBuf, holder: Holder },
    /// The lock file could not be created, opened or written.
    #[error("cannot lock {database} (lock file {lock})")]
    Io {
        database: PathBuf,
        lock: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl crate::Retryable for LockError {
    fn is_retryable(&self) -> bool {
        // The holder may stop; trying again at once changes nothing.
        false
    }
}

/// Who holds a database, as far as its lock file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "pid {pid}"),
            None => f.write_str("pid unknown"),
        }
    }
}

/// The lock on one database, held until dropped or the process ends.
#[derive(Debug)]
pub struct DbLock {
    /// Kept open: closing it releases the lock.
    _file: File,
    database: PathBuf,
}

/// The sidecar lock file of a database.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl DbLock {
    /// Takes the lock on `database` or says who holds it. Never waits.
    pub fn acquire(database: &Path) -> Result<Self, LockError> {
        let lock = lock_path(database);
        let io = |source| LockError::Io {
            database: database.to_owned(),
            lock: lock.clone(),
            source,
        };
        // Not truncated on open: the holder's PID must stay readable
        // until this process owns the lock.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    database: database.to_owned(),
                    holder: read_holder(&mut file),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(Self {
            _file: file,
            database: database.to_owned(),
        })
    }

    /// Who holds `database`'s lock now, if anyone: for commands that must
    /// not touch a database another process runs on.
    pub fn holder(database: &Path) -> Result<Option<Holder>, LockError> {
        match Self::acquire(database) {
            Ok(_released_at_once) => Ok(None),
            Err(LockError::Held { holder, .. }) => Ok(Some(holder)),
            Err(e) => Err(e),
        }
    }

    pub fn database(&self) -> &Path {
        &self.database
    }
}

fn read_holder(file: &mut File) -> Holder {
    let mut text = String::new();
    let pid = file
        .read_to_string(&mut text)
        .ok()
        .and_then(|_| text.trim().parse().ok());
    Holder { pid }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_database_is_refused_naming_the_holder_s_pid() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("saga.db");
        let first = DbLock::acquire(&db).expect("the first lock");
        let err = DbLock::acquire(&db).expect_err("the second is refused");
        let LockError::Held { holder, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(holder.pid, Some(std::process::id()));
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        assert_eq!(
            DbLock::holder(&db).expect("holder").map(|h| h.pid),
            Some(Some(std::process::id()))
        );
        drop(first);
        assert_eq!(DbLock::holder(&db).expect("holder"), None);
        DbLock::acquire(&db).expect("free again once the holder is gone");
    }
}
