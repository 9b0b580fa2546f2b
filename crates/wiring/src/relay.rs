//! The outbox relay of the embedded backend: what the `outbox-relay`
//! function does on AWS when the orders table's stream triggers it, as a
//! loop woken by each placement (the hybrid backend reads the table's
//! stream instead, crates/hybrid's `stream`).

use orders::SqliteOrderStore;
use platform::EventPublisher;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Publishes the outbox until it is empty, then waits for a placement
/// (`wake`), a second, or the shutdown.
pub async fn run<P: EventPublisher>(
    orders: &SqliteOrderStore,
    publisher: &P,
    wake: &Notify,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        match orders::relay_outbox_once(orders, publisher).await {
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
