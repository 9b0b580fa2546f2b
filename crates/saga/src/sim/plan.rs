//! What one seed does, as a pure function of the seed: the orders and the
//! path each should take, the catalogue, the fault rates, the poison
//! message, and when the runtime is killed and restarted.

use emulator::Faults;
use inventory::StockItem;
use serde_json::{Value, json};
use std::time::Duration;

/// splitmix64: small, fast, and the same on every platform.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Self {
        Self(seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The ways a saga can end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SagaPath {
    Confirmed,
    OutOfStock,
    UnknownSku,
    PaymentDeclined,
    /// Shipment failed: the payment refunded and the stock released.
    ShipmentCompensated,
}

impl SagaPath {
    pub const ALL: [SagaPath; 5] = [
        SagaPath::Confirmed,
        SagaPath::OutOfStock,
        SagaPath::UnknownSku,
        SagaPath::PaymentDeclined,
        SagaPath::ShipmentCompensated,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SagaPath::Confirmed => "confirmed",
            SagaPath::OutOfStock => "cancelled: out of stock",
            SagaPath::UnknownSku => "cancelled: unknown SKU",
            SagaPath::PaymentDeclined => "cancelled: payment declined, stock released",
            SagaPath::ShipmentCompensated => {
                "cancelled: shipment failed, payment refunded, stock released"
            }
        }
    }

    /// The path an order took, from its stored status and reason code.
    pub fn of(status: &str, reason_code: Option<&str>) -> Option<Self> {
        match (status, reason_code) {
            ("CONFIRMED", None) => Some(SagaPath::Confirmed),
            ("CANCELLED", Some("OUT_OF_STOCK")) => Some(SagaPath::OutOfStock),
            ("CANCELLED", Some("UNKNOWN_SKU")) => Some(SagaPath::UnknownSku),
            ("CANCELLED", Some("PAYMENT_DECLINED")) => Some(SagaPath::PaymentDeclined),
            ("CANCELLED", Some("SHIPMENT_FAILED")) => Some(SagaPath::ShipmentCompensated),
            _ => None,
        }
    }
}

/// The SKU orders compete for: its stock is smaller than the demand, so
/// which orders get it depends on the interleaving, and either outcome is
/// right as long as stock is conserved.
pub const SCARCE_SKU: &str = "MON-27";

#[derive(Debug, Clone)]
pub struct PlannedOrder {
    pub key: String,
    pub body: Value,
    /// The paths this order may take.
    pub expect: Vec<SagaPath>,
    /// Pause before placing it, so orders arrive while others are in flight.
    pub pause: Duration,
    /// Whether the client sends the POST twice with the same key.
    pub resend: bool,
}

#[derive(Debug, Clone)]
pub struct Poison {
    pub queue: String,
    pub body: String,
    /// Sent after this many orders have been placed.
    pub after: usize,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub orders: Vec<PlannedOrder>,
    pub catalogue: Vec<StockItem>,
    pub faults: Faults,
    pub poison: Poison,
    /// Kill the runtime (every task aborted, as `kill -9` would stop it)
    /// after this many orders, and restart it on the same database.
    pub crash_after: Option<usize>,
}

/// Messages no consumer can handle, each a different way of being wrong.
const POISONS: [&str; 5] = [
    "{not json",
    "[]",
    r#"{"version":"0","detail-type":"Order Teleported","source":"shop.orders","detail":{"metadata":{"eventId":"00000000-0000-0000-0000-000000000001"},"data":{}}}"#,
    r#"{"version":"0","detail-type":"Payment Failed","source":"shop.payment","detail":{"metadata":{}}}"#,
    r#"{"version":"0","detail-type":"Order Placed","source":"shop.orders","detail":{"metadata":{"version":1e999}}}"#,
];

fn order_body(rng: &mut Rng, i: usize) -> (Value, Vec<SagaPath>) {
    let mut body = json!({
        "customerId": format!("sim-{}", i % 7),
        "lines": [{"sku": "KB-001", "quantity": 1 + rng.below(3)}],
        "shipTo": {"name": "Sim", "line1": "1 Sim Street", "city": "London", "postalCode": "N1", "country": "GB"},
        "paymentToken": "tok_visa"
    });
    let expect = match rng.below(20) {
        0..=5 => vec![SagaPath::Confirmed],
        6..=9 => {
            body["lines"] = json!([{"sku": SCARCE_SKU, "quantity": 1 + rng.below(2)}, {"sku": "CABLE-USB-C", "quantity": 1}]);
            vec![SagaPath::Confirmed, SagaPath::OutOfStock]
        }
        10..=11 => {
            body["lines"] = json!([{"sku": "MOUSE-002", "quantity": 1}, {"sku": "SOLD-OUT-001", "quantity": 1}]);
            vec![SagaPath::OutOfStock]
        }
        12 => {
            body["lines"] = json!([{"sku": "NOPE-1", "quantity": 1}]);
            vec![SagaPath::UnknownSku]
        }
        13..=15 => {
            if rng.chance(0.5) {
                body["paymentToken"] = json!("tok_declined");
            } else {
                body["lines"] = json!([{"sku": "GOLD-BAR", "quantity": 1}]);
            }
            vec![SagaPath::PaymentDeclined]
        }
        _ => {
            body["shipTo"]["country"] = json!("AQ");
            vec![SagaPath::ShipmentCompensated]
        }
    };
    (body, expect)
}

impl Plan {
    /// `queues` are the consumer queues a poison message may be sent to.
    pub fn new(seed: u64, orders: usize, queues: &[String]) -> Self {
        let mut rng = Rng::new(seed, 1);
        let orders: Vec<PlannedOrder> = (0..orders)
            .map(|i| {
                let (body, expect) = order_body(&mut rng, i);
                PlannedOrder {
                    key: format!("sim-{seed}-{i}"),
                    body,
                    expect,
                    pause: Duration::from_millis(rng.below(4)),
                    resend: rng.chance(0.15),
                }
            })
            .collect();
        let mut catalogue =
            inventory::catalogue::parse(inventory::catalogue::SEED).unwrap_or_default();
        let scarce = u32::try_from(1 + rng.below(4)).unwrap_or(1);
        for item in &mut catalogue {
            if item.sku.as_str() == SCARCE_SKU {
                item.available = scarce;
            }
        }
        let rate = |rng: &mut Rng| *rng.pick(&[0.0, 0.05, 0.15, 0.3]);
        let faults = Faults {
            seed,
            fail_rate: rate(&mut rng),
            duplicate_rate: rate(&mut rng),
            publish_fail_rate: rate(&mut rng),
            reorder_rate: rate(&mut rng),
            max_delay: Duration::from_millis(*rng.pick(&[0, 0, 2, 5])),
            ..Faults::none()
        };
        let n = orders.len();
        let poison = Poison {
            queue: queues
                .get(rng.below(queues.len() as u64) as usize)
                .cloned()
                .unwrap_or_default(),
            body: (*rng.pick(&POISONS)).to_owned(),
            after: rng.below(n as u64 + 1) as usize,
        };
        let crash_after = rng.chance(0.25).then(|| rng.below(n as u64 + 1) as usize);
        Self {
            seed,
            orders,
            catalogue,
            faults,
            poison,
            crash_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_always_gives_the_same_plan() {
        let queues = vec!["A".to_owned(), "B".to_owned()];
        let describe = |p: &Plan| {
            format!(
                "{:?} {:?} {:?} {} {} {} {:?}",
                p.orders
                    .iter()
                    .map(|o| (&o.key, o.body.to_string(), &o.expect, o.pause, o.resend))
                    .collect::<Vec<_>>(),
                p.catalogue,
                (
                    p.faults.fail_rate,
                    p.faults.duplicate_rate,
                    p.faults.publish_fail_rate,
                    p.faults.reorder_rate,
                    p.faults.max_delay
                ),
                p.poison.queue,
                p.poison.body,
                p.poison.after,
                p.crash_after
            )
        };
        assert_eq!(
            describe(&Plan::new(9, 12, &queues)),
            describe(&Plan::new(9, 12, &queues))
        );
        assert_ne!(
            describe(&Plan::new(9, 12, &queues)),
            describe(&Plan::new(10, 12, &queues))
        );
    }

    #[test]
    fn every_path_and_every_poison_is_planned_across_a_few_seeds() {
        let queues = vec!["A".to_owned()];
        let plans: Vec<Plan> = (0..50).map(|s| Plan::new(s, 12, &queues)).collect();
        for path in SagaPath::ALL {
            assert!(
                plans
                    .iter()
                    .any(|p| p.orders.iter().any(|o| o.expect == [path]))
                    || path == SagaPath::Confirmed,
                "{path:?}"
            );
        }
        for poison in POISONS {
            assert!(plans.iter().any(|p| p.poison.body == poison), "{poison}");
        }
        assert!(plans.iter().any(|p| p.crash_after.is_some()));
        assert!(plans.iter().any(|p| p.crash_after.is_none()));
    }
}
