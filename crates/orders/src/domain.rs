//! Pure decisions of the orders service: parsing a `POST /orders` body into
//! a valid [`NewOrder`] (parse, then trust), and the order status machine.

use chrono::{DateTime, Utc};
use events::{
    CountryCode, CustomerId, Envelope, OrderId, OrderLine, OrderPlaced, PaymentToken,
    PromotionCode, Quantity, ShippingAddress, Sku, ValidationError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::fmt;
use thiserror::Error;

/// An order has 1 to 25 lines. A shop basket rarely has more; the bound
/// keeps every order item, outbox item and event far below the DynamoDB item
/// (400 KB) and EventBridge entry (256 KiB) limits.
pub const MAX_LINES: usize = 25;

/// A `POST /orders` body may be at most 16 KiB. The largest valid order
/// (25 lines, every address field at its 200-character limit) is about
/// 3 KiB; anything bigger is refused with 413 before it is parsed.
pub const MAX_BODY_BYTES: usize = platform::http::MAX_BODY_BYTES;

/// The body of `POST /orders`, as the client sends it. Every field is
/// checked into a [`NewOrder`] by [`PlaceOrderRequest::validate`]. Unknown
/// fields are refused, so a client cannot send prices: they come from
/// inventory's catalogue. (No `Debug`: it would print the payment token.)
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlaceOrderRequest {
    pub customer_id: String,
    pub lines: Vec<LineRequest>,
    pub ship_to: AddressRequest,
    pub payment_token: String,
    #[serde(default)]
    pub promotion_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    pub sku: String,
    /// Signed, so that `-1` is refused by [`Quantity`] naming the field
    /// rather than by serde as a type error.
    pub quantity: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressRequest {
    pub name: String,
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub city: String,
    pub postal_code: String,
    pub country: String,
}

/// Idempotency keys are 1 to 255 visible ASCII characters.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A client's `Idempotency-Key`, checked: 1 to [`MAX_IDEMPOTENCY_KEY`]
/// visible ASCII characters. The store keeps it in a record that names the
/// order it placed (key → order, as Powertools for AWS Lambda's idempotency
/// keeps key → result), so the order itself gets a time-ordered id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(key: &str) -> Option<Self> {
        let visible = key.bytes().all(|b| b.is_ascii_graphic());
        ((1..=MAX_IDEMPOTENCY_KEY).contains(&key.len()) && visible).then(|| Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated order, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewOrder {
    pub customer_id: CustomerId,
    pub lines: Vec<OrderLine>,
    pub ship_to: ShippingAddress,
    pub payment_token: PaymentToken,
    pub promotion_code: Option<PromotionCode>,
}

/// Why a `POST /orders` body was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    #[error("the body is {size} bytes; at most {MAX_BODY_BYTES} are accepted")]
    TooLarge { size: usize },
    /// Not JSON at all; the message names the line and column.
    #[error("the body is not valid JSON: {0}")]
    Malformed(String),
    /// JSON, but a field is missing, unknown, of the wrong type or invalid.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// Parses and validates a `POST /orders` body.
pub fn parse_place_order(body: &[u8]) -> Result<NewOrder, RequestError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(RequestError::TooLarge { size: body.len() });
    }
    Ok(PlaceOrderRequest::from_json(body)?.validate()?)
}

impl PlaceOrderRequest {
    /// Deserializes the raw body, naming the offending field by its JSON
    /// path (`lines[1].quantity`) on any shape error. Objects must be JSON
    /// objects: serde would also accept a struct written as an array.
    pub fn from_json(body: &[u8]) -> Result<Self, RequestError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| RequestError::Malformed(e.to_string()))?;
        objects_where_expected(&value)?;
        serde_path_to_error::deserialize(value).map_err(shape_error)
    }

    pub fn validate(self) -> Result<NewOrder, ValidationError> {
        let customer_id = CustomerId::parse(self.customer_id)?;
        let lines = validate_lines(self.lines)?;
        let ship_to = self.ship_to.validate().map_err(|e| e.within("shipTo"))?;
        let payment_token = PaymentToken::parse(self.payment_token)?;
        let promotion_code = self.promotion_code.map(PromotionCode::parse).transpose()?;
        Ok(NewOrder {
            customer_id,
            lines,
            ship_to,
            payment_token,
            promotion_code,
        })
    }
}

fn validate_lines(requested: Vec<LineRequest>) -> Result<Vec<OrderLine>, ValidationError> {
    if requested.is_empty() {
        return Err(ValidationError::new("lines", "must have at least one line"));
    }
    if requested.len() > MAX_LINES {
        return Err(ValidationError::new(
            "lines",
            format!(
                "must have at most {MAX_LINES} lines, got {}",
                requested.len()
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(requested.len());
    for (i, line) in requested.into_iter().enumerate() {
        let at = format!("lines[{i}]");
        let sku = Sku::parse(line.sku).map_err(|e| e.within(&at))?;
        if !seen.insert(sku.clone()) {
            return Err(ValidationError::new(
                format!("{at}.sku"),
                format!("{sku} appears on more than one line; put its total quantity on one line"),
            ));
        }
        let quantity = Quantity::parse(line.quantity).map_err(|e| e.within(&at))?;
        lines.push(OrderLine { sku, quantity });
    }
    Ok(lines)
}

impl AddressRequest {
    fn validate(self) -> Result<ShippingAddress, ValidationError> {
        let address = ShippingAddress {
            name: self.name,
            line1: self.line1,
            line2: self.line2,
            city: self.city,
            postal_code: self.postal_code,
            country: CountryCode::parse(self.country)?,
        };
        address.validate()?;
        Ok(address)
    }
}

fn objects_where_expected(body: &Value) -> Result<(), ValidationError> {
    let object = |value: &Value, path: &str| match value {
        Value::Object(_) => Ok(()),
        _ => Err(ValidationError::new(path, "must be a JSON object")),
    };
    object(body, "$")?;
    if let Some(Value::Array(lines)) = body.get("lines") {
        for (i, line) in lines.iter().enumerate() {
            object(line, &format!("lines[{i}]"))?;
        }
    }
    body.get("shipTo").map_or(Ok(()), |s| object(s, "shipTo"))
}

/// Turns a serde error into a [`RequestError`] naming the field. serde
/// names a missing field only in its message, and the path then points at
/// the object that lacks it, so the name is appended.
fn shape_error(error: serde_path_to_error::Error<serde_json::Error>) -> RequestError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    if !inner.is_data() {
        return RequestError::Malformed(inner.to_string());
    }
    let message = inner.to_string();
    let field = match message.strip_prefix("missing field `") {
        Some(rest) => {
            let name = rest.split('`').next().unwrap_or_default();
            if path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        }
        None if path == "." => "$".to_owned(),
        None => path,
    };
    RequestError::Invalid(ValidationError::new(field, message))
}

impl NewOrder {
    /// SHA-256 (hex) of the validated order in a canonical form (fixed field
    /// order, no whitespace), so an `Idempotency-Key` replay matches however
    /// the client formats its JSON, and any change of content does not.
    pub fn request_hash(&self) -> String {
        let canonical = serde_json::to_vec(self)
            .unwrap_or_else(|e| unreachable!("a validated order serializes: {e}"));
        Sha256::digest(&canonical)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The order's first saga event.
    pub fn placed(&self, order_id: OrderId, now: DateTime<Utc>) -> Envelope<OrderPlaced> {
        Envelope::root(
            order_id,
            OrderPlaced {
                order_id,
                customer_id: self.customer_id.clone(),
                lines: self.lines.clone(),
                ship_to: self.ship_to.clone(),
                payment_token: self.payment_token.clone(),
                promotion_code: self.promotion_code.clone(),
            },
            now,
        )
    }
}

/// PENDING → CONFIRMED | CANCELLED; the final states absorb a repeat of
/// themselves and refuse the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    Pending,
    Confirmed,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "PENDING",
            OrderStatus::Confirmed => "CONFIRMED",
            OrderStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Confirmed, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    pub fn is_final(self) -> bool {
        self != OrderStatus::Pending
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What moving an order from `current` to `to` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The order is pending: change it.
    Apply,
    /// The order is already in that final state: nothing to do, nothing
    /// to emit.
    Absorb,
}

/// A move that contradicts a final state, e.g. Inventory Released for a
/// confirmed order. Never succeeds on retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a {current} order cannot become {to}")]
pub struct Contradiction {
    pub current: OrderStatus,
    pub to: OrderStatus,
}

pub fn step(current: OrderStatus, to: OrderStatus) -> Result<Step, Contradiction> {
    match current {
        OrderStatus::Pending => Ok(Step::Apply),
        _ if current == to => Ok(Step::Absorb),
        _ => Err(Contradiction { current, to }),
    }
}
