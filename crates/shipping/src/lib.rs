//! The shipping service: schedules a shipment through a [`Carrier`] for
//! every authorized order, or reports that it cannot. Row 4 of the saga (see
//! `/docs/services.md` for the shape).

pub mod domain;
#[cfg(feature = "aws")]
pub mod dynamo;
pub mod handler;
pub mod lambda;
pub mod ports;
pub mod simulated;
pub mod sqlite;

pub use domain::{Booking, Shipment};
#[cfg(feature = "aws")]
pub use dynamo::DynamoShipmentStore;
pub use handler::{CONSUMER, ShippingError, handle};
pub use ports::{Carrier, CarrierError, ShipmentStore};
pub use simulated::{SimulatedCarrier, UnservedCountries};
pub use sqlite::SqliteShipmentStore;
