//! The order store over DynamoDB (Lambda). Items of the orders table:
//!
//! | item | PK | SK |
//! |---|---|---|
//! | order | `ORDER#<id>` | `ORDER` |
//! | idempotency key | `IDEMPOTENCY#<key>` | `KEY` (names the order it placed) |
//! | timeline entry | `ORDER#<id>` | `EVENT#<occurredAt>#<eventId>` |
//! | outbox event | `OUTBOX#<eventId>` | `OUTBOX` (expires after a day) |
//! | idempotency record | `EVENT#<eventId>` | `CONSUMER#orders` (platform) |
//!
//! An order, its outbox item and, for a request with an `Idempotency-Key`,
//! the key's item are written by one `TransactWriteItems`, conditional on
//! the key not naming an order yet (and on the order not existing); the
//! table's stream feeds the outbox items to the relay. Key items never
//! expire: a key that names an order always names that one.

use crate::CONSUMER;
use crate::domain::{IdempotencyKey, OrderStatus};
use crate::ports::{Order, OrderStore, OrderView, Placed, Transition, Transitioned};
use crate::relay::{OUTBOX_EVENT_ATTRIBUTE, OUTBOX_PK_PREFIX};
use crate::stored::{self, OrderFields, time, to_json};
use crate::timeline::TimelineEntry;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use chrono::{DateTime, Utc};
use events::{EventId, OrderId, OutgoingEvent};
use platform::dynamo::{Item, failed_conditions, get_s, key, n, s};
use platform::{Commit, StoreError};
use serde::de::DeserializeOwned;

/// Outbox items expire a day after they are written: the stream keeps a
/// record 24 hours, so by then the relay has published it or given it to
/// its DLQ.
pub const OUTBOX_TTL_SECS: i64 = 24 * 3600;

const ORDER_SK: &str = "ORDER";
const KEY_PK_PREFIX: &str = "IDEMPOTENCY#";
const KEY_SK: &str = "KEY";
const EVENT_SK_PREFIX: &str = "EVENT#";

#[derive(Clone)]
pub struct DynamoOrderStore {
    client: Client,
    table: String,
}

impl DynamoOrderStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn put(&self, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .set_return_values_on_condition_check_failure(
                condition.map(|_| ReturnValuesOnConditionCheckFailure::AllOld),
            )
            .build()
            .map_err(invalid)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<(), SdkError<TransactWriteItemsError>> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(drop)
    }

    /// The item with that key, read strongly consistent.
    async fn item(&self, item_key: Item) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(item_key))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::call)?;
        Ok(out.item)
    }

    /// The item whose condition failed in a cancelled transaction, as
    /// returned by `ALL_OLD`, or read again (by `item_key`) if the service
    /// did not return it.
    async fn old_item(
        &self,
        err: &SdkError<TransactWriteItemsError>,
        index: usize,
        item_key: Item,
    ) -> Result<Option<Item>, StoreError> {
        let returned = match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => e
                .cancellation_reasons()
                .get(index)
                .and_then(|r| r.item())
                .filter(|item| !item.is_empty())
                .cloned(),
            _ => None,
        };
        match returned {
            Some(item) => Ok(Some(item)),
            None => self.item(item_key).await,
        }
    }

    /// The order `key` placed, found after the key's condition failed.
    async fn keyed_order(
        &self,
        err: &SdkError<TransactWriteItemsError>,
        index: usize,
        idempotency_key: &IdempotencyKey,
    ) -> Result<(Order, String), StoreError> {
        let Some(key_item) = self
            .old_item(err, index, key_item_key(idempotency_key))
            .await?
        else {
            return Err(StoreError::Unavailable(
                "idempotency key write was refused but the key is not there; retry".into(),
            ));
        };
        let order_id = get_s(&key_item, "orderId")?;
        let order = OrderId::parse(order_id).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "idempotency key {idempotency_key}: order id {order_id:?}"
            ))
        })?;
        // Written in one transaction with the key, so on DynamoDB, whose
        // transactions are serializable, the order is there once the key
        // is. An emulator without isolation (moto) can show the key alone
        // for a moment; a retry decides again.
        match self.item(key(order_pk(order), ORDER_SK)).await? {
            Some(item) => parse_order(&item),
            None => Err(StoreError::Unavailable(format!(
                "idempotency key {idempotency_key} names order {order}, not readable yet; retry"
            ))),
        }
    }
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("invalid DynamoDB request: {e}"))
}

/// The partition key of an order and its timeline.
pub fn order_pk(order: OrderId) -> String {
    format!("ORDER#{order}")
}

fn key_item_key(idempotency_key: &IdempotencyKey) -> Item {
    key(format!("{KEY_PK_PREFIX}{idempotency_key}"), KEY_SK)
}

/// The item of an Idempotency-Key, naming the order it placed (the
/// table's layout, for the adapter's tests).
pub fn key_item(idempotency_key: &IdempotencyKey, order: &Order) -> Item {
    let mut item = key_item_key(idempotency_key);
    item.insert("orderId".into(), s(order.order_id.to_string()));
    item.insert("createdAt".into(), s(time(order.created_at)));
    item
}

fn json_attr<T: DeserializeOwned>(item: &Item, name: &str) -> Result<T, StoreError> {
    serde_json::from_str(get_s(item, name)?)
        .map_err(|e| StoreError::record(format!("attribute {name}"), e))
}

/// An order's item as stored: no address, no payment token.
pub fn order_item(order: &Order, request_hash: &str) -> Result<Item, StoreError> {
    let f = OrderFields::of(order, request_hash)?;
    let mut item = key(order_pk(order.order_id), ORDER_SK);
    let fields = [
        ("orderId", f.order_id),
        ("status", f.status),
        ("customerId", f.customer_id),
        ("lines", f.lines),
        ("createdAt", f.created_at),
        ("updatedAt", f.updated_at),
        ("requestHash", f.request_hash),
    ];
    item.extend(fields.map(|(name, value)| (name.to_owned(), s(value))));
    if let Some(reason) = f.reason {
        item.insert("reason".into(), s(reason));
    }
    Ok(item)
}

/// The order and request hash an order item holds.
pub fn parse_order(item: &Item) -> Result<(Order, String), StoreError> {
    let text = |name| get_s(item, name).map(str::to_owned);
    let reason = match item.get("reason") {
        Some(_) => Some(text("reason")?),
        None => None,
    };
    OrderFields {
        order_id: text("orderId")?,
        status: text("status")?,
        customer_id: text("customerId")?,
        lines: text("lines")?,
        reason,
        created_at: text("createdAt")?,
        updated_at: text("updatedAt")?,
        request_hash: text("requestHash")?,
    }
    .parse()
}

/// A timeline entry's item, beside its order's.
pub fn timeline_item(order: OrderId, entry: &TimelineEntry) -> Result<Item, StoreError> {
    let mut item = key(
        order_pk(order),
        format!("{EVENT_SK_PREFIX}{}", entry.sort_key()),
    );
    item.insert("entry".into(), s(to_json(entry)?));
    Ok(item)
}

fn outbox_item(event: &OutgoingEvent, now: DateTime<Utc>) -> Result<Item, StoreError> {
    let mut item = key(format!("{OUTBOX_PK_PREFIX}{}", event.event_id), "OUTBOX");
    item.insert(OUTBOX_EVENT_ATTRIBUTE.into(), s(to_json(event)?));
    item.insert("orderId".into(), s(event.order_id.to_string()));
    item.insert("expiresAt".into(), n(now.timestamp() + OUTBOX_TTL_SECS));
    Ok(item)
}

impl OrderStore for DynamoOrderStore {
    async fn place(
        &self,
        order: &Order,
        idempotency_key: Option<&IdempotencyKey>,
        request_hash: &str,
        outbox: &OutgoingEvent,
    ) -> Result<Placed, StoreError> {
        let exists = Some("attribute_not_exists(PK)");
        let mut items = Vec::with_capacity(3);
        if let Some(k) = idempotency_key {
            items.push(self.put(key_item(k, order), exists)?);
        }
        let order_index = items.len();
        items.push(self.put(order_item(order, request_hash)?, exists)?);
        items.push(self.put(outbox_item(outbox, order.created_at)?, None)?);
        let Err(err) = self.transact(items).await else {
            return Ok(Placed::Created);
        };
        let failed = failed_conditions(&err).unwrap_or_default();
        match idempotency_key {
            Some(k) if failed.contains(&0) => {
                let (existing, hash) = self.keyed_order(&err, 0, k).await?;
                Ok(Placed::Existing {
                    order: existing,
                    same_request: hash == request_hash,
                })
            }
            _ if failed.contains(&order_index) => Err(StoreError::Corrupt(format!(
                "order {} exists already: order ids are never reused",
                order.order_id
            ))),
            // Throttling, or a concurrent placement with the same key
            // (TransactionConflict): a retry finds the key's order.
            _ => Err(StoreError::call(err)),
        }
    }

    async fn get(&self, order: OrderId) -> Result<Option<OrderView>, StoreError> {
        let mut found = None;
        let mut timeline = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(order_pk(order)))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::call)?;
            for item in out.items() {
                let sk = get_s(item, "SK")?;
                if sk == ORDER_SK {
                    found = Some(parse_order(item)?.0);
                } else if sk.starts_with(EVENT_SK_PREFIX) {
                    timeline.push(json_attr(item, "entry")?);
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(found.map(|order| OrderView { order, timeline }))
    }

    async fn processed(&self, event: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        platform::dynamo::processed_outcome(&self.client, &self.table, CONSUMER, event).await
    }

    async fn record_timeline(
        &self,
        order: OrderId,
        entry: &TimelineEntry,
    ) -> Result<(), StoreError> {
        // Same event, same key, same content: writing it again is harmless.
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(timeline_item(order, entry)?))
            .send()
            .await
            .map_err(StoreError::call)?;
        Ok(())
    }

    async fn transition(&self, change: &Transition) -> Result<Commit<Transitioned>, StoreError> {
        let Transition {
            order, cause, at, ..
        } = *change;
        let mut set = "SET #status = :to, updatedAt = :now".to_owned();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(order_pk(order), ORDER_SK)))
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":to", s(change.to.as_str()))
            .expression_attribute_values(":pending", s(OrderStatus::Pending.as_str()))
            .expression_attribute_values(":now", s(time(at)))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if let Some(reason) = &change.reason {
            set.push_str(", reason = :reason");
            update = update.expression_attribute_values(":reason", s(to_json(reason)?));
        }
        let update = update.update_expression(set).build().map_err(invalid)?;
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            platform::dynamo::mark_processed(
                &self.table,
                CONSUMER,
                cause,
                &change.outcome,
                at.timestamp(),
            )?,
        ];
        let Err(err) = self.transact(items).await else {
            return Ok(Commit::Done(Transitioned::Applied));
        };
        let Some(failed) = failed_conditions(&err) else {
            return Err(StoreError::call(err));
        };
        if failed.contains(&1) {
            return match self.processed(cause).await? {
                Some(recorded) => Ok(Commit::AlreadyProcessed(recorded)),
                None => Err(StoreError::Unavailable(
                    "idempotency record reported but not found; retry".into(),
                )),
            };
        }
        match self
            .old_item(&err, 0, key(order_pk(order), ORDER_SK))
            .await?
        {
            None => Ok(Commit::Done(Transitioned::UnknownOrder)),
            Some(item) => match stored::status(get_s(&item, "status")?)? {
                OrderStatus::Pending => Err(StoreError::Unavailable(
                    "order changed during the transition; retry".into(),
                )),
                status => Ok(Commit::Done(Transitioned::NotPending(status))),
            },
        }
    }
}
