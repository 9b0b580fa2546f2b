//! [`PaymentStore`] over DynamoDB (Lambda). One item per order,
//! `PK=PAYMENT#<orderId>, SK=PAYMENT`; idempotency records live in the same
//! table (`platform::dynamo`) and are written in the same transaction as the
//! payment they account for.

use crate::domain::{PaymentRecord, PaymentStatus};
use crate::handler::CONSUMER;
use crate::ports::PaymentStore;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use events::{Currency, EventId, Money, OrderId, OutgoingEvent};
use platform::dynamo::{self as ddb, Item, get_n, get_s, key, n, s};
use platform::{Commit, StoreError};

pub const SK: &str = "PAYMENT";

pub fn pk(order_id: OrderId) -> String {
    format!("PAYMENT#{order_id}")
}

#[derive(Clone)]
pub struct DynamoPaymentStore {
    client: Client,
    table: String,
}

impl DynamoPaymentStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Writes `change` and the idempotency record of `cause` in one
    /// TransactWriteItems. A cancellation on the record (the last item) means
    /// another delivery of `cause` won: its recorded outcome is returned.
    async fn commit(
        &self,
        change: TransactWriteItem,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        ddb::commit_with_marker(
            &self.client,
            &self.table,
            CONSUMER,
            change,
            cause,
            outcome,
            || format!("the payment changed under another event while handling {cause}"),
        )
        .await
    }
}

fn to_item(order_id: OrderId, record: &PaymentRecord, cause: EventId) -> Item {
    let mut item = key(pk(order_id), SK);
    item.insert("orderId".into(), s(order_id.to_string()));
    item.insert("paymentStatus".into(), s(record.status.as_str()));
    item.insert("amountMinor".into(), n(record.amount.minor));
    item.insert("currency".into(), s(record.amount.currency.as_str()));
    item.insert("causeEventId".into(), s(cause.to_string()));
    if let Some(id) = &record.payment_id {
        item.insert("paymentId".into(), s(id));
    }
    item
}

fn from_item(item: &Item) -> Result<PaymentRecord, StoreError> {
    let corrupt = |what: String| {
        StoreError::Corrupt(format!(
            "payment {}: {what}",
            get_s(item, "PK").unwrap_or_default()
        ))
    };
    let status = get_s(item, "paymentStatus")?;
    let currency = get_s(item, "currency")?;
    Ok(PaymentRecord {
        payment_id: item
            .get("paymentId")
            .map(|_| get_s(item, "paymentId").map(str::to_owned))
            .transpose()?,
        amount: Money::new(
            get_n(item, "amountMinor")?,
            Currency::parse(currency).map_err(|e| corrupt(e.to_string()))?,
        ),
        status: PaymentStatus::parse(status)
            .ok_or_else(|| corrupt(format!("unknown status {status}")))?,
    })
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Corrupt(format!("invalid request: {e}"))
}

impl PaymentStore for DynamoPaymentStore {
    async fn processed(&self, event_id: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        ddb::processed_outcome(&self.client, &self.table, CONSUMER, event_id).await
    }

    async fn payment(&self, order_id: OrderId) -> Result<Option<PaymentRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk(order_id), SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::call)?;
        out.item.as_ref().map(from_item).transpose()
    }

    async fn record(
        &self,
        order_id: OrderId,
        record: &PaymentRecord,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(order_id, record, cause)))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_error)?;
        let change = TransactWriteItem::builder().put(put).build();
        self.commit(change, cause, outcome).await
    }

    async fn refund(
        &self,
        order_id: OrderId,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk(order_id), SK)))
            .update_expression("SET paymentStatus = :refunded, refundEventId = :cause")
            .condition_expression("paymentStatus = :authorized")
            .expression_attribute_values(":refunded", s(PaymentStatus::Refunded.as_str()))
            .expression_attribute_values(":authorized", s(PaymentStatus::Authorized.as_str()))
            .expression_attribute_values(":cause", s(cause.to_string()))
            .build()
            .map_err(build_error)?;
        let change = TransactWriteItem::builder().update(update).build();
        self.commit(change, cause, outcome).await
    }
}
