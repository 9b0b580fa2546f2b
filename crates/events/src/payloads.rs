//! `data` of each saga event, one struct per detail type.

use crate::{
    CustomerId, Money, OrderId, OrderLine, PaymentToken, PricedLine, PromotionCode, Reason,
    ShippingAddress, detail_type as dt, source,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Ties a payload to where it comes from on the bus.
pub trait Payload: Serialize + for<'de> Deserialize<'de> + JsonSchema {
    const SOURCE: &'static str;
    const DETAIL_TYPE: &'static str;
    fn order_id(&self) -> OrderId;
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InventoryReserved {
    pub order_id: OrderId,
    pub lines: Vec<PricedLine>,
    pub amount: Money,
    pub ship_to: ShippingAddress,
    pub payment_token: PaymentToken,
}
payload!(InventoryReserved, source::INVENTORY, dt::INVENTORY_RESERVED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InventoryReleased {
    pub order_id: OrderId,
    pub lines: Vec<OrderLine>,
    /// Why the order could not complete, passed on from the compensation
    /// that caused the release.
    pub reason: Reason,
}
payload!(InventoryReleased, source::INVENTORY, dt::INVENTORY_RELEASED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentAuthorized {
    pub order_id: OrderId,
    pub payment_id: String,
    pub amount: Money,
    pub lines: Vec<OrderLine>,
    pub ship_to: ShippingAddress,
}
payload!(PaymentAuthorized, source::PAYMENT, dt::PAYMENT_AUTHORIZED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentFailed {
    pub order_id: OrderId,
    pub amount: Money,
    pub reason: Reason,
}
payload!(PaymentFailed, source::PAYMENT, dt::PAYMENT_FAILED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentRefunded {
    pub order_id: OrderId,
    pub payment_id: String,
    pub amount: Money,
    pub reason: Reason,
}
payload!(PaymentRefunded, source::PAYMENT, dt::PAYMENT_REFUNDED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShipmentScheduled {
    pub order_id: OrderId,
    pub shipment_id: String,
    pub carrier: String,
    pub tracking_number: String,
    pub lines: Vec<OrderLine>,
    /// Passed on so the order's confirmation can state what was charged.
    pub amount: Money,
}
payload!(ShipmentScheduled, source::SHIPPING, dt::SHIPMENT_SCHEDULED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShipmentFailed {
    pub order_id: OrderId,
    pub reason: Reason,
}
payload!(ShipmentFailed, source::SHIPPING, dt::SHIPMENT_FAILED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderConfirmed {
    pub order_id: OrderId,
    pub amount: Money,
    pub tracking_number: String,
}
payload!(OrderConfirmed, source::ORDERS, dt::ORDER_CONFIRMED);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderCancelled {
    pub order_id: OrderId,
    pub reason: Reason,
}
payload!(OrderCancelled, source::ORDERS, dt::ORDER_CANCELLED);
