//! Every service's SQLite store in one database: what the embedded
//! backend's handlers run on.

use ::wiring::{
    ConsumerHandler, ConsumerReads, Consumers, InvalidEnv, Wiring, scheduled_majors, simulations,
};
use aws_lambda_events::event::sqs::SqsEvent;
use dlq::sqlite::SqliteDlqStore;
use inventory::sqlite::SqliteInventoryStore;
use orders::SqliteOrderStore;
use payment::simulated::SimulatedGateway;
use platform::sqlite::Db;
use platform::sqs::FailedMessage;
use platform::{EventPublisher, StoreError};
use shipping::simulated::SimulatedCarrier;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServicesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Config(#[from] InvalidEnv),
}

pub struct Services {
    pub db: Db,
    pub orders: SqliteOrderStore,
    pub inventory: SqliteInventoryStore,
    pub payments: payment::sqlite::SqlitePaymentStore,
    pub shipments: shipping::sqlite::SqliteShipmentStore,
    pub dead_letters: SqliteDlqStore,
    pub gateway: SimulatedGateway,
    pub carrier: SimulatedCarrier,
    /// The majors of Shipment Scheduled shipping publishes.
    pub scheduled_majors: events::Majors,
    pub reads: ConsumerReads,
}

impl Services {
    /// Opens every store on `db`; the simulations take their settings from
    /// the environment the template gives their functions.
    pub fn open(db: Db, wiring: &Wiring) -> Result<Self, ServicesError> {
        let (gateway, carrier) = simulations(wiring)?;
        Ok(Self {
            orders: SqliteOrderStore::new(db.clone())?,
            inventory: SqliteInventoryStore::new(db.clone())?,
            payments: payment::sqlite::SqlitePaymentStore::new(db.clone())?,
            shipments: shipping::sqlite::SqliteShipmentStore::new(db.clone())?,
            dead_letters: SqliteDlqStore::new(db.clone())?,
            gateway,
            carrier,
            scheduled_majors: scheduled_majors(wiring)?,
            reads: ConsumerReads::from_wiring(wiring)?,
            db,
        })
    }

    /// Runs one SQS batch through a consumer, exactly as its Lambda would,
    /// and says which messages failed and why.
    pub async fn consume<P: EventPublisher>(
        &self,
        handler: ConsumerHandler,
        publisher: &P,
        batch: SqsEvent,
    ) -> Vec<FailedMessage> {
        Consumers {
            orders: &self.orders,
            inventory: &self.inventory,
            payments: &self.payments,
            shipments: &self.shipments,
            dead_letters: &self.dead_letters,
            gateway: &self.gateway,
            carrier: &self.carrier,
            scheduled_majors: &self.scheduled_majors,
            reads: &self.reads,
        }
        .consume(handler, publisher, batch)
        .await
    }
}
