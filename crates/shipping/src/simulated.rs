//! The default [`Carrier`]: deterministic, no network, refusing the
//! countries it is told it cannot serve (see the crate README).

use crate::domain::{Booking, Shipment};
use crate::ports::{Carrier, CarrierError};
use events::{CountryCode, OrderId, OrderLine, ShippingAddress, ValidationError};
use platform::config::{self, ConfigError};
use std::collections::BTreeSet;
use std::str::FromStr;
use uuid::Uuid;

/// The variable listing the unserved countries, comma-separated.
pub const UNSERVED_VAR: &str = "SHIPPING_UNSERVED_COUNTRIES";
/// The countries refused when [`UNSERVED_VAR`] is not set.
pub const DEFAULT_UNSERVED: &str = "AQ";
/// The carrier name on every simulated shipment.
pub const CARRIER_NAME: &str = "SimPost";

/// Namespace of the simulated shipment ids (UUID v5).
const SHIPMENT_NAMESPACE: Uuid = Uuid::from_u128(0x7368_6970_7069_6e67_7369_6d00_0000_0001);

/// Countries no carrier serves: ISO 3166-1 alpha-2 codes, parsed from a
/// comma-separated list (`"AQ,KP"`; blanks are skipped, so `""` is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnservedCountries(BTreeSet<CountryCode>);

impl FromStr for UnservedCountries {
    type Err = ValidationError;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        list.split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| CountryCode::parse(c.to_ascii_uppercase()))
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl Default for UnservedCountries {
    fn default() -> Self {
        DEFAULT_UNSERVED
            .parse()
            .unwrap_or_else(|e| unreachable!("default is valid: {e}"))
    }
}

impl UnservedCountries {
    pub fn contains(&self, country: &CountryCode) -> bool {
        self.0.contains(country)
    }
}

/// Schedules every shipment except those to an unserved country. The
/// shipment id and tracking number derive from the order id, so asking
/// again for the same order returns the same shipment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimulatedCarrier {
    unserved: UnservedCountries,
}

impl SimulatedCarrier {
    pub fn new(unserved: UnservedCountries) -> Self {
        Self { unserved }
    }

    /// Reads `SHIPPING_UNSERVED_COUNTRIES`, defaulting to `AQ`.
    pub fn from_env() -> Result<Self, ConfigError> {
        config::parsed_or(UNSERVED_VAR, UnservedCountries::default()).map(Self::new)
    }

    /// The rules, as a pure function of the request.
    pub fn decide(&self, order_id: OrderId, country: &CountryCode) -> Booking {
        if self.unserved.contains(country) {
            return Booking::Refused {
                reason: format!("no carrier serves {country}"),
            };
        }
        let id =
            |what: &str| Uuid::new_v5(&SHIPMENT_NAMESPACE, format!("{what}/{order_id}").as_bytes());
        Booking::Scheduled(Shipment {
            shipment_id: format!("shp_{}", id("shipment").simple()),
            carrier: CARRIER_NAME.to_owned(),
            tracking_number: format!("SIM{:012}", id("tracking").as_u128() % 1_000_000_000_000),
        })
    }
}

impl Carrier for SimulatedCarrier {
    async fn schedule(
        &self,
        order_id: OrderId,
        ship_to: &ShippingAddress,
        _lines: &[OrderLine],
    ) -> Result<Booking, CarrierError> {
        Ok(self.decide(order_id, &ship_to.country))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(c: &str) -> CountryCode {
        CountryCode::parse(c).unwrap()
    }

    #[test]
    fn the_unserved_list_is_comma_separated_and_forgiving_about_blanks_and_case() {
        let list: UnservedCountries = " aq, KP ,,".parse().unwrap();
        assert!(list.contains(&country("AQ")) && list.contains(&country("KP")));
        assert!(!list.contains(&country("GB")));
        assert_eq!("".parse::<UnservedCountries>().unwrap().0.len(), 0);
        assert!("Antarctica".parse::<UnservedCountries>().is_err());
    }

    #[test]
    fn the_same_order_always_gets_the_same_shipment_and_tracking_number() {
        let carrier = SimulatedCarrier::default();
        let order = OrderId::for_idempotency_key("k");
        let first = carrier.decide(order, &country("GB"));
        assert_eq!(first, carrier.decide(order, &country("GB")));
        let Booking::Scheduled(shipment) = first else {
            panic!("GB is served");
        };
        assert!(shipment.shipment_id.starts_with("shp_"));
        assert_eq!(shipment.tracking_number.len(), 15);
        let other = carrier.decide(OrderId::for_idempotency_key("other"), &country("GB"));
        assert_ne!(Booking::Scheduled(shipment), other);
    }

    #[test]
    fn an_unset_variable_means_antarctica_is_not_served() {
        let carrier = SimulatedCarrier::from_env().unwrap();
        assert!(matches!(
            carrier.decide(OrderId::for_idempotency_key("k"), &country("AQ")),
            Booking::Refused { .. }
        ));
    }
}
