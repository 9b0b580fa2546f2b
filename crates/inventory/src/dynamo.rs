//! [`InventoryStore`] over DynamoDB. Items: `SKU#<sku>/ITEM` (price and the
//! three stock counters), `RESERVATION#<orderId>/RESERVATION` (lines and
//! state), and the shared idempotency records. A reservation is one
//! `TransactWriteItems`: a conditional decrement per line, the reservation,
//! and the idempotency record, so stock is never half-reserved.

use crate::CONSUMER;
use crate::StockItem;
use crate::ports::{InventoryStore, Reservation, ReservationState, Reserve, Settle};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem, Update};
use events::{Currency, EventId, Money, OrderId, OrderLine, OutgoingEvent, Sku};
use platform::dynamo::{
    Item, failed_conditions, get_n, get_s, key, mark_processed, n, processed_outcome, s,
};
use platform::{Commit, StoreError};

#[derive(Clone)]
pub struct DynamoInventoryStore {
    client: Client,
    table: String,
}

fn sku_key(sku: &Sku) -> Item {
    key(format!("SKU#{sku}"), "ITEM")
}

/// The key of an order's reservation item.
pub fn reservation_key(order: OrderId) -> Item {
    key(format!("RESERVATION#{order}"), "RESERVATION")
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Corrupt(format!("request: {e}")))
}

impl DynamoInventoryStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// `SET from = from - :q, to = to + :q` on one SKU, with an optional
    /// condition that `from` holds enough.
    fn move_stock(
        &self,
        line: &OrderLine,
        from: &str,
        to: &str,
        guard: bool,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(sku_key(&line.sku)))
            .update_expression(format!("SET {from} = {from} - :q, {to} = {to} + :q"))
            .expression_attribute_values(":q", n(line.quantity.get()));
        if guard {
            update = update.condition_expression(format!("attribute_exists(PK) AND {from} >= :q"));
        }
        Ok(TransactWriteItem::builder()
            .update(build(update.build())?)
            .build())
    }

    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> Result<Option<Vec<usize>>, StoreError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(None),
            Err(e) => match failed_conditions(&e) {
                Some(failed) => Ok(Some(failed)),
                None => Err(StoreError::call(e)),
            },
        }
    }

    async fn recorded(&self, cause: EventId) -> Result<Vec<OutgoingEvent>, StoreError> {
        processed_outcome(&self.client, &self.table, CONSUMER, cause)
            .await?
            .ok_or_else(|| {
                StoreError::Unavailable(format!(
                    "event {cause}: condition failed but no record found yet"
                ))
            })
    }
}

fn to_item(item: &Item) -> Result<StockItem, StoreError> {
    let corrupt = |e: events::ValidationError| StoreError::Corrupt(format!("inventory item: {e}"));
    let counter = |name| {
        get_n(item, name).and_then(|v| {
            u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{name} = {v}")))
        })
    };
    Ok(StockItem {
        sku: Sku::parse(get_s(item, "sku")?).map_err(corrupt)?,
        name: get_s(item, "name")?.to_owned(),
        unit_price: Money::new(
            get_n(item, "priceMinor")?,
            Currency::parse(get_s(item, "currency")?).map_err(corrupt)?,
        ),
        available: counter("available")?,
        reserved: counter("reserved")?,
        shipped: counter("shipped")?,
    })
}

impl InventoryStore for DynamoInventoryStore {
    async fn processed(&self, event: EventId) -> Result<Option<Vec<OutgoingEvent>>, StoreError> {
        processed_outcome(&self.client, &self.table, CONSUMER, event).await
    }

    async fn items(&self, skus: &[Sku]) -> Result<Vec<StockItem>, StoreError> {
        if skus.is_empty() {
            return Ok(Vec::new());
        }
        // BatchGetItem takes at most 100 keys; orders have at most 25 lines.
        let keys = KeysAndAttributes::builder()
            .set_keys(Some(skus.iter().map(sku_key).collect()))
            .consistent_read(true);
        let out = self
            .client
            .batch_get_item()
            .request_items(&self.table, build(keys.build())?)
            .send()
            .await
            .map_err(StoreError::call)?;
        if out.unprocessed_keys().is_some_and(|u| !u.is_empty()) {
            return Err(StoreError::Unavailable(
                "BatchGetItem left keys unprocessed".into(),
            ));
        }
        let rows = out
            .responses()
            .and_then(|r| r.get(&self.table))
            .cloned()
            .unwrap_or_default();
        rows.iter().map(to_item).collect()
    }

    async fn reservation(&self, order: OrderId) -> Result<Option<Reservation>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(reservation_key(order)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::call)?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let lines = serde_json::from_str(get_s(&item, "lines")?)
            .map_err(|e| StoreError::Corrupt(format!("reservation {order}: {e}")))?;
        let state = get_s(&item, "state")?;
        Ok(Some(Reservation {
            order_id: order,
            lines,
            state: ReservationState::parse(state).ok_or_else(|| {
                StoreError::Corrupt(format!("reservation {order}: state {state}"))
            })?,
        }))
    }

    async fn reserve(
        &self,
        order: OrderId,
        lines: &[OrderLine],
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Reserve, StoreError> {
        let mut items = lines
            .iter()
            .map(|l| self.move_stock(l, "available", "reserved", true))
            .collect::<Result<Vec<_>, _>>()?;
        let mut reservation = reservation_key(order);
        reservation.insert(
            "lines".into(),
            s(serde_json::to_string(lines)
                .map_err(|e| StoreError::record("a reservation's lines", e))?),
        );
        reservation.insert("state".into(), s(ReservationState::Reserved.as_str()));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(reservation))
            .condition_expression("attribute_not_exists(PK)");
        items.push(
            TransactWriteItem::builder()
                .put(build(put.build())?)
                .build(),
        );
        items.push(mark_processed(
            &self.table,
            CONSUMER,
            cause,
            outcome,
            now_secs(),
        )?);
        let Some(failed) = self.transact(items).await? else {
            return Ok(Reserve::Done);
        };
        // Cancellation reasons come back in request order: a failed line
        // means not enough stock; a failed reservation or record means
        // another delivery of this event won the race.
        match failed.iter().find(|&&i| i < lines.len()) {
            Some(&i) => Ok(Reserve::Insufficient(lines[i].sku.clone())),
            None => Ok(Reserve::AlreadyProcessed(self.recorded(cause).await?)),
        }
    }

    async fn settle(
        &self,
        order: OrderId,
        to: ReservationState,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Settle, StoreError> {
        let Some(reservation) = self.reservation(order).await? else {
            return Ok(Settle::NotReserved(None));
        };
        if reservation.state != ReservationState::Reserved {
            return match processed_outcome(&self.client, &self.table, CONSUMER, cause).await? {
                Some(recorded) => Ok(Settle::AlreadyProcessed(recorded)),
                None => Ok(Settle::NotReserved(Some(reservation.state))),
            };
        }
        let target = if to == ReservationState::Shipped {
            "shipped"
        } else {
            "available"
        };
        let mut items = reservation
            .lines
            .iter()
            .map(|l| self.move_stock(l, "reserved", target, false))
            .collect::<Result<Vec<_>, _>>()?;
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(reservation_key(order)))
            .update_expression("SET #state = :to")
            .condition_expression("#state = :reserved")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":to", s(to.as_str()))
            .expression_attribute_values(
                ":reserved",
                AttributeValue::S(ReservationState::Reserved.as_str().into()),
            );
        items.push(
            TransactWriteItem::builder()
                .update(build(update.build())?)
                .build(),
        );
        items.push(mark_processed(
            &self.table,
            CONSUMER,
            cause,
            outcome,
            now_secs(),
        )?);
        if self.transact(items).await?.is_none() {
            return Ok(Settle::Done);
        }
        // Lost a race: either this event was handled meanwhile, or another
        // event settled the reservation first.
        match processed_outcome(&self.client, &self.table, CONSUMER, cause).await? {
            Some(recorded) => Ok(Settle::AlreadyProcessed(recorded)),
            None => Ok(Settle::NotReserved(
                self.reservation(order).await?.map(|r| r.state),
            )),
        }
    }

    async fn record(
        &self,
        cause: EventId,
        outcome: &[OutgoingEvent],
    ) -> Result<Commit, StoreError> {
        let marker = mark_processed(&self.table, CONSUMER, cause, outcome, now_secs())?;
        match self.transact(vec![marker]).await? {
            None => Ok(Commit::Done(())),
            Some(_) => Ok(Commit::AlreadyProcessed(self.recorded(cause).await?)),
        }
    }

    async fn put_item(&self, item: &StockItem) -> Result<(), StoreError> {
        let mut row = sku_key(&item.sku);
        row.insert("sku".into(), s(item.sku.as_str()));
        row.insert("name".into(), s(&item.name));
        row.insert("priceMinor".into(), n(item.unit_price.minor));
        row.insert("currency".into(), s(item.unit_price.currency.as_str()));
        row.insert("available".into(), n(item.available));
        row.insert("reserved".into(), n(item.reserved));
        row.insert("shipped".into(), n(item.shipped));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(row))
            .send()
            .await
            .map_err(StoreError::call)?;
        Ok(())
    }
}
