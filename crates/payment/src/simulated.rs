//! The default [`PaymentGateway`]: deterministic, no network, with rules a
//! user can trigger on purpose (see the crate README).

use crate::domain::Authorization;
use crate::ports::{GatewayError, PaymentGateway};
use events::{Money, OrderId, PaymentToken};
use platform::config::{self, ConfigError};
use uuid::Uuid;

/// Amounts above this many minor units (5,000.00) are declined.
pub const DEFAULT_DECLINE_OVER_MINOR: i64 = 500_000;
/// The variable that overrides [`DEFAULT_DECLINE_OVER_MINOR`].
pub const DECLINE_OVER_VAR: &str = "PAYMENT_DECLINE_OVER_MINOR";

/// Tokens the simulated gateway always declines, with the reason it gives.
pub const DECLINED_TOKENS: [(&str, &str); 2] = [
    ("tok_declined", "card declined by the issuer"),
    ("tok_insufficient_funds", "insufficient funds"),
];

/// Namespace of the simulated payment ids (UUID v5).
const PAYMENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x7061_796d_656e_7473_696d_0000_0000_0001);

/// Approves every authorization except those over the limit or made with a
/// declining token. Stateless: the payment id derives from the idempotency
/// key, so a repeated call gets the same authorization back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedGateway {
    decline_over_minor: i64,
}

impl Default for SimulatedGateway {
    fn default() -> Self {
        Self::new(DEFAULT_DECLINE_OVER_MINOR)
    }
}

impl SimulatedGateway {
    /// Declines any amount whose minor units exceed `decline_over_minor`.
    pub fn new(decline_over_minor: i64) -> Self {
        Self { decline_over_minor }
    }

    /// Reads the limit from `PAYMENT_DECLINE_OVER_MINOR`, defaulting to
    /// [`DEFAULT_DECLINE_OVER_MINOR`].
    pub fn from_env() -> Result<Self, ConfigError> {
        config::parsed_or(DECLINE_OVER_VAR, DEFAULT_DECLINE_OVER_MINOR).map(Self::new)
    }

    pub fn decline_over_minor(&self) -> i64 {
        self.decline_over_minor
    }

    /// The rules, as a pure function of the request.
    pub fn decide(
        &self,
        idempotency_key: &str,
        amount: &Money,
        token: &PaymentToken,
    ) -> Authorization {
        if let Some((_, reason)) = DECLINED_TOKENS.iter().find(|(t, _)| *t == token.expose()) {
            return Authorization::Declined {
                reason: (*reason).to_owned(),
            };
        }
        if amount.minor > self.decline_over_minor {
            let limit = Money::new(self.decline_over_minor, amount.currency.clone());
            return Authorization::Declined {
                reason: format!("amount {amount} exceeds the limit of {limit}"),
            };
        }
        Authorization::Approved {
            payment_id: payment_id(idempotency_key),
        }
    }
}

/// `pay_` and 32 hex digits, derived from the idempotency key.
pub fn payment_id(idempotency_key: &str) -> String {
    let id = Uuid::new_v5(&PAYMENT_ID_NAMESPACE, idempotency_key.as_bytes());
    format!("pay_{}", id.simple())
}

impl PaymentGateway for SimulatedGateway {
    async fn authorize(
        &self,
        idempotency_key: &str,
        _order_id: OrderId,
        amount: &Money,
        token: &PaymentToken,
    ) -> Result<Authorization, GatewayError> {
        Ok(self.decide(idempotency_key, amount, token))
    }

    async fn refund(
        &self,
        _idempotency_key: &str,
        payment_id: &str,
        _amount: &Money,
    ) -> Result<(), GatewayError> {
        if payment_id.starts_with("pay_") {
            Ok(())
        } else {
            Err(GatewayError::Rejected(format!(
                "no such payment: {payment_id}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use events::Currency;

    fn usd(minor: i64) -> Money {
        Money::new(minor, Currency::parse("USD").unwrap())
    }

    fn token(t: &str) -> PaymentToken {
        PaymentToken::parse(t).unwrap()
    }

    #[test]
    fn the_same_idempotency_key_always_gets_the_same_payment_id() {
        let gateway = SimulatedGateway::default();
        let first = gateway.decide("k1", &usd(100), &token("tok_visa"));
        assert_eq!(first, gateway.decide("k1", &usd(100), &token("tok_visa")));
        assert_ne!(first, gateway.decide("k2", &usd(100), &token("tok_visa")));
    }

    #[test]
    fn the_limit_itself_is_approved_and_one_cent_more_is_declined() {
        let gateway = SimulatedGateway::new(500_000);
        let at = gateway.decide("k", &usd(500_000), &token("tok_visa"));
        assert!(matches!(at, Authorization::Approved { .. }));
        let Authorization::Declined { reason } =
            gateway.decide("k", &usd(500_001), &token("tok_visa"))
        else {
            panic!("over the limit must be declined");
        };
        assert_eq!(
            reason,
            "amount 5000.01 USD exceeds the limit of 5000.00 USD"
        );
    }

    #[test]
    fn insufficient_funds_is_declined_with_its_own_reason() {
        let gateway = SimulatedGateway::default();
        assert_eq!(
            gateway.decide("k", &usd(1), &token("tok_insufficient_funds")),
            Authorization::Declined {
                reason: "insufficient funds".into()
            }
        );
    }

    #[test]
    fn an_unset_limit_variable_means_the_default() {
        // The test process never sets it.
        assert_eq!(
            SimulatedGateway::from_env().unwrap().decline_over_minor(),
            DEFAULT_DECLINE_OVER_MINOR
        );
    }
}
