//! The reports over the embedded runtime's SQLite database: the bus
//! archive (`bus_archive`) and the dead letters the dlq service recorded
//! (`dlq_messages`).
//!
//! A report reads on a read-only connection of its own, never on the
//! connection every placement and delivery writes through: 16 concurrent
//! `GET /reports/time-to-final-state` on 29k orders had raised the p50 of
//! `POST /orders` from ~4 ms to 5.4 s. At most [`CONCURRENT`] reports run at
//! once, and each has [`TIME_LIMIT`], its wait for a turn included.

use crate::definition::ReportName;
use crate::error::ReportError;
use crate::output::{Cell, Report};
use crate::params::Window;
use platform::sqlite::Db;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::time::{Duration, Instant};

/// How long a report may take, waiting included.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);
/// Reports running at once: each keeps a core busy while it runs.
pub const CONCURRENT: usize = 2;

static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT);

/// Runs one report's SQLite query with the window bound as `:from`/`:to`,
/// within [`TIME_LIMIT`].
pub fn run(db: &Db, name: ReportName, window: &Window) -> Result<Report, ReportError> {
    run_within(db, name, window, TIME_LIMIT)
}

pub fn run_within(
    db: &Db,
    name: ReportName,
    window: &Window,
    limit: Duration,
) -> Result<Report, ReportError> {
    let rows = match db.reader()? {
        Some(reader) => {
            // A watchdog interrupts the query at the limit; it ends as
            // soon as the query does.
            let interrupt = reader.get_interrupt_handle();
            let (done, ended) = std::sync::mpsc::channel::<()>();
            let watchdog = std::thread::spawn(move || {
                if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = ended.recv_timeout(limit) {
                    interrupt.interrupt();
                }
            });
            let rows = query(&reader, name, window);
            drop(done);
            let _ = watchdog.join();
            rows.map_err(|e| {
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) {
                    ReportError::TimeLimit {
                        report: name.as_str().to_owned(),
                        limit,
                    }
                } else {
                    e.into()
                }
            })?
        }
        // In memory only the writing connection sees the data.
        None => db.transaction(|tx| query(tx, name, window).map_err(ReportError::from))?,
    };
    Report::new(name, window, rows)
}

fn query(conn: &Connection, name: ReportName, window: &Window) -> rusqlite::Result<Vec<Vec<Cell>>> {
    let width = name.columns().len();
    let mut stmt = conn.prepare_cached(name.sqlite_sql())?;
    let rows = stmt.query_map(
        rusqlite::named_params! {":from": window.from_text(), ":to": window.to_text()},
        |row| {
            (0..width)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(n) => Cell::Integer(n),
                        ValueRef::Real(f) => Cell::Text(f.to_string()),
                        ValueRef::Text(t) | ValueRef::Blob(t) => {
                            Cell::Text(String::from_utf8_lossy(t).into_owned())
                        }
                    })
                })
                .collect::<Result<Vec<_>, rusqlite::Error>>()
        },
    )?;
    rows.collect()
}

/// The local archive as a [`crate::api::Source`] for `GET /reports/{name}`.
#[derive(Clone)]
pub struct LocalSource {
    pub db: Db,
}

impl crate::api::Source for LocalSource {
    async fn run(&self, name: ReportName, window: &Window) -> Result<Report, ReportError> {
        let started = Instant::now();
        let turn = tokio::time::timeout(TIME_LIMIT, TURNS.acquire())
            .await
            .map_err(|_| ReportError::TimeLimit {
                report: name.as_str().to_owned(),
                limit: TIME_LIMIT,
            })?
            .map_err(|e| ReportError::Worker(Box::new(e)))?;
        let (db, window) = (self.db.clone(), *window);
        let left = TIME_LIMIT.saturating_sub(started.elapsed());
        // Off the async threads: the query runs on a blocking thread while
        // the runtime's workers go on serving placements.
        let report = tokio::task::spawn_blocking(move || run_within(&db, name, &window, left))
            .await
            .map_err(|e| ReportError::Worker(Box::new(e)))?;
        drop(turn);
        report
    }
}
