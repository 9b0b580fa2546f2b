//! Starting, observing and stopping the whole local saga.

use crate::function::MappedFunction;
use crate::http::{Api, router};
use crate::load::Saga;
use crate::publisher::{BusPublisher, entries};
use crate::services::{Services, ServicesError};
use ::wiring::http::{HttpLimits, serve_until};
use ::wiring::invariants::InvariantReport;
use ::wiring::{ConsumerHandler, Wiring};
use emulator::{BusError, Emulator, Faults, LocalBus, Queues, Resources, UnknownQueue, Worker};
use events::OutgoingEvent;
use inventory::StockItem;
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
    #[error(transparent)]
    Wiring(#[from] UnknownQueue),
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
    pub resources: Resources,
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
    pub async fn start(saga: Saga, options: Options) -> Result<Self, RuntimeError> {
        check(&saga)?;
        let Saga { resources, wiring } = saga;
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
        let queues = Arc::new(Queues::new(db.clone(), &resources.queues)?);
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
            db.clone(),
            queues.clone(),
            resources.rules.clone(),
            resources.archive.is_some(),
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
            let function = Arc::new(MappedFunction {
                spec: spec.clone(),
                services: services.clone(),
                bus: bus.clone(),
                faults: faults.clone(),
            });
            for _ in 0..spec.pollers() {
                let worker = Worker {
                    function_name: spec.function.clone(),
                    queue: spec.queue.clone(),
                    batch_size: spec.batch_size,
                    queues: queues.clone(),
                    faults: faults.clone(),
                    function: function.clone(),
                    duplicated: Arc::clone(&duplicated),
                };
                tasks.push(tokio::spawn(worker.run(watch.clone())));
            }
        }
        // The archive's retention is enforced by the runtime that writes
        // (readers such as `saga trace` delete nothing).
        if let Some(retention) = resources.archive.as_ref().and_then(|a| a.retention())
            && options.workers
        {
            tracing::info!("archive retention: {} days", retention.in_days());
            tasks.push(tokio::spawn(emulator::retention::run(
                db,
                retention,
                emulator::retention::EVERY,
                watch.clone(),
            )));
        }
        if wiring.outbox_relay && options.workers {
            let (services, bus, wake, stop) =
                (services.clone(), bus.clone(), relay.clone(), watch.clone());
            tasks.push(tokio::spawn(async move {
                ::wiring::relay::run(&services.orders, &BusPublisher(&bus), &wake, stop).await;
            }));
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
                    bus_name: resources.bus_name.clone(),
                    archive: resources.archive.clone(),
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
            resources,
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
            let notified = self.queues.changed();
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

    /// The saga's invariants (crates/wiring) against the stock that was
    /// loaded (`initial`), over this runtime's stores and queues.
    pub fn invariants(&self, initial: &[StockItem]) -> Result<InvariantReport, StoreError> {
        let depths = self.queues.depths()?;
        let undelivered = self
            .wiring
            .consumers
            .iter()
            .map(|c| depths.get(&c.queue).copied().unwrap_or(0))
            .sum();
        let items = self.services.inventory.all_items()?;
        ::wiring::invariants::check(&self.services.db, &items, undelivered, initial)
    }

    /// What this runtime was started with, as read from the template.
    pub fn saga(&self) -> Saga {
        Saga {
            resources: self.resources.clone(),
            wiring: self.wiring.clone(),
        }
    }

    /// The bus as the handlers' publisher (`EventPublisher`).
    pub fn publisher(&self) -> BusPublisher<'_> {
        BusPublisher(&self.bus)
    }

    /// Puts saga events on the bus, as a handler's publish does, from
    /// synchronous code (tests, commands).
    pub fn put_events(&self, events: &[OutgoingEvent]) -> Result<(), BusError> {
        self.bus.put_events(&entries(events))
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

/// Every rule target, redrive policy and event source names a queue the
/// resources have.
fn check(saga: &Saga) -> Result<(), UnknownQueue> {
    saga.resources.check()?;
    let known = saga.resources.queue_names();
    for c in &saga.wiring.consumers {
        emulator::check_queue(&known, || format!("function {}", c.function), &c.queue)?;
    }
    Ok(())
}
