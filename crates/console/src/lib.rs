//! What a person sees of a running local saga. The views `saga trace` and
//! `saga dlq list` print are built here, and `saga run` serves the same
//! views in a browser under `/console` on its loopback port: the bus's
//! events live, the wiring as a diagram, queues and dead letters (with
//! redrive), an order's trace, the reports as charts, and forms that send
//! events and test patterns.
//!
//! Nothing here is a second runtime: the console reads the archive, the
//! queues and the DLQ records through the runtime's own functions, redrives
//! with `dlq::redrive`, and its page calls `saga run`'s real APIs for the
//! rest (`POST /orders`, `GET /reports/{name}`, and EventBridge's
//! `PutEvents` and `TestEventPattern` on `POST /`). The page is plain
//! HTML, CSS and JavaScript compiled into the binary: no build step, no
//! network.

mod api;
mod assets;
pub mod dead_letters;
pub mod diagram;
pub mod feed;
pub mod queues;
mod request;
mod stream;
pub mod trace;

use emulator::{LocalBus, Queues};
use runtime::{Mount, Runtime, Saga as Wiring, Services};
use std::sync::{Arc, OnceLock};
use tokio::sync::watch;

/// Where the console is served.
pub const PATH: &str = "/console/";

/// The running saga the console shows.
pub struct Saga {
    pub wiring: Wiring,
    pub services: Arc<Services>,
    pub bus: Arc<LocalBus>,
    pub queues: Arc<Queues>,
}

/// The console of one `saga run`. Its routes are mounted when the runtime
/// starts serving, and see the saga once [`Console::attach`] gives it to
/// them (until then they answer `503`); [`Console::close`] ends the live
/// streams, so a stopping server is not held open by a browser.
#[derive(Clone)]
pub struct Console {
    saga: Arc<OnceLock<Arc<Saga>>>,
    closed: Arc<watch::Sender<bool>>,
}

impl Default for Console {
    fn default() -> Self {
        Self {
            saga: Arc::default(),
            closed: Arc::new(watch::channel(false).0),
        }
    }
}

impl Console {
    /// The console's routes, all under `/console`.
    pub fn router(&self) -> axum::Router {
        api::router(self.clone())
    }

    /// `other` (the AWS APIs) with the console's routes beside it, for
    /// [`runtime::Options::mount`].
    pub fn beside(&self, other: Mount) -> Mount {
        let console = self.clone();
        Mount(Arc::new(move |emulator| {
            (other.0)(emulator).merge(console.router())
        }))
    }

    /// Shows this runtime; a second call changes nothing.
    pub fn attach(&self, runtime: &Runtime) {
        let _ = self.saga.set(Arc::new(Saga {
            wiring: runtime.saga(),
            services: runtime.services.clone(),
            bus: runtime.bus.clone(),
            queues: runtime.queues.clone(),
        }));
    }

    /// Ends every live stream (the server is stopping).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    pub(crate) fn saga(&self) -> Option<Arc<Saga>> {
        self.saga.get().cloned()
    }

    pub(crate) fn closed(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }
}
