use crate::payloads::*;
use crate::{Envelope, EventError, Metadata, OrderId, OutgoingEvent};
use serde::Serialize;

/// Generates [`SagaEvent`] and [`EventKind`] from one list, so a new event
/// type cannot be half-added.
macro_rules! saga_events {
    ($($variant:ident),* $(,)?) => {
        /// Any saga event, typed.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum SagaEvent {
            $($variant(Envelope<$variant>),)*
        }

        /// The type of a saga event, without its contents.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventKind {
            $($variant,)*
        }

        impl EventKind {
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant,)*];

            pub fn source(self) -> &'static str {
                match self { $(EventKind::$variant => <$variant as Payload>::SOURCE,)* }
            }

            pub fn detail_type(self) -> &'static str {
                match self { $(EventKind::$variant => <$variant as Payload>::DETAIL_TYPE,)* }
            }

            fn raw_schema(self) -> schemars::Schema {
                match self {
                    $(EventKind::$variant => schemars::schema_for!(crate::TypedBusEvent<$variant>),)*
                }
            }
        }

        impl SagaEvent {
            pub fn kind(&self) -> EventKind {
                match self { $(SagaEvent::$variant(_) => EventKind::$variant,)* }
            }

            pub fn metadata(&self) -> &Metadata {
                match self { $(SagaEvent::$variant(e) => &e.metadata,)* }
            }

            pub fn order_id(&self) -> OrderId {
                match self { $(SagaEvent::$variant(e) => e.data.order_id(),)* }
            }

            /// Parses `detail` for the given source and detail type.
            pub fn parse(source: &str, detail_type: &str, detail: serde_json::Value) -> Result<Self, EventError> {
                let kind = EventKind::find(source, detail_type).ok_or_else(|| EventError::UnknownType {
                    event_source: source.to_owned(),
                    detail_type: detail_type.to_owned(),
                })?;
                let detail_error = |error| EventError::Detail { detail_type: detail_type.to_owned(), error };
                Ok(match kind {
                    $(EventKind::$variant => SagaEvent::$variant(serde_json::from_value(detail).map_err(detail_error)?),)*
                })
            }

            /// `detail` as JSON text, as it goes into a PutEvents entry.
            pub fn detail_json(&self) -> String {
                match self { $(SagaEvent::$variant(e) => to_json(e),)* }
            }
        }

        $(
            impl From<Envelope<$variant>> for SagaEvent {
                fn from(e: Envelope<$variant>) -> Self {
                    SagaEvent::$variant(e)
                }
            }
        )*
    };
}

saga_events!(
    OrderPlaced,
    InventoryReserved,
    InventoryReservationFailed,
    InventoryReleased,
    PaymentAuthorized,
    PaymentFailed,
    PaymentRefunded,
    ShipmentScheduled,
    ShipmentFailed,
    OrderConfirmed,
    OrderCancelled,
);

fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serializing these types cannot fail: no maps with non-string keys and
    // no fallible Serialize impls.
    serde_json::to_string(value).unwrap_or_else(|e| unreachable!("event serializes: {e}"))
}

impl EventKind {
    pub fn find(source: &str, detail_type: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.source() == source && k.detail_type() == detail_type)
    }

    /// The JSON Schema of the full event as a rule target receives it, with
    /// its source and detail-type pinned, and keys sorted so the checked-in
    /// files do not depend on serde_json's `preserve_order` feature.
    pub fn schema(self) -> serde_json::Value {
        let mut schema = self.raw_schema().to_value();
        schema["title"] = self.detail_type().into();
        schema["properties"]["source"] = serde_json::json!({ "const": self.source() });
        schema["properties"]["detail-type"] = serde_json::json!({ "const": self.detail_type() });
        sorted(schema)
    }

    /// A file-name friendly name: `Order Placed` → `order-placed`.
    pub fn slug(self) -> String {
        self.detail_type().to_ascii_lowercase().replace(' ', "-")
    }
}

impl SagaEvent {
    pub fn source(&self) -> &'static str {
        self.kind().source()
    }

    pub fn detail_type(&self) -> &'static str {
        self.kind().detail_type()
    }

    pub fn to_outgoing(&self) -> OutgoingEvent {
        OutgoingEvent {
            source: self.source().to_owned(),
            detail_type: self.detail_type().to_owned(),
            detail: self.detail_json(),
            event_id: self.metadata().event_id,
            order_id: self.order_id(),
        }
    }
}

/// The outgoing event a consumer emits in reaction to `cause`: its id is
/// derived from the cause and its detail type comes from the payload type.
pub fn outcome<T>(
    cause: &crate::Metadata,
    data: T,
    now: chrono::DateTime<chrono::Utc>,
) -> OutgoingEvent
where
    T: Payload,
    Envelope<T>: Into<SagaEvent>,
{
    Envelope::caused_by(cause, T::DETAIL_TYPE, data, now)
        .into()
        .to_outgoing()
}
