//! `data` of each saga event, one struct per detail type.

use crate::{
    CustomerId, Money, OrderId, OrderLine, PaymentToken, PricedLine, PromotionCode, Reason,
    ShippingAddress, TypedBusEvent, detail_type as dt, source,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Ties a payload to where it comes from on the bus, and to the major
/// versions of its contract.
pub trait Payload: Serialize + for<'de> Deserialize<'de> + JsonSchema {
    const SOURCE: &'static str;
    const DETAIL_TYPE: &'static str;
    /// The majors of this type's contract this build reads, oldest first.
    /// An event declaring another one (`detail.metadata.version`) is refused
    /// naming its type and version, never read as one of these.
    const MAJORS: &'static [u32] = &[1];
    fn order_id(&self) -> OrderId;

    /// `data` written in `major` (one of [`Self::MAJORS`]) as this type. A
    /// type with one major is its own wire shape; a type with several
    /// upcasts the older shapes here.
    fn read(major: u32, data: serde_json::Value) -> Result<Self, serde_json::Error> {
        let _ = major;
        serde_json::from_value(data)
    }

    /// `data` as `major` writes it, or `None` when it is this type's own
    /// serde shape (the only major, or the newest).
    fn write(&self, major: u32) -> Option<serde_json::Value> {
        let _ = major;
        None
    }

    /// The JSON Schema of the whole event as `major` writes it.
    fn wire_schema(major: u32) -> schemars::Schema {
        let _ = major;
        schemars::schema_for!(TypedBusEvent<Self>)
    }
}

fn to_value<T: Serialize>(value: &T) -> serde_json::Value {
    // These types serialize to JSON without fail: string keys, no fallible
    // Serialize impls.
    serde_json::to_value(value).unwrap_or_else(|e| unreachable!("payload serializes: {e}"))
}

macro_rules! payload {
    ($name:ident, $source:expr, $detail_type:expr) => {
        impl Payload for $name {
            const SOURCE: &'static str = $source;
            const DETAIL_TYPE: &'static str = $detail_type;
            fn order_id(&self) -> OrderId {
                self.order_id
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub lines: Vec<OrderLine>,
    pub ship_to: ShippingAddress,
    pub payment_token: PaymentToken,
    /// Absent, not null, when there is none: the promotions rule matches on
    /// `exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_code: Option<PromotionCode>,
}
payload!(OrderPlaced, source::ORDERS, dt::ORDER_PLACED);

/// Carries what payment and shipping need next (event-carried state), so
/// they never call back into inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReserved {
    pub order_id: OrderId,
    pub lines: Vec<PricedLine>,
    pub amount: Money,
    pub ship_to: ShippingAddress,
    pub payment_token: PaymentToken,
}
payload!(InventoryReserved, source::INVENTORY, dt::INVENTORY_RESERVED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReservationFailed {
    pub order_id: OrderId,
    pub reason: Reason,
}
payload!(
    InventoryReservationFailed,
    source::INVENTORY,
    dt::INVENTORY_RESERVATION_FAILED
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReleased {
    pub order_id: OrderId,
    pub lines: Vec<OrderLine>,
    /// Why the order could not complete, passed on from the compensation
    /// that caused the release.
    pub reason: Reason,
}
payload!(InventoryReleased, source::INVENTORY, dt::INVENTORY_RELEASED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentAuthorized {
    pub order_id: OrderId,
    pub payment_id: String,
    pub amount: Money,
    pub lines: Vec<OrderLine>,
    pub ship_to: ShippingAddress,
}
payload!(PaymentAuthorized, source::PAYMENT, dt::PAYMENT_AUTHORIZED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentFailed {
    pub order_id: OrderId,
    pub amount: Money,
    pub reason: Reason,
}
payload!(PaymentFailed, source::PAYMENT, dt::PAYMENT_FAILED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRefunded {
    pub order_id: OrderId,
    pub payment_id: String,
    pub amount: Money,
    pub reason: Reason,
}
payload!(PaymentRefunded, source::PAYMENT, dt::PAYMENT_REFUNDED);

/// Shipment Scheduled as its major 2 writes it: the carrier and the
/// tracking number together, as `tracking`. Major 1 ([`ShipmentScheduledV1`])
/// had them flat; a consumer of this build reads both, and shipping
/// publishes the majors its `SHIPMENT_SCHEDULED_MAJORS` names (both during
/// the transition window, with the same event id, so a consumer reading
/// both handles whichever comes first and dedupes the other).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentScheduled {
    pub order_id: OrderId,
    pub shipment_id: String,
    pub tracking: Tracking,
    pub lines: Vec<OrderLine>,
    /// Passed on so the order's confirmation can state what was charged.
    pub amount: Money,
}

/// Who carries a shipment, and its number with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tracking {
    pub carrier: String,
    pub number: String,
}

/// Shipment Scheduled as its major 1 writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentScheduledV1 {
    pub order_id: OrderId,
    pub shipment_id: String,
    pub carrier: String,
    pub tracking_number: String,
    pub lines: Vec<OrderLine>,
    pub amount: Money,
}

impl From<ShipmentScheduledV1> for ShipmentScheduled {
    fn from(v1: ShipmentScheduledV1) -> Self {
        Self {
            order_id: v1.order_id,
            shipment_id: v1.shipment_id,
            tracking: Tracking {
                carrier: v1.carrier,
                number: v1.tracking_number,
            },
            lines: v1.lines,
            amount: v1.amount,
        }
    }
}

impl From<&ShipmentScheduled> for ShipmentScheduledV1 {
    fn from(v2: &ShipmentScheduled) -> Self {
        Self {
            order_id: v2.order_id,
            shipment_id: v2.shipment_id.clone(),
            carrier: v2.tracking.carrier.clone(),
            tracking_number: v2.tracking.number.clone(),
            lines: v2.lines.clone(),
            amount: v2.amount.clone(),
        }
    }
}

impl Payload for ShipmentScheduled {
    const SOURCE: &'static str = source::SHIPPING;
    const DETAIL_TYPE: &'static str = dt::SHIPMENT_SCHEDULED;
    const MAJORS: &'static [u32] = &[1, 2];

    fn order_id(&self) -> OrderId {
        self.order_id
    }

    fn read(major: u32, data: serde_json::Value) -> Result<Self, serde_json::Error> {
        match major {
            1 => serde_json::from_value::<ShipmentScheduledV1>(data).map(Self::from),
            _ => serde_json::from_value(data),
        }
    }

    fn write(&self, major: u32) -> Option<serde_json::Value> {
        match major {
            1 => Some(to_value(&ShipmentScheduledV1::from(self))),
            _ => None,
        }
    }

    fn wire_schema(major: u32) -> schemars::Schema {
        match major {
            1 => schemars::schema_for!(TypedBusEvent<ShipmentScheduledV1>),
            _ => schemars::schema_for!(TypedBusEvent<Self>),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShipmentFailed {
    pub order_id: OrderId,
    pub reason: Reason,
}
payload!(ShipmentFailed, source::SHIPPING, dt::SHIPMENT_FAILED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderConfirmed {
    pub order_id: OrderId,
    pub amount: Money,
    pub tracking_number: String,
}
payload!(OrderConfirmed, source::ORDERS, dt::ORDER_CONFIRMED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderCancelled {
    pub order_id: OrderId,
    pub reason: Reason,
}
payload!(OrderCancelled, source::ORDERS, dt::ORDER_CANCELLED);
