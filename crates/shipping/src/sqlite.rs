//! [`ShipmentStore`] over the shared SQLite database (local runtime, tests).

use crate::domain::{Booking, Shipment};
use crate::handler::CONSUMER;
use crate::ports::ShipmentStore;
use events::{EventId, OrderId, OutgoingEvent};
use platform::sqlite::{CachedStatements, Db, mark_processed, processed_outcome};
use platform::{Commit, StoreError};
use rusqlite::{OptionalExtension, params};

const SELECT_SHIPMENTS: &str =
    "SELECT status, shipment_id, carrier, tracking_number, failure_reason
    FROM shipments WHERE order_id = ?1";
const INSERT_SHIPMENTS: &str =
    "INSERT INTO shipments (order_id, status, shipment_id, carrier, tracking_number,
    failure_reason, cause_event_id)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (order_id) DO NOTHING";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS shipments (
    order_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    shipment_id TEXT,
    carrier TEXT,
    tracking_number TEXT,
    failure_reason TEXT,
    cause_event_id TEXT NOT NULL
) WITHOUT ROWID;";

type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[derive(Clone)]
pub struct SqliteShipmentStore {
    db: Db,
}

impl SqliteShipmentStore {
    /// Creates the `shipments` table if it is not there yet.
    pub fn new(db: Db) -> Result<Self, StoreError> {
        db.migrate(SCHEMA)?;
        Ok(Self { db })
    }
}

fn booking(order_id: OrderId, row: Row) -> Result<Booking, StoreError> {
    let corrupt = || StoreError::Corrupt(format!("shipment of order {order_id}: {row:?}"));
    match row.clone() {
        (status, Some(shipment_id), Some(carrier), Some(tracking_number), _)
            if status == "SCHEDULED" =>
        {
            Ok(Booking::Scheduled(Shipment {
                shipment_id,
                carrier,
                tracking_number,
            }))
        }
        (status, _, _, _, Some(reason)) if status == "FAILED" => Ok(Booking::Refused { reason }),
        _ => Err(corrupt()),
    }
}

impl ShipmentStore for SqliteShipmentStore {
    async fn processed(&self, event_id: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        self.db
            .transaction_async(|tx| processed_outcome(tx, CONSUMER, event_id))
            .await
    }

    async fn shipment(&self, order_id: OrderId) -> Result<Option<Booking>, StoreError> {
        let row: Option<Row> = self
            .db
            .transaction_async(|tx| {
                tx.query_row_cached(SELECT_SHIPMENTS, params![order_id.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()
            })
            .await?;
        row.map(|row| booking(order_id, row)).transpose()
    }

    async fn record(
        &self,
        order_id: OrderId,
        shipment: &Booking,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        let (scheduled, reason) = match shipment {
            Booking::Scheduled(s) => (Some(s), None),
            Booking::Refused { reason } => (None, Some(reason)),
        };
        self.db
            .transaction_async(|tx| {
                if let Some(recorded) = processed_outcome(tx, CONSUMER, cause)? {
                    return Ok(Commit::AlreadyProcessed(recorded));
                }
                let inserted = tx.execute_cached(
                    INSERT_SHIPMENTS,
                    params![
                        order_id.to_string(),
                        shipment.status(),
                        scheduled.map(|s| &s.shipment_id),
                        scheduled.map(|s| &s.carrier),
                        scheduled.map(|s| &s.tracking_number),
                        reason,
                        cause.to_string(),
                    ],
                )?;
                if inserted == 0 {
                    return Err(StoreError::Unavailable(format!(
                        "order {order_id} got a shipment from another event meanwhile"
                    )));
                }
                mark_processed(tx, CONSUMER, cause, outcome)?;
                Ok(Commit::Done(()))
            })
            .await
    }
}
