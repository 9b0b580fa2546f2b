//! The saga's event contracts, defined once and shared by every service,
//! the local runtime and the schema generator.
//!
//! `detail` of every event on the bus is an [`Envelope`]: `metadata` (ids,
//! version, time) and `data` (the event's own payload).

mod bus;
mod envelope;
mod error;
mod ids;
mod majors;
mod payloads;
mod reads;
mod saga_event;
mod values;

pub use bus::{BusEvent, OutgoingEvent, TypedBusEvent};
pub use envelope::{Envelope, Metadata, SCHEMA_VERSION};
pub use error::{EventError, ValidationError};
pub use ids::{EventId, OrderId};
pub use majors::Majors;
pub use payloads::*;
pub use reads::{Reading, Reads};
pub use saga_event::{EventKind, SagaEvent, outcome, outcome_in};
pub use values::{
    CountryCode, Currency, CustomerId, Money, OrderLine, PaymentToken, PricedLine, PromotionCode,
    Quantity, Reason, ReasonCode, ShippingAddress, Sku,
};

/// Sources, one per service. EventBridge rules match on these.
pub mod source {
    pub const ORDERS: &str = "shop.orders";
    pub const INVENTORY: &str = "shop.inventory";
    pub const PAYMENT: &str = "shop.payment";
    pub const SHIPPING: &str = "shop.shipping";
    pub const ALL: [&str; 4] = [ORDERS, INVENTORY, PAYMENT, SHIPPING];
}

/// Detail types, human readable as in the EventBridge documentation.
pub mod detail_type {
    pub const ORDER_PLACED: &str = "Order Placed";
    pub const INVENTORY_RESERVED: &str = "Inventory Reserved";
    pub const INVENTORY_RESERVATION_FAILED: &str = "Inventory Reservation Failed";
    pub const INVENTORY_RELEASED: &str = "Inventory Released";
    pub const PAYMENT_AUTHORIZED: &str = "Payment Authorized";
    pub const PAYMENT_FAILED: &str = "Payment Failed";
    pub const PAYMENT_REFUNDED: &str = "Payment Refunded";
    pub const SHIPMENT_SCHEDULED: &str = "Shipment Scheduled";
    pub const SHIPMENT_FAILED: &str = "Shipment Failed";
    pub const ORDER_CONFIRMED: &str = "Order Confirmed";
    pub const ORDER_CANCELLED: &str = "Order Cancelled";
}
