//! A copy's ids. Those the services derive are derived again from the
//! copy's order id, by the services' own functions: the saga events' ids
//! (`EventId::for_order_placed`, `EventId::derive` along the causation
//! chain), the payment id and the shipment's id and tracking number. The
//! others get a fresh id of the same kind: a UUID v7 keeps its time,
//! moved with the copy; a UUID v8 event id keeps the clustering prefix
//! of its order; any other UUID or id is random.

use chrono::{DateTime, Duration, Utc};
use events::{EventId, OrderId};
use std::collections::HashMap;
use uuid::Uuid;

/// How one event id of the template order was derived.
#[derive(Debug, Clone)]
enum Step {
    Placed {
        id: String,
    },
    Derived {
        id: String,
        cause: String,
        detail_type: String,
    },
}

/// What the template order's derived ids are, found once.
#[derive(Debug, Clone)]
pub struct Derivations {
    order: String,
    steps: Vec<Step>,
    /// The `pay_` id's hex digits, if the order was charged.
    payment: Option<String>,
    /// The shipment's id hex digits and tracking number, if it was booked.
    shipment: Option<(String, String)>,
}

fn payment_hex(order: OrderId) -> String {
    let id = payment::simulated::payment_id(&payment::domain::authorization_key(order));
    id.trim_start_matches("pay_").to_owned()
}

fn shipment_ids(order: OrderId) -> Option<(String, String)> {
    let country = events::CountryCode::parse("GB").ok()?;
    let carrier = shipping::simulated::SimulatedCarrier::new(Default::default());
    match carrier.decide(order, &country) {
        shipping::domain::Booking::Scheduled(s) => Some((
            s.shipment_id.trim_start_matches("shp_").to_owned(),
            s.tracking_number,
        )),
        shipping::domain::Booking::Refused { .. } => None,
    }
}

impl Derivations {
    /// `events`: the order's archived events as (event id, causation id,
    /// detail type), in archive order (a cause before its effects);
    /// `ids`: every id the order's rows hold.
    pub fn find(order: OrderId, events: &[(String, String, String)], ids: &[&str]) -> Self {
        let mut steps = Vec::new();
        let placed = EventId::for_order_placed(order).to_string();
        for (id, cause, detail_type) in events {
            if *id == placed {
                steps.push(Step::Placed { id: id.clone() });
            } else if EventId::parse(cause)
                .is_some_and(|c| EventId::derive(c, detail_type).to_string() == *id)
            {
                steps.push(Step::Derived {
                    id: id.clone(),
                    cause: cause.clone(),
                    detail_type: detail_type.clone(),
                });
            }
        }
        let holds = |wanted: &str| ids.contains(&wanted);
        let payment = Some(payment_hex(order)).filter(|p| holds(p));
        let shipment = shipment_ids(order).filter(|(s, _)| holds(s));
        Self {
            order: order.to_string(),
            steps,
            payment,
            shipment,
        }
    }

    /// The ids of the copy whose order id is `order`.
    pub fn copy(&self, order: OrderId) -> HashMap<String, String> {
        let mut map = HashMap::new();
        map.insert(self.order.clone(), order.to_string());
        for step in &self.steps {
            match step {
                Step::Placed { id } => {
                    map.insert(id.clone(), EventId::for_order_placed(order).to_string());
                }
                Step::Derived {
                    id,
                    cause,
                    detail_type,
                } => {
                    let new = map
                        .get(cause)
                        .and_then(|c| EventId::parse(c))
                        .map(|c| EventId::derive(c, detail_type).to_string());
                    if let Some(new) = new {
                        map.insert(id.clone(), new);
                    }
                }
            }
        }
        if let Some(p) = &self.payment {
            map.insert(p.clone(), payment_hex(order));
        }
        if let (Some((s, t)), Some((ns, nt))) = (&self.shipment, shipment_ids(order)) {
            map.insert(s.clone(), ns);
            map.insert(t.clone(), nt);
        }
        map
    }
}

/// A fresh id shaped like `old`, for the copy of an order moved by `shift`
/// whose id is `order`.
pub fn fresh(old: &str, order: OrderId, shift: Duration) -> String {
    if let Some(hex) = old.strip_prefix("SIM") {
        return format!(
            "SIM{:0width$}",
            rand_u128() % 10u128.pow(12),
            width = hex.len()
        );
    }
    let Ok(uuid) = Uuid::parse_str(old) else {
        return Uuid::from_u128(rand_u128()).simple().to_string();
    };
    let hyphenated = old.len() == 36;
    let new = match uuid.get_version_num() {
        7 => {
            let (secs, nanos) = uuid.get_timestamp().map_or((0, 0), |t| t.to_unix());
            let at =
                DateTime::<Utc>::from_timestamp(secs as i64, nanos).unwrap_or_default() + shift;
            let ts = uuid::Timestamp::from_unix(
                uuid::NoContext,
                at.timestamp().max(0) as u64,
                at.timestamp_subsec_nanos(),
            );
            Uuid::new_v7(ts)
        }
        8 => {
            let mut bytes = Uuid::from_u128(rand_u128()).into_bytes();
            bytes[..6].copy_from_slice(
                &Uuid::parse_str(&order.to_string())
                    .unwrap_or_default()
                    .as_bytes()[..6],
            );
            uuid::Builder::from_custom_bytes(bytes).into_uuid()
        }
        4 => Uuid::new_v4(),
        v => {
            let bytes = Uuid::new_v4().into_bytes();
            let mut b = uuid::Builder::from_bytes(bytes);
            b.set_variant(uuid::Variant::RFC4122);
            b.set_version(match v {
                1 => uuid::Version::Mac,
                3 => uuid::Version::Md5,
                5 => uuid::Version::Sha1,
                6 => uuid::Version::SortMac,
                _ => uuid::Version::Random,
            });
            b.into_uuid()
        }
    };
    if hyphenated {
        new.to_string()
    } else {
        new.simple().to_string()
    }
}

fn rand_u128() -> u128 {
    Uuid::new_v4().as_u128()
}
