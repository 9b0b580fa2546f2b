//! The group commit behind [`super::Db`]: units as savepoints of a shared
//! transaction, the flusher thread that ends groups and checkpoints the
//! WAL, and the wait of a durable unit for its group.

use rusqlite::Connection;
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::WalBound;

/// The longest a group stays open: the work a crash can make the runtime
/// redo, not work it can lose.
pub const GROUP_WINDOW: Duration = Duration::from_millis(25);
/// The longest a durable unit waits for other units to join its group's
/// commit: what a placement's latency pays for sharing a commit with the
/// placements and deliveries around it.
pub const DURABLE_WINDOW: Duration = Duration::from_millis(2);
/// The most units one group commits.
pub const GROUP_UNITS: u32 = 5_000;
/// Rolled-back groups remembered for the durable units waiting on them;
/// a waiter is woken long before this many more groups end.
const LOST_REMEMBERED: usize = 1024;

pub(super) struct Shared {
    state: Mutex<State>,
    /// Where async callers queue for the connection: a task waiting here
    /// yields its thread to other tasks (their JSON, matching and handler
    /// logic) instead of blocking it on `state`, so one thread runs SQL
    /// while the others do everything else. Only the flusher and the
    /// synchronous callers still take `state` directly.
    pub(super) gate: tokio::sync::Semaphore,
    /// Wakes the flusher: a group opened, a durable unit waits, or the
    /// database closes.
    opened: Condvar,
    /// Which groups have ended, for durable units: published outside the
    /// connection's lock, so a waiter never takes it to learn its outcome.
    ended: tokio::sync::watch::Sender<Ended>,
    /// In memory, nothing is durable anyway: every unit commits at once.
    grouped: bool,
}

pub(super) struct State {
    pub(super) conn: Connection,
    group: Option<Group>,
    /// The id of the last group begun; ids grow by one from 1.
    begun: u64,
    /// Groups committed so far, for the checkpointer.
    commits: u64,
    pub(super) closed: bool,
}

/// Every group up to `through` has ended; the most recent of them that
/// were rolled back are in `lost`.
#[derive(Default)]
struct Ended {
    through: u64,
    lost: VecDeque<u64>,
}

struct Group {
    id: u64,
    began: Instant,
    units: u32,
    wrote: bool,
    /// When the first durable unit of the group began waiting.
    durable_since: Option<Instant>,
}

impl Group {
    fn deadline(&self) -> Instant {
        let window = self.began + GROUP_WINDOW;
        self.durable_since
            .map_or(window, |since| window.min(since + DURABLE_WINDOW))
    }
}

impl Shared {
    pub(super) fn new(conn: Connection, grouped: bool) -> Self {
        Self {
            state: Mutex::new(State {
                conn,
                group: None,
                begun: 0,
                commits: 0,
                closed: false,
            }),
            gate: tokio::sync::Semaphore::new(1),
            opened: Condvar::new(),
            ended: tokio::sync::watch::Sender::new(Ended::default()),
            grouped,
        }
    }

    /// [`Shared::unit`] for async callers: the task waits for its turn on
    /// `gate` without holding its thread, and once the unit ends, yields if
    /// another task waits. Tokio runs a task woken from a worker next on
    /// that same worker, but only once the current task yields: without
    /// the yield, the next unit would wait for this task's work after its
    /// unit (handler logic, JSON), with the connection idle, and that work
    /// could not move to the other worker.
    pub(super) async fn unit_async<T, E>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, E>,
        durable: bool,
    ) -> Result<(T, Option<u64>), E>
    where
        E: From<rusqlite::Error>,
    {
        let turn = self.gate.acquire().await;
        let result = self.unit(work, durable);
        drop(turn);
        // The released permit went straight to a waiter if there was one.
        if self.gate.available_permits() == 0 {
            tokio::task::yield_now().await;
        }
        result
    }

    /// A unit that panicked half-way poisons the lock: its group may hold
    /// part of it, so the whole group goes, as in a crash.
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| {
            let mut state = poisoned.into_inner();
            self.rollback(&mut state);
            self.state.clear_poison();
            state
        })
    }

    pub(super) fn commit(&self, state: &mut State) -> rusqlite::Result<()> {
        let Some(id) = state.group.as_ref().map(|group| group.id) else {
            return Ok(());
        };
        if let Err(error) = state.run("COMMIT") {
            self.rollback(state);
            return Err(error);
        }
        state.group = None;
        state.commits += 1;
        self.ended.send_modify(|ended| ended.through = id);
        Ok(())
    }

    fn rollback(&self, state: &mut State) {
        if let Some(id) = state.rollback() {
            self.ended.send_modify(|ended| {
                ended.through = id;
                ended.lost.push_back(id);
                if ended.lost.len() > LOST_REMEMBERED {
                    ended.lost.pop_front();
                }
            });
        }
    }

    /// Commits what is open and stops the flusher.
    pub(super) fn close(&self) {
        let mut state = self.lock();
        if let Err(error) = self.commit(&mut state) {
            tracing::error!(%error, "last group commit failed; its units will be redone");
        }
        state.closed = true;
        self.opened.notify_all();
    }

    /// Runs `work` as one unit of the open group. For a durable unit that
    /// wrote (or read what others wrote), also returns the group to wait
    /// for: its commit is what makes the unit durable.
    pub(super) fn unit<T, E>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, E>,
        durable: bool,
    ) -> Result<(T, Option<u64>), E>
    where
        E: From<rusqlite::Error>,
    {
        let mut state = self.lock();
        if state.group.is_none() {
            state.begin()?;
            self.opened.notify_one();
        }
        let before = state.conn.total_changes();
        state.run("SAVEPOINT unit")?;
        let result = work(&state.conn);
        let ended = match &result {
            Ok(_) => state.run("RELEASE unit"),
            Err(_) => state
                .run("ROLLBACK TO unit")
                .and_then(|()| state.run("RELEASE unit")),
        };
        if let Err(e) = ended {
            self.rollback(&mut state);
            return Err(e.into());
        }
        if state.conn.is_autocommit() {
            // SQLite ended the transaction itself (an I/O error, a full
            // disk): the group is gone, as after a crash.
            self.rollback(&mut state);
            return result.and(Err(lost().into()));
        }
        let value = result?;
        let wrote = state.conn.total_changes() != before;
        let grouped = self.grouped;
        let Some(group) = state.group.as_mut() else {
            return Ok((value, None));
        };
        group.units += 1;
        group.wrote |= wrote;
        // A durable unit waits for its group's commit, which carries every
        // unit that joins meanwhile: one commit for many placements.
        let wait_for = (durable && grouped && group.wrote).then(|| {
            group.durable_since.get_or_insert_with(Instant::now);
            group.id
        });
        let commit_now = !grouped
            || !group.wrote
            || group.units >= GROUP_UNITS
            || Instant::now() >= group.deadline();
        if commit_now {
            self.commit(&mut state)?;
        } else if wait_for.is_some() {
            // The flusher sleeps until the group's old deadline.
            self.opened.notify_one();
        }
        Ok((value, wait_for))
    }

    /// Waits, without holding a thread, until group `id` ended; `Ok` when
    /// it committed. The flusher thread ends it by its deadline.
    pub(super) async fn committed(&self, id: u64) -> rusqlite::Result<()> {
        let mut ended = self.ended.subscribe();
        match ended.wait_for(|ended| ended.through >= id).await {
            Ok(ended) if !ended.lost.contains(&id) => Ok(()),
            _ => Err(lost()),
        }
    }

    /// Commits each group once its deadline has passed, so the last units
    /// before a pause are not left waiting for more work; and checkpoints
    /// the WAL into the database file on its own connection, so neither
    /// the copy nor its fsync holds up the units.
    pub(super) fn flush_loop(&self, checkpointer: Connection, wal: WalBound) {
        let mut checkpointed = 0;
        let mut last_checkpoint = Instant::now();
        loop {
            let commits = {
                let mut state = self.lock();
                loop {
                    if state.closed {
                        return;
                    }
                    let due = state.commits > checkpointed
                        && (state.group.is_none()
                            || last_checkpoint.elapsed() >= wal.checkpoint_every);
                    if due {
                        break state.commits;
                    }
                    let left = state
                        .group
                        .as_ref()
                        .map(|g| g.deadline().saturating_duration_since(Instant::now()));
                    state = match left {
                        None => self.opened.wait(state).unwrap_or_else(|p| p.into_inner()),
                        Some(left) if !left.is_zero() => {
                            let left = left.min(
                                wal.checkpoint_every
                                    .saturating_sub(last_checkpoint.elapsed())
                                    .max(Duration::from_millis(1)),
                            );
                            self.opened
                                .wait_timeout(state, left)
                                .unwrap_or_else(|p| p.into_inner())
                                .0
                        }
                        Some(_) => {
                            if let Err(error) = self.commit(&mut state) {
                                tracing::error!(%error, "group commit failed; its units will be redone");
                            }
                            state
                        }
                    };
                }
            };
            // PASSIVE never waits for the writer: what it cannot copy now,
            // the next checkpoint does.
            match checkpoint(&checkpointer) {
                Ok(frames) if frames >= wal.restart_frames => self.restart_wal(&checkpointer),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed; retried later"),
            }
            checkpointed = commits;
            last_checkpoint = Instant::now();
        }
    }

    /// Commits the open group and, while no unit can begin, copies the
    /// rest of the log back, so the next write transaction rewinds the log
    /// to its start. The units wait for one short copy: most of the log
    /// was copied by the PASSIVE checkpoint before, without the lock.
    fn restart_wal(&self, checkpointer: &Connection) {
        let mut state = self.lock();
        if let Err(error) = self.commit(&mut state) {
            tracing::error!(%error, "group commit failed; its units will be redone");
            return;
        }
        if let Err(error) = checkpoint(checkpointer) {
            tracing::warn!(%error, "WAL checkpoint failed; retried later");
        }
    }
}

/// A PASSIVE checkpoint; returns the frames in the log.
fn checkpoint(checkpointer: &Connection) -> rusqlite::Result<i64> {
    checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
}

/// What a durable unit gets when its group was rolled back after the unit
/// itself succeeded: its work is gone, and retrying it is safe.
fn lost() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some("the group commit holding this unit was rolled back; nothing of it was kept".into()),
    )
}

impl State {
    pub(super) fn commits(&self) -> u64 {
        self.commits
    }

    fn run(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }

    fn begin(&mut self) -> rusqlite::Result<()> {
        self.run("BEGIN IMMEDIATE")?;
        self.begun += 1;
        self.group = Some(Group {
            id: self.begun,
            began: Instant::now(),
            units: 0,
            wrote: false,
            durable_since: None,
        });
        Ok(())
    }

    /// Rolls back the open transaction; returns the group it ended.
    fn rollback(&mut self) -> Option<u64> {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.group.take().map(|group| group.id)
    }
}
