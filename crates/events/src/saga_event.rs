use crate::payloads::*;
use crate::{Envelope, EventError, Metadata, OrderId, OutgoingEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

            /// The majors of this type's contract this build reads.
            pub fn majors(self) -> &'static [u32] {
                match self { $(EventKind::$variant => <$variant as Payload>::MAJORS,)* }
            }

            fn wire_schema(self, major: u32) -> schemars::Schema {
                match self { $(EventKind::$variant => <$variant as Payload>::wire_schema(major),)* }
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
                Ok(match kind {
                    $(EventKind::$variant => SagaEvent::$variant(read_envelope(detail)?),)*
                })
            }

            /// `detail` as JSON text, as it goes into a PutEvents entry.
            pub fn detail_json(&self) -> String {
                match self { $(SagaEvent::$variant(e) => write_envelope(e),)* }
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

/// Reads `detail` as a `T`, after checking that it declares a major of
/// `T`'s contract this build reads. Fields it does not know are ignored, at
/// every depth (a tolerant reader: producers add optional fields before
/// their consumers know them); every field it reads is validated by its
/// type.
fn read_envelope<T: Payload>(detail: Value) -> Result<Envelope<T>, EventError> {
    let detail_error = |error| EventError::Detail {
        detail_type: T::DETAIL_TYPE.to_owned(),
        error,
    };
    let declared = detail
        .get("metadata")
        .and_then(|m| m.get("version"))
        .and_then(Value::as_u64);
    if let Some(version) = declared
        && !T::MAJORS.iter().any(|&m| u64::from(m) == version)
    {
        return Err(EventError::UnknownVersion {
            detail_type: T::DETAIL_TYPE.to_owned(),
            version,
            known: T::MAJORS.to_vec(),
        });
    }
    if T::MAJORS.len() == 1 {
        return serde_json::from_value(detail).map_err(detail_error);
    }
    #[derive(Deserialize)]
    struct Raw {
        metadata: Metadata,
        data: Value,
    }
    let raw: Raw = serde_json::from_value(detail).map_err(detail_error)?;
    let data = T::read(raw.metadata.version, raw.data).map_err(detail_error)?;
    Ok(Envelope {
        metadata: raw.metadata,
        data,
    })
}

/// `detail` in the major its metadata declares.
fn write_envelope<T: Payload>(e: &Envelope<T>) -> String {
    match e.data.write(e.metadata.version) {
        Some(data) => to_json(&serde_json::json!({ "metadata": e.metadata, "data": data })),
        None => to_json(e),
    }
}

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

    /// The JSON Schema of the full event in `major` as a rule target
    /// receives it, with its source, detail-type and major pinned, and keys
    /// sorted so the checked-in files do not depend on serde_json's
    /// `preserve_order` feature.
    pub fn schema(self, major: u32) -> serde_json::Value {
        let mut schema = self.wire_schema(major).to_value();
        schema["title"] = self.detail_type().into();
        schema["$defs"]["Metadata"]["properties"]["version"] =
            serde_json::json!({ "const": major, "type": "integer" });
        schema["properties"]["source"] = serde_json::json!({ "const": self.source() });
        schema["properties"]["detail-type"] = serde_json::json!({ "const": self.detail_type() });
        sorted(schema)
    }

    /// The major a producer writes unless told otherwise: the newest.
    pub fn newest_major(self) -> u32 {
        self.majors().last().copied().unwrap_or(1)
    }

    /// The file of `major`'s schema (in `events-schema/schemas`) and
    /// example (in `events-schema/examples`): `order-placed.json` for
    /// major 1, `shipment-scheduled.v2.json` for a later one.
    pub fn file_name(self, major: u32) -> String {
        match major {
            1 => format!("{}.json", self.slug()),
            _ => format!("{}.v{major}.json", self.slug()),
        }
    }

    /// A file-name friendly name: `Order Placed` → `order-placed`.
    pub fn slug(self) -> String {
        self.detail_type().to_ascii_lowercase().replace(' ', "-")
    }
}

impl SagaEvent {
    /// Whether this copy of a dual-published event is one this build skips:
    /// the same event was also published in a newer major this build reads,
    /// and that copy is the one to handle. Handling both would confirm an
    /// order once and publish its recorded outcome a second time.
    pub fn superseded(&self) -> bool {
        self.superseded_for(self.kind().majors())
    }

    /// [`Self::superseded`] for a consumer reading the majors `reads`: one
    /// that reads only this copy's major (a build from before the newer
    /// one) handles it.
    pub fn superseded_for(&self, reads: &[u32]) -> bool {
        let m = self.metadata();
        m.also_published_as
            .iter()
            .any(|&other| other > m.version && reads.contains(&other))
    }

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

/// The outgoing event a consumer emits in reaction to `cause`, in the
/// newest major of its contract: its id is derived from the cause and its
/// detail type comes from the payload type.
pub fn outcome<T>(
    cause: &crate::Metadata,
    data: T,
    now: chrono::DateTime<chrono::Utc>,
) -> OutgoingEvent
where
    T: Payload + Clone,
    Envelope<T>: Into<SagaEvent>,
{
    let newest = T::MAJORS.last().copied().unwrap_or(1);
    outcome_in(cause, data, now, &[newest])
        .pop()
        .unwrap_or_else(|| unreachable!("one major asked for, one event"))
}

/// [`outcome`] written once in each of `majors`, all with the same event
/// id: how a producer publishes both majors of a contract during a
/// transition window. A consumer that reads several of them handles the
/// first copy and dedupes the others on the id.
pub fn outcome_in<T>(
    cause: &crate::Metadata,
    data: T,
    now: chrono::DateTime<chrono::Utc>,
    majors: &[u32],
) -> Vec<OutgoingEvent>
where
    T: Payload + Clone,
    Envelope<T>: Into<SagaEvent>,
{
    majors
        .iter()
        .map(|&major| {
            let mut envelope = Envelope::caused_by(cause, T::DETAIL_TYPE, data.clone(), now);
            envelope.metadata.version = major;
            envelope.metadata.also_published_as =
                majors.iter().copied().filter(|&m| m != major).collect();
            envelope.into().to_outgoing()
        })
        .collect()
}
