//! Starting, observing and stopping the whole local saga.

use crate::bus::LocalBus;
use crate::faults::Faults;
use crate::http::{Api, router};
use crate::http_server::{HttpLimits, serve_until};
use crate::queues::Queues;
use crate::services::{Services, ServicesError};
use crate::wiring::{ConsumerHandler, Wiring};
use crate::worker::Worker;
use platform::StoreError;
use platform::sqlite::{Db, DbLock, LockError};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

#[derive(Debug, Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Services(#[from] ServicesError),
    #[error(transparent)]
    Locked(#[from] LockError),
    #[error("cannot listen on {addr}: {error}")]
    Listen {
        addr: SocketAddr,
        error: std::io::Error,
    },
    #[error("{0}")]
    Wiring(String),
}

#[derive(Debug, Clone)]
pub struct Options {
    /// The SQLite file; `None` keeps everything in memory (tests).
    pub database: Option<PathBuf>,
    /// Where the HTTP API listens; `None` serves no HTTP.
    pub listen: Option<SocketAddr>,
    pub faults: Faults,
    /// Run the consumers and the outbox relay. Without them the runtime
    /// only reads and writes the database (`saga trace`, `saga dlq list`),
    /// and leaves messages another process holds alone. A runtime with
    /// workers holds the database's lock ([`DbLock`]) while it runs.
    pub workers: bool,
    /// Leave dead letters on their DLQs: the DLQ recorder's mappings do not
    /// run, so SQS clients list, read and redrive what is there.
    pub hold_dead_letters: bool,
    /// More routes served on the same listener (the AWS API of the bus and
    /// queues, crates/awsapi), built once the bus and queues exist.
    pub mount: Option<Mount>,
    /// The database's lock, already taken by the caller (`saga demo`
    /// takes it before it replaces the file); otherwise a runtime with
    /// workers takes it itself.
    pub lock: Option<Arc<DbLock>>,
    /// The HTTP server's timeouts and connection limit.
    pub http: HttpLimits,
}

/// The emulated AWS resources of a running runtime: what an API layer
/// over them needs, and nothing of the saga's services.
#[derive(Clone)]
pub struct Emulator {
    pub bus_name: String,
    /// The archive's name, if the template has one.
    pub archive: Option<String>,
    pub bus: Arc<LocalBus>,
    pub queues: Arc<Queues>,
}

/// Builds a router to serve next to the template's routes.
#[derive(Clone)]
pub struct Mount(pub Arc<dyn Fn(Emulator) -> axum::Router + Send + Sync>);

impl std::fmt::Debug for Mount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mount")
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            database: None,
            listen: None,
            faults: Faults::none(),
            workers: true,
            hold_dead_letters: false,
            mount: None,
            lock: None,
            http: HttpLimits::default(),
        }
    }
}

pub struct Runtime {
    pub wiring: Wiring,
    pub services: Arc<Services>,
    pub bus: Arc<LocalBus>,
    pub queues: Arc<Queues>,
    /// The address the HTTP API is bound to, once started.
    pub addr: Option<SocketAddr>,
    relay: Arc<Notify>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// Released when the runtime is dropped (or the process ends).
    _lock: Option<Arc<DbLock>>,
}

impl Runtime {
    pub async fn start(wiring: Wiring, options: Options) -> Result<Self, RuntimeError> {
        check(&wiring)?;
        // The port first: a runtime that cannot serve leaves no database
        // behind, and takes no lock.
        let listener =
            match options.listen {
                Some(listen) => Some(tokio::net::TcpListener::bind(listen).await.map_err(
                    |error| RuntimeError::Listen {
                        addr: listen,
                        error,
                    },
                )?),
                None => None,
            };
        let mut lock = options.lock.clone();
        let db = match &options.database {
            Some(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| StoreError::Unavailable(format!("{}: {e}", dir.display())))?;
                }
                // Before the database is opened: a second runtime must not
                // take over the first one's messages in flight.
                if options.workers && lock.is_none() {
                    lock = Some(Arc::new(DbLock::acquire(path)?));
                }
                Db::open(path)?
            }
            None => Db::in_memory()?,
        };
        let services = Arc::new(Services::open(db.clone(), &wiring)?);
        let queues = Arc::new(Queues::new(db.clone(), &wiring.queues)?);
        let recovered = if options.workers {
            queues.recover_in_flight()?
        } else {
            0
        };
        if recovered > 0 {
            tracing::info!(
                recovered,
                "messages in flight when the last run stopped are delivered again"
            );
        }
        let bus = Arc::new(LocalBus::new(
            db,
            queues.clone(),
            wiring.rules.clone(),
            wiring.archive.is_some(),
        )?);
        let (shutdown, watch) = watch::channel(false);
        let relay = Arc::new(Notify::new());
        let faults = Arc::new(options.faults.clone());
        let mut tasks = Vec::new();
        let consumers = if options.workers {
            wiring.consumers.as_slice()
        } else {
            &[]
        };
        for spec in consumers
            .iter()
            .filter(|c| !(options.hold_dead_letters && c.handler == ConsumerHandler::DeadLetters))
        {
            let duplicated = Arc::default();
            for _ in 0..spec.pollers() {
                let worker = Worker {
                    spec: spec.clone(),
                    queues: queues.clone(),
                    services: services.clone(),
                    bus: bus.clone(),
                    faults: faults.clone(),
                    duplicated: Arc::clone(&duplicated),
                };
                tasks.push(tokio::spawn(worker.run(watch.clone())));
            }
        }
        if wiring.outbox_relay && options.workers {
            tasks.push(tokio::spawn(relay_loop(
                services.clone(),
                bus.clone(),
                relay.clone(),
                watch.clone(),
            )));
        }
        let mut addr = None;
        if let Some(listener) = listener {
            addr = listener.local_addr().ok();
            let mut app = router(Api {
                routes: Arc::new(wiring.routes.clone()),
                services: services.clone(),
                relay: relay.clone(),
                limits: options.http,
            });
            if let Some(Mount(build)) = &options.mount {
                app = build(Emulator {
                    bus_name: wiring.bus_name.clone(),
                    archive: wiring.archive.clone(),
                    bus: bus.clone(),
                    queues: queues.clone(),
                })
                .merge(app);
            }
            tasks.push(serve_until(listener, app, options.http, watch.clone()));
        }
        // Wake the relay for orders stored before a restart.
        relay.notify_one();
        Ok(Self {
            wiring,
            services,
            bus,
            queues,
            addr,
            relay,
            shutdown,
            tasks,
            _lock: lock,
        })
    }

    /// Tells the outbox relay an order was stored (callers that place
    /// orders without going through HTTP).
    pub fn order_placed(&self) {
        self.relay.notify_one();
    }

    /// The queues some consumer drains; the others (the high-value and
    /// promotion queues) only accumulate.
    fn consumed_queues(&self) -> BTreeSet<&str> {
        self.wiring
            .consumers
            .iter()
            .map(|c| c.queue.as_str())
            .collect()
    }

    /// Whether nothing is left to do: no outbox entry and no message on a
    /// consumed queue.
    pub fn is_idle(&self) -> Result<bool, StoreError> {
        if !self.services.orders.take_outbox(1)?.is_empty() {
            return Ok(false);
        }
        let depths = self.queues.depths()?;
        Ok(self
            .consumed_queues()
            .iter()
            .all(|q| depths.get(*q).copied().unwrap_or(0) == 0))
    }

    /// Waits until [`Runtime::is_idle`], or `timeout`; returns whether idle.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.queues.activity.notified();
            if self.is_idle().unwrap_or(false) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            // Activity wakes us; the cap covers retries that become
            // visible later without any new activity.
            let _ = tokio::time::timeout(left.min(Duration::from_millis(50)), notified).await;
        }
    }

    /// Stops every task at once, as a crash would: messages in flight stay
    /// invisible in the database until a restart recovers them.
    pub fn abort(self) {
        for task in self.tasks {
            task.abort();
        }
    }

    /// [`Runtime::abort`], returning once every task has stopped: a task
    /// busy on another thread finishes its current step first, and a
    /// restart must not begin before (a killed process stops at once).
    pub async fn kill(self) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks {
            let _ = task.await;
        }
    }

    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

async fn relay_loop(
    services: Arc<Services>,
    bus: Arc<LocalBus>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        match orders::relay_outbox_once(&services.orders, bus.as_ref()).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "outbox relay failed; retrying"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Every rule target and event source names a queue the wiring has.
fn check(wiring: &Wiring) -> Result<(), RuntimeError> {
    let known: BTreeSet<&str> = wiring.queues.iter().map(|q| q.name.as_str()).collect();
    let missing = |what: String, queue: &str| {
        (!known.contains(queue)).then(|| {
            RuntimeError::Wiring(format!("{what} names queue {queue}, which is not defined"))
        })
    };
    for rule in &wiring.rules {
        for t in &rule.targets {
            if let Some(e) = missing(format!("rule {} target {}", rule.name, t.id), &t.queue) {
                return Err(e);
            }
        }
    }
    for c in &wiring.consumers {
        if let Some(e) = missing(format!("function {}", c.function), &c.queue) {
            return Err(e);
        }
    }
    for q in &wiring.queues {
        if let Some(r) = &q.redrive
            && let Some(e) = missing(
                format!("queue {} redrive policy", q.name),
                &r.dead_letter_queue,
            )
        {
            return Err(e);
        }
    }
    Ok(())
}
