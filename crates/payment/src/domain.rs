//! Pure payment decisions: what an authorization or a refund turns into,
//! as a record to store and the events to emit. No I/O.

use chrono::{DateTime, Utc};
use events::{
    Envelope, InventoryReserved, Money, OrderId, OrderLine, OutgoingEvent, PaymentAuthorized,
    PaymentFailed, PaymentRefunded, Reason, ReasonCode, ShipmentFailed, outcome,
};

/// The gateway's answer to an authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    Approved {
        payment_id: String,
    },
    /// `reason` is shown to people (it ends up in the order's cancellation).
    Declined {
        reason: String,
    },
}

/// Where an order's payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    Authorized,
    Declined,
    Refunded,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Authorized => "AUTHORIZED",
            PaymentStatus::Declined => "DECLINED",
            PaymentStatus::Refunded => "REFUNDED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Authorized, Self::Declined, Self::Refunded]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// The payment of one order, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// The gateway's id of the authorization; `None` when it was declined.
    pub payment_id: Option<String>,
    pub amount: Money,
    pub status: PaymentStatus,
}

/// The idempotency key of an order's authorization. Derived from the order,
/// not from the delivery: every attempt for one order is the same charge to
/// the gateway, so a retry after a crash can never charge twice.
pub fn authorization_key(order: OrderId) -> String {
    format!("order-{order}-authorize")
}

/// The idempotency key of an order's refund.
pub fn refund_key(order: OrderId) -> String {
    format!("order-{order}-refund")
}

/// What the gateway's answer to an Inventory Reserved turns into: the
/// record to store and Payment Authorized or Payment Failed.
pub fn authorization_outcome(
    cause: &Envelope<InventoryReserved>,
    authorization: Authorization,
    now: DateTime<Utc>,
) -> (PaymentRecord, Vec<OutgoingEvent>) {
    let data = &cause.data;
    let amount = data.amount.clone();
    match authorization {
        Authorization::Approved { payment_id } => {
            let authorized = PaymentAuthorized {
                order_id: data.order_id,
                payment_id: payment_id.clone(),
                amount: amount.clone(),
                lines: data
                    .lines
                    .iter()
                    .map(|l| OrderLine {
                        sku: l.sku.clone(),
                        quantity: l.quantity,
                    })
                    .collect(),
                ship_to: data.ship_to.clone(),
            };
            let record = PaymentRecord {
                payment_id: Some(payment_id),
                amount,
                status: PaymentStatus::Authorized,
            };
            (record, vec![outcome(&cause.metadata, authorized, now)])
        }
        Authorization::Declined { reason } => {
            let failed = PaymentFailed {
                order_id: data.order_id,
                amount: amount.clone(),
                reason: Reason::new(ReasonCode::PaymentDeclined, reason),
            };
            let record = PaymentRecord {
                payment_id: None,
                amount,
                status: PaymentStatus::Declined,
            };
            (record, vec![outcome(&cause.metadata, failed, now)])
        }
    }
}

/// Payment Refunded for a refunded payment, carrying the shipment's failure
/// reason so inventory can pass it on to the order's cancellation.
pub fn refund_outcome(
    cause: &Envelope<ShipmentFailed>,
    payment_id: &str,
    amount: &Money,
    now: DateTime<Utc>,
) -> Vec<OutgoingEvent> {
    let refunded = PaymentRefunded {
        order_id: cause.data.order_id,
        payment_id: payment_id.to_owned(),
        amount: amount.clone(),
        reason: cause.data.reason.clone(),
    };
    vec![outcome(&cause.metadata, refunded, now)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_stored_text() {
        for s in [
            PaymentStatus::Authorized,
            PaymentStatus::Declined,
            PaymentStatus::Refunded,
        ] {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PaymentStatus::parse("PENDING"), None);
    }

    #[test]
    fn authorization_and_refund_keys_differ_and_depend_only_on_the_order() {
        let order = OrderId::for_idempotency_key("k");
        assert_eq!(authorization_key(order), authorization_key(order));
        assert_ne!(authorization_key(order), refund_key(order));
        assert_ne!(
            authorization_key(order),
            authorization_key(OrderId::for_idempotency_key("other"))
        );
    }
}
