//! [`ShipmentStore`] over DynamoDB (Lambda). One item per order,
//! `PK=SHIPMENT#<orderId>, SK=SHIPMENT`; idempotency records live in the
//! same table (`platform::dynamo`) and are written in the same transaction
//! as the shipment they account for.

use crate::domain::{Booking, Shipment};
use crate::handler::CONSUMER;
use crate::ports::ShipmentStore;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use events::{EventId, OrderId, OutgoingEvent};
use platform::dynamo::{self as ddb, Item, get_s, key, s};
use platform::{Commit, StoreError};

pub const SK: &str = "SHIPMENT";

pub fn pk(order_id: OrderId) -> String {
    format!("SHIPMENT#{order_id}")
}

#[derive(Clone)]
pub struct DynamoShipmentStore {
    client: Client,
    table: String,
}

impl DynamoShipmentStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn to_item(order_id: OrderId, booking: &Booking, cause: EventId) -> Item {
    let mut item = key(pk(order_id), SK);
    item.insert("orderId".into(), s(order_id.to_string()));
    item.insert("shipmentStatus".into(), s(booking.status()));
    item.insert("causeEventId".into(), s(cause.to_string()));
    match booking {
        Booking::Scheduled(shipment) => {
            item.insert("shipmentId".into(), s(&shipment.shipment_id));
            item.insert("carrier".into(), s(&shipment.carrier));
            item.insert("trackingNumber".into(), s(&shipment.tracking_number));
        }
        Booking::Refused { reason } => {
            item.insert("failureReason".into(), s(reason));
        }
    }
    item
}

fn from_item(item: &Item) -> Result<Booking, StoreError> {
    match get_s(item, "shipmentStatus")? {
        "SCHEDULED" => Ok(Booking::Scheduled(Shipment {
            shipment_id: get_s(item, "shipmentId")?.to_owned(),
            carrier: get_s(item, "carrier")?.to_owned(),
            tracking_number: get_s(item, "trackingNumber")?.to_owned(),
        })),
        "FAILED" => Ok(Booking::Refused {
            reason: get_s(item, "failureReason")?.to_owned(),
        }),
        other => Err(StoreError::Corrupt(format!(
            "shipment {}: unknown status {other}",
            get_s(item, "PK").unwrap_or_default()
        ))),
    }
}

impl ShipmentStore for DynamoShipmentStore {
    async fn processed(&self, event_id: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        ddb::processed_outcome(&self.client, &self.table, CONSUMER, event_id).await
    }

    async fn shipment(&self, order_id: OrderId) -> Result<Option<Booking>, StoreError> {
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

    /// The shipment Put (only if absent) and the idempotency record in one
    /// TransactWriteItems. A cancellation on the record (the last item) means
    /// another delivery of `cause` won: its recorded outcome is returned.
    async fn record(
        &self,
        order_id: OrderId,
        shipment: &Booking,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(order_id, shipment, cause)))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Corrupt(format!("invalid request: {e}")))?;
        let change = TransactWriteItem::builder().put(put).build();
        ddb::commit_with_marker(
            &self.client,
            &self.table,
            CONSUMER,
            change,
            cause,
            outcome,
            || format!("order {order_id} got a shipment from another event meanwhile"),
        )
        .await
    }
}
