//! The group commit behind [`super::Db`]: units as savepoints of a shared
//! transaction, the flusher thread that ends groups and checkpoints the
//! WAL, and the wait of a durable unit for its group.

use rusqlite::Connection;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, LockResult, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::WalBound;

/// The longest a group stays open: the work a crash can make the runtime
/// redo, not work it can lose.
pub const GROUP_WINDOW: Duration = Duration::from_millis(25);
/// The longest a durable unit waits for other units to join its group's
/// commit. It waits less when no unit is queued behind it: the group then
/// commits at once.
pub const DURABLE_WINDOW: Duration = Duration::from_millis(3);
/// The most units one group commits.
pub const GROUP_UNITS: u32 = 5_000;
/// How often, at most, the WAL is checkpointed while commits go on (and
/// at once when they pause). A longer interval copies a page rewritten by
/// many commits once instead of many times.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// Rolled-back groups remembered for the durable units waiting on them;
/// a waiter is woken long before this many more groups end.
const LOST_REMEMBERED: usize = 1024;

pub(super) struct Shared {
    state: Mutex<State>,
    /// Wakes the flusher: a group opened, a durable unit waits, or the
    /// database closes.
    opened: Condvar,
    /// Wakes durable units: a group committed or was lost.
    ended: Condvar,
    /// Units waiting for the lock: while there are some, a durable unit's
    /// group waits for them to join it.
    queued: AtomicUsize,
    /// In memory, nothing is durable anyway: every unit commits at once.
    grouped: bool,
}

pub(super) struct State {
    pub(super) conn: Connection,
    group: Option<Group>,
    /// The id of the last group begun; ids grow by one from 1.
    begun: u64,
    /// Every group up to this id has ended: committed or lost.
    ended_through: u64,
    /// The most recent groups that were rolled back.
    lost: VecDeque<u64>,
    /// Groups committed so far, for the checkpointer.
    commits: u64,
    pub(super) closed: bool,
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
                ended_through: 0,
                lost: VecDeque::new(),
                commits: 0,
                closed: false,
            }),
            opened: Condvar::new(),
            ended: Condvar::new(),
            queued: AtomicUsize::new(0),
            grouped,
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.recover(self.state.lock())
    }

    /// A unit that panicked half-way poisons the lock: its group may hold
    /// part of it, so the whole group goes, as in a crash.
    fn recover<'a>(&self, locked: LockResult<MutexGuard<'a, State>>) -> MutexGuard<'a, State> {
        locked.unwrap_or_else(|poisoned| {
            let mut state = poisoned.into_inner();
            self.rollback(&mut state);
            self.state.clear_poison();
            state
        })
    }

    pub(super) fn commit(&self, state: &mut State) -> rusqlite::Result<()> {
        let committed = state.commit();
        self.ended.notify_all();
        committed
    }

    fn rollback(&self, state: &mut State) {
        state.rollback();
        self.ended.notify_all();
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

    pub(super) fn unit<T, E>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, E>,
        durable: bool,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        self.queued.fetch_add(1, Ordering::Relaxed);
        let mut state = self.lock();
        self.queued.fetch_sub(1, Ordering::Relaxed);
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
        let wrote = result.is_ok() && state.conn.total_changes() != before;
        let grouped = self.grouped;
        let nobody_queued = self.queued.load(Ordering::Relaxed) == 0;
        let Some(group) = state.group.as_mut() else {
            return result;
        };
        group.units += 1;
        group.wrote |= wrote;
        // A durable unit waits for its group's commit, which includes
        // every unit that joined meanwhile: one commit for many.
        let wait_for = (durable && grouped && group.wrote).then(|| {
            group.durable_since.get_or_insert_with(Instant::now);
            group.id
        });
        let commit_now = !grouped
            || !group.wrote
            || group.units >= GROUP_UNITS
            || Instant::now() >= group.deadline()
            || (group.durable_since.is_some() && nobody_queued);
        if commit_now {
            self.commit(&mut state)?;
        } else if wait_for.is_some() {
            self.opened.notify_one();
        }
        match wait_for {
            Some(id) => self.wait_ended(state, id).map_err(E::from).and(result),
            None => result,
        }
    }

    /// Returns once group `id` ended: `Ok` when it committed. Past the
    /// group's deadline the waiter commits it itself, so a durable unit
    /// never depends on the flusher being scheduled.
    fn wait_ended(&self, mut state: MutexGuard<'_, State>, id: u64) -> rusqlite::Result<()> {
        loop {
            if state.ended_through >= id {
                return match state.lost.contains(&id) {
                    true => Err(lost()),
                    false => Ok(()),
                };
            }
            let now = Instant::now();
            let left = match state.group.as_ref() {
                Some(group) if group.id == id && now >= group.deadline() => {
                    self.commit(&mut state)?;
                    continue;
                }
                Some(group) => group.deadline().saturating_duration_since(now),
                None => GROUP_WINDOW,
            };
            let waited = self
                .ended
                .wait_timeout(state, left.max(Duration::from_micros(100)));
            state = self.recover(
                waited
                    .map(|(state, _)| state)
                    .map_err(|poisoned| std::sync::PoisonError::new(poisoned.into_inner().0)),
            );
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
                        && (state.group.is_none() || last_checkpoint.elapsed() >= CHECKPOINT_EVERY);
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
                                CHECKPOINT_EVERY
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

    fn commit(&mut self) -> rusqlite::Result<()> {
        let Some(group) = self.group.as_ref() else {
            return Ok(());
        };
        let id = group.id;
        self.run("COMMIT").inspect_err(|_| self.rollback())?;
        self.group = None;
        self.ended_through = id;
        self.commits += 1;
        Ok(())
    }

    fn rollback(&mut self) {
        if let Some(group) = self.group.take() {
            self.ended_through = group.id;
            self.lost.push_back(group.id);
            if self.lost.len() > LOST_REMEMBERED {
                self.lost.pop_front();
            }
        }
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
