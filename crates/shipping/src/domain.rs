//! Pure shipping decisions: what a carrier's answer turns into. No I/O.

use chrono::{DateTime, Utc};
use events::{
    Envelope, Majors, OutgoingEvent, PaymentAuthorized, Reason, ReasonCode, ShipmentFailed,
    ShipmentScheduled, Tracking, outcome, outcome_in,
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

/// Shipment Scheduled (in each of `scheduled_majors`, one id) or Shipment
/// Failed for the carrier's answer to a Payment Authorized.
pub fn booking_outcome(
    cause: &Envelope<PaymentAuthorized>,
    booking: &Booking,
    scheduled_majors: &Majors,
    now: DateTime<Utc>,
) -> Vec<OutgoingEvent> {
    let data = &cause.data;
    match booking {
        Booking::Scheduled(shipment) => {
            let scheduled = ShipmentScheduled {
                order_id: data.order_id,
                shipment_id: shipment.shipment_id.clone(),
                tracking: Tracking {
                    carrier: shipment.carrier.clone(),
                    number: shipment.tracking_number.clone(),
                },
                lines: data.lines.clone(),
                amount: data.amount.clone(),
            };
            outcome_in(&cause.metadata, scheduled, now, scheduled_majors.as_slice())
        }
        Booking::Refused { reason } => {
            let failed = ShipmentFailed {
                order_id: data.order_id,
                reason: Reason::new(ReasonCode::ShipmentFailed, reason.clone()),
            };
            vec![outcome(&cause.metadata, failed, now)]
        }
    }
}

/// The setting naming the majors of Shipment Scheduled shipping publishes.
pub const SCHEDULED_MAJORS_VAR: &str = "SHIPMENT_SCHEDULED_MAJORS";

/// The majors of Shipment Scheduled to publish: `SHIPMENT_SCHEDULED_MAJORS`
/// (`1,2` during the transition window, `2` once no consumer reads only
/// major 1), every major this build writes when unset.
pub fn scheduled_majors(setting: Option<&str>) -> Result<Majors, events::ValidationError> {
    let kind = events::EventKind::ShipmentScheduled;
    match setting {
        Some(list) => Majors::parse(kind, SCHEDULED_MAJORS_VAR, list),
        None => Ok(Majors::all(kind)),
    }
}
