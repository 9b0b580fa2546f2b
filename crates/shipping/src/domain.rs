//! Pure shipping decisions: what a carrier's answer turns into. No I/O.

use chrono::{DateTime, Utc};
use events::{
    Envelope, OutgoingEvent, PaymentAuthorized, Reason, ReasonCode, ShipmentFailed,
    ShipmentScheduled, outcome,
};

/// A shipment a carrier accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub shipment_id: String,
    pub carrier: String,
    pub tracking_number: String,
}

/// A carrier's answer to a shipment request; also what the store keeps per
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booking {
    Scheduled(Shipment),
    /// No carrier takes the parcel; `reason` is shown to people.
    Refused {
        reason: String,
    },
}

impl Booking {
    pub fn status(&self) -> &'static str {
        match self {
            Booking::Scheduled(_) => "SCHEDULED",
            Booking::Refused { .. } => "FAILED",
        }
    }
}

/// Shipment Scheduled or Shipment Failed for the carrier's answer to a
/// Payment Authorized.
pub fn booking_outcome(
    cause: &Envelope<PaymentAuthorized>,
    booking: &Booking,
    now: DateTime<Utc>,
) -> Vec<OutgoingEvent> {
    let data = &cause.data;
    let event = match booking {
        Booking::Scheduled(shipment) => {
            let scheduled = ShipmentScheduled {
                order_id: data.order_id,
                shipment_id: shipment.shipment_id.clone(),
                carrier: shipment.carrier.clone(),
                tracking_number: shipment.tracking_number.clone(),
                lines: data.lines.clone(),
                amount: data.amount.clone(),
            };
            outcome(&cause.metadata, scheduled, now)
        }
        Booking::Refused { reason } => {
            let failed = ShipmentFailed {
                order_id: data.order_id,
                reason: Reason::new(ReasonCode::ShipmentFailed, reason.clone()),
            };
            outcome(&cause.metadata, failed, now)
        }
    };
    vec![event]
}
