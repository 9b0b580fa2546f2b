//! Real SQLite failures for the tests of error classification: a page of a
//! table damaged on disk (https://www.sqlite.org/rescode.html#corrupt).

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// Overwrites the page type byte of `table`'s root page in the database
/// file at `db`, after copying every page of the WAL back into the file:
/// SQLite then reports `SQLITE_CORRUPT` ("database disk image is
/// malformed") on the next read of that table. No connection may hold the
/// file meanwhile.
pub fn damage_table(db: &Path, table: &str) {
    let (root, page_size): (i64, i64) = {
        let conn = rusqlite::Connection::open(db).expect("open");
        // Every page back in the file, so the damage is what SQLite reads;
        // a closed store's checkpointer thread may hold the WAL a moment.
        let mut tries = 0;
        while conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
            .expect("checkpoint")
            != 0
        {
            tries += 1;
            assert!(
                tries < 200,
                "the WAL stayed in use: close every connection first"
            );
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let root = conn
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("table {table}: {e}"));
        let size = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("page size");
        (root, size)
    };
    assert!(root > 1, "table {table} is on the schema page");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(db)
        .expect("the database file");
    let offset = u64::try_from((root - 1) * page_size).expect("offset");
    file.seek(SeekFrom::Start(offset)).expect("seek");
    file.write_all(&[0xEE; 16]).expect("damage");
    file.sync_all().expect("sync");
}
