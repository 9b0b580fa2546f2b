//! [`PaymentStore`] over the shared SQLite database (local runtime, tests).

use crate::domain::{PaymentRecord, PaymentStatus};
use crate::handler::CONSUMER;
use crate::ports::PaymentStore;
use events::{Currency, EventId, Money, OrderId, OutgoingEvent};
use platform::sqlite::{CachedStatements, Db, mark_processed, processed_outcome};
use platform::{Commit, StoreError};
use rusqlite::{Connection, OptionalExtension, params};

const SELECT_PAYMENTS: &str =
    "SELECT payment_id, amount_minor, currency, status FROM payments WHERE order_id = ?1";
const INSERT_PAYMENTS: &str =
    "INSERT INTO payments (order_id, payment_id, amount_minor, currency, status, cause_event_id)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (order_id) DO NOTHING";
const UPDATE_PAYMENTS: &str = "UPDATE payments SET status = ?1, refund_event_id = ?2
    WHERE order_id = ?3 AND status = ?4";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS payments (
    order_id TEXT PRIMARY KEY,
    payment_id TEXT,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    cause_event_id TEXT NOT NULL,
    refund_event_id TEXT
) WITHOUT ROWID;";

#[derive(Clone)]
pub struct SqlitePaymentStore {
    db: Db,
}

impl SqlitePaymentStore {
    /// Creates the `payments` table if it is not there yet.
    pub fn new(db: Db) -> Result<Self, StoreError> {
        db.migrate(SCHEMA)?;
        Ok(Self { db })
    }

    /// Runs `change` and records `cause` in one transaction, unless `cause`
    /// was handled already.
    async fn commit(
        &self,
        cause: EventId,
        outcome: &[OutgoingEvent],
        change: impl FnOnce(&Connection) -> Result<(), StoreError>,
    ) -> Result<Commit, StoreError> {
        self.db
            .transaction_async(|tx| {
                if let Some(recorded) = processed_outcome(tx, CONSUMER, cause)? {
                    return Ok(Commit::AlreadyProcessed(recorded));
                }
                change(tx)?;
                mark_processed(tx, CONSUMER, cause, outcome)?;
                Ok(Commit::Done(()))
            })
            .await
    }
}

fn read_payment(tx: &Connection, order_id: OrderId) -> Result<Option<PaymentRecord>, StoreError> {
    let row: Option<(Option<String>, i64, String, String)> = tx
        .query_row_cached(SELECT_PAYMENTS, params![order_id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((payment_id, minor, currency, status)) = row else {
        return Ok(None);
    };
    let corrupt =
        |what: String| StoreError::Corrupt(format!("payment of order {order_id}: {what}"));
    Ok(Some(PaymentRecord {
        payment_id,
        amount: Money::new(
            minor,
            Currency::parse(currency).map_err(|e| corrupt(e.to_string()))?,
        ),
        status: PaymentStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("unknown status {status}")))?,
    }))
}

impl PaymentStore for SqlitePaymentStore {
    async fn processed(&self, event_id: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        self.db
            .transaction_async(|tx| processed_outcome(tx, CONSUMER, event_id))
            .await
    }

    async fn payment(&self, order_id: OrderId) -> Result<Option<PaymentRecord>, StoreError> {
        self.db
            .transaction_async(|tx| read_payment(tx, order_id))
            .await
    }

    async fn record(
        &self,
        order_id: OrderId,
        record: &PaymentRecord,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        self.commit(cause, outcome, |tx| {
            let inserted = tx.execute_cached(
                INSERT_PAYMENTS,
                params![
                    order_id.to_string(),
                    record.payment_id,
                    record.amount.minor,
                    record.amount.currency.as_str(),
                    record.status.as_str(),
                    cause.to_string(),
                ],
            )?;
            if inserted == 0 {
                return Err(StoreError::Unavailable(format!(
                    "order {order_id} got a payment from another event meanwhile"
                )));
            }
            Ok(())
        })
        .await
    }

    async fn refund(
        &self,
        order_id: OrderId,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        self.commit(cause, outcome, |tx| {
            let updated = tx.execute_cached(
                UPDATE_PAYMENTS,
                params![
                    PaymentStatus::Refunded.as_str(),
                    cause.to_string(),
                    order_id.to_string(),
                    PaymentStatus::Authorized.as_str(),
                ],
            )?;
            if updated == 0 {
                return Err(StoreError::Unavailable(format!(
                    "payment of order {order_id} is no longer authorized"
                )));
            }
            Ok(())
        })
        .await
    }
}
