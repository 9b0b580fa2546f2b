//! The reports over the embedded runtime's SQLite database: the bus
//! archive (`bus_archive`) and the dead letters the dlq service recorded
//! (`dlq_messages`).

use crate::definition::ReportName;
use crate::error::ReportError;
use crate::output::{Cell, Report};
use crate::params::Window;
use platform::sqlite::Db;
use rusqlite::types::ValueRef;

/// Runs one report's SQLite query with the window bound as `:from`/`:to`.
pub fn run(db: &Db, name: ReportName, window: &Window) -> Result<Report, ReportError> {
    let width = name.columns().len();
    let rows = db.transaction(|tx| {
        let mut stmt = tx.prepare_cached(name.sqlite_sql())?;
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
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(ReportError::from)
    })?;
    Report::new(name, window, rows)
}

/// The local archive as a [`crate::api::Source`] for `GET /reports/{name}`.
#[derive(Clone)]
pub struct LocalSource {
    pub db: Db,
}

impl crate::api::Source for LocalSource {
    async fn run(&self, name: ReportName, window: &Window) -> Result<Report, ReportError> {
        run(&self.db, name, window)
    }
}
