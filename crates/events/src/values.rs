//! Domain values that parse, then can be trusted: an invalid SKU, quantity
//! or address cannot be represented, neither in a request nor in an event.

use crate::ValidationError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a string newtype whose only constructor is `parse`, also used by
/// serde, so deserializing an event validates it.
macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $field:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(text: impl Into<String>) -> Result<Self, ValidationError> {
                let text = text.into();
                let check: fn(&str) -> Result<(), String> = $check;
                check(&text).map_err(|message| ValidationError::new($field, message))?;
                Ok(Self(text))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(text)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fn charset(
    text: &str,
    min: usize,
    max: usize,
    allowed: fn(char) -> bool,
    what: &str,
) -> Result<(), String> {
    let len = text.chars().count();
    if len < min || len > max {
        return Err(format!("must be {min} to {max} characters, got {len}"));
    }
    if let Some(bad) = text.chars().find(|c| !allowed(*c)) {
        return Err(format!("{what}; `{}` is not allowed", bad.escape_default()));
    }
    Ok(())
}

fn printable(text: &str, max: usize) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    charset(
        text,
        1,
        max,
        |c| !c.is_control(),
        "must not contain control characters",
    )
}

text_value!(
    /// A catalogue item: upper-case letters, digits and dashes.
    Sku, "sku",
    |t| charset(t, 1, 32, |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-',
        "must be upper-case letters, digits and `-`")
);
text_value!(
    /// Who placed the order.
    CustomerId, "customerId",
    |t| charset(t, 1, 64, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_',
        "must be letters, digits, `-` and `_`")
);
text_value!(
    /// An ISO 3166-1 alpha-2 country code.
    CountryCode, "country",
    |t| charset(t, 2, 2, |c| c.is_ascii_uppercase(), "must be an upper-case ISO 3166-1 alpha-2 code")
);
text_value!(
    /// An ISO 4217 currency code.
    Currency, "currency",
    |t| charset(t, 3, 3, |c| c.is_ascii_uppercase(), "must be an upper-case ISO 4217 code")
);
text_value!(
    /// A promotion code printed on a voucher.
    PromotionCode, "promotionCode",
    |t| charset(t, 3, 20, |c| c.is_ascii_uppercase() || c.is_ascii_digit(),
        "must be upper-case letters and digits")
);

/// A token standing for the customer's card at the payment gateway. It is
/// never logged: `Debug` prints a redaction.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
pub struct PaymentToken(String);

impl PaymentToken {
    pub fn parse(text: impl Into<String>) -> Result<Self, ValidationError> {
        let text = text.into();
        if !text.starts_with("tok_") {
            return Err(ValidationError::new(
                "paymentToken",
                "must start with `tok_`",
            ));
        }
        charset(
            &text,
            5,
            64,
            |c| c.is_ascii_alphanumeric() || c == '_',
            "must be letters, digits and `_`",
        )
        .map_err(|m| ValidationError::new("paymentToken", m))?;
        Ok(Self(text))
    }

    /// The raw token, for the gateway call only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PaymentToken {
    type Error = ValidationError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(text)
    }
}

impl From<PaymentToken> for String {
    fn from(value: PaymentToken) -> String {
        value.0
    }
}

impl fmt::Debug for PaymentToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PaymentToken(<redacted>)")
    }
}

macro_rules! debug_as_display {
    ($($name:ident),*) => {$(
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    )*};
}
debug_as_display!(Sku, CustomerId, CountryCode, Currency, PromotionCode);

/// How many units of one SKU an order line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    pub const MAX: u32 = 100;

    pub fn parse(n: i64) -> Result<Self, ValidationError> {
        if n < 1 || n > i64::from(Self::MAX) {
            return Err(ValidationError::new(
                "quantity",
                format!("must be between 1 and {}, got {n}", Self::MAX),
            ));
        }
        Ok(Self(n as u32))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Quantity {
    type Error = ValidationError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::parse(i64::from(n))
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

/// An amount in minor units (cents), so money is never a float. EventBridge
/// numeric matching sees `minor` as a plain integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        write!(f, "{sign}{}.{:02} {}", abs / 100, abs % 100, self.currency)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub sku: Sku,
    pub quantity: Quantity,
}

/// A line as inventory priced it from its catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PricedLine {
    pub sku: Sku,
    pub quantity: Quantity,
    pub unit_price: Money,
}

/// Where the order ships. Its `Debug` omits the street, so a full address
/// never reaches a log line.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShippingAddress {
    pub name: String,
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country: CountryCode,
}

impl ShippingAddress {
    pub const MAX_FIELD: usize = 200;

    /// Checks the free-text fields; `country` is checked by its type.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let fields = [
            ("name", Some(&self.name)),
            ("line1", Some(&self.line1)),
            ("line2", self.line2.as_ref()),
            ("city", Some(&self.city)),
            ("postalCode", Some(&self.postal_code)),
        ];
        for (field, value) in fields {
            if let Some(value) = value {
                printable(value, Self::MAX_FIELD).map_err(|m| ValidationError::new(field, m))?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ShippingAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShippingAddress")
            .field("country", &self.country)
            .finish_non_exhaustive()
    }
}

/// Why a step of the saga failed; `code` is what reports group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReasonCode {
    OutOfStock,
    UnknownSku,
    PaymentDeclined,
    ShipmentFailed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub code: ReasonCode,
    pub message: String,
}

impl Reason {
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sku_with_lower_case_letters_is_rejected_naming_the_field() {
        let err = Sku::parse("abc").unwrap_err();
        assert_eq!(err.field, "sku");
    }

    #[test]
    fn quantities_outside_one_to_max_are_rejected() {
        assert!(Quantity::parse(0).is_err());
        assert!(Quantity::parse(-3).is_err());
        assert!(Quantity::parse(101).is_err());
        assert_eq!(Quantity::parse(100).unwrap().get(), 100);
    }

    #[test]
    fn a_payment_token_never_shows_in_debug_output() {
        let token = PaymentToken::parse("tok_visa_4242").unwrap();
        assert!(!format!("{token:?}").contains("4242"));
    }

    #[test]
    fn an_address_debug_output_omits_the_street() {
        let address = ShippingAddress {
            name: "Ada".into(),
            line1: "12 Secret Street".into(),
            line2: None,
            city: "London".into(),
            postal_code: "N1".into(),
            country: CountryCode::parse("GB").unwrap(),
        };
        let shown = format!("{address:?}");
        assert!(!shown.contains("Secret") && !shown.contains("Ada"));
    }

    #[test]
    fn deserializing_an_invalid_country_fails() {
        assert!(serde_json::from_str::<CountryCode>("\"gb\"").is_err());
        assert!(serde_json::from_str::<CountryCode>("\"GB\"").is_ok());
    }

    #[test]
    fn money_displays_in_major_units() {
        let m = Money::new(123_456, Currency::parse("USD").unwrap());
        assert_eq!(m.to_string(), "1234.56 USD");
    }
}
