//! Seeded fault injection. Each decision is a pure function of the seed,
//! the event's own id (`detail.metadata.eventId`), the consumer and the
//! delivery attempt, so the same seed gives the same schedule of faults
//! whatever the timing of the run. What timing still decides is the
//! interleaving of consumers: which of two independent deliveries runs
//! first, and so which batch a message lands in.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub seed: u64,
    /// Probability that a delivery fails before the handler runs.
    pub fail_rate: f64,
    /// Probability that a handled message is not deleted, so it is
    /// delivered again (SQS at-least-once).
    pub duplicate_rate: f64,
    /// Upper bound of a random delay before each delivery.
    pub max_delay: Duration,
    /// Probability that publishing the outcome fails after the handler
    /// committed: a crash between a state change and its publish.
    pub publish_fail_rate: f64,
    /// Probability that a received message is held back (returned to its
    /// queue unhandled, so later messages overtake it), and that a batch
    /// reaches its handler in a shuffled order. EventBridge and standard
    /// SQS queues promise no ordering.
    pub reorder_rate: f64,
    /// How many faults of each kind were injected; shared by clones, so a
    /// caller keeps a handle on the counts of the runtime it started.
    pub injected: Arc<FaultCounts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Fail,
    Duplicate,
    Delay,
    PublishFail,
    Reorder,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::Fail,
        Fault::Duplicate,
        Fault::Delay,
        Fault::PublishFail,
        Fault::Reorder,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::Fail => "handler error",
            Fault::Duplicate => "duplicate delivery",
            Fault::Delay => "delayed delivery",
            Fault::PublishFail => "crash between commit and publish",
            Fault::Reorder => "reordered delivery",
        }
    }
}

/// Injected faults by kind.
#[derive(Debug, Default)]
pub struct FaultCounts([AtomicU64; 5]);

impl FaultCounts {
    fn add(&self, kind: Fault) {
        self.0[kind as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self, kind: Fault) -> u64 {
        self.0[kind as usize].load(Ordering::Relaxed)
    }
}

impl Faults {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn is_active(&self) -> bool {
        self.fail_rate > 0.0
            || self.duplicate_rate > 0.0
            || !self.max_delay.is_zero()
            || self.publish_fail_rate > 0.0
            || self.reorder_rate > 0.0
    }

    /// A number in [0, 1) for this decision.
    fn draw(&self, kind: Fault, key: &str, attempt: u32) -> f64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64 ^ self.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for b in key
            .bytes()
            .chain([kind as u8, 0xff])
            .chain(attempt.to_le_bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // splitmix64 finalizer: FNV alone leaves the high bits poorly mixed.
        h ^= h >> 30;
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 27;
        h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
        h ^= h >> 31;
        (h >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Whether a fault of `kind` strikes this delivery; a hit is counted.
    pub fn hits(&self, kind: Fault, key: &str, attempt: u32) -> bool {
        let rate = match kind {
            Fault::Fail => self.fail_rate,
            Fault::Duplicate => self.duplicate_rate,
            Fault::PublishFail => self.publish_fail_rate,
            Fault::Reorder => self.reorder_rate,
            Fault::Delay => return !self.max_delay.is_zero(),
        };
        let hit = rate > 0.0 && self.draw(kind, key, attempt) < rate;
        if hit && kind != Fault::Delay {
            self.injected.add(kind);
        }
        hit
    }

    pub fn delay(&self, key: &str, attempt: u32) -> Duration {
        let delay = self
            .max_delay
            .mul_f64(self.draw(Fault::Delay, key, attempt));
        if !delay.is_zero() {
            self.injected.add(Fault::Delay);
        }
        delay
    }

    /// Why a received message is not handed to its handler this time, if
    /// a fault says so: a handler error, or a hold-back that lets later
    /// messages overtake it. Either way it returns to its queue.
    pub fn withhold(&self, key: &str, attempt: u32) -> Option<&'static str> {
        if self.hits(Fault::Fail, key, attempt) {
            Some("injected fault: the handler failed")
        } else if self.hits(Fault::Reorder, key, attempt) {
            Some("injected fault: held back, later messages overtake it")
        } else {
            None
        }
    }

    /// Shuffles a batch before its handler sees it, when the reorder fault
    /// strikes the batch (decided by the keys of its messages, so the same
    /// batch is shuffled the same way).
    pub fn reorder<T>(&self, batch: &mut [T], key: impl Fn(&T) -> String) {
        if batch.len() < 2 || self.reorder_rate <= 0.0 {
            return;
        }
        let keys: Vec<String> = batch.iter().map(&key).collect();
        let joined = keys.join("|");
        if !self.hits(Fault::Reorder, &joined, 0) {
            return;
        }
        let mut ranked: Vec<(f64, usize)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (self.draw(Fault::Reorder, k, u32::MAX), i))
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
        let order: Vec<usize> = ranked.into_iter().map(|(_, i)| i).collect();
        apply_permutation(batch, order);
    }
}

/// Puts `batch[order[i]]` at position `i`.
fn apply_permutation<T>(batch: &mut [T], order: Vec<usize>) {
    for i in 0..batch.len() {
        // The element wanted here may already have been swapped away from
        // its position: follow where each earlier swap sent it.
        let mut source = order[i];
        while source < i {
            source = order[source];
        }
        batch.swap(i, source);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_schedule_and_another_seed_another() {
        let a = Faults {
            seed: 7,
            fail_rate: 0.3,
            ..Faults::none()
        };
        let b = Faults {
            seed: 8,
            ..a.clone()
        };
        let schedule = |f: &Faults| {
            (0..200)
                .map(|i| f.hits(Fault::Fail, &format!("e{i}"), 1))
                .collect::<Vec<_>>()
        };
        assert_eq!(schedule(&a), schedule(&a));
        assert_ne!(schedule(&a), schedule(&b));
    }

    #[test]
    fn the_fault_rate_is_respected_roughly() {
        let f = Faults {
            seed: 1,
            fail_rate: 0.25,
            ..Faults::none()
        };
        let hits = (0..10_000)
            .filter(|i| f.hits(Fault::Fail, &i.to_string(), 1))
            .count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
    }

    #[test]
    fn permutations_put_each_element_where_the_order_says() {
        let orders = [
            vec![0, 1, 2, 3],
            vec![3, 2, 1, 0],
            vec![1, 2, 3, 0],
            vec![3, 0, 1, 2],
            vec![2, 0, 3, 1],
            vec![1, 3, 0, 2],
        ];
        for order in orders {
            let mut batch = vec!['a', 'b', 'c', 'd'];
            let want: Vec<char> = order.iter().map(|&i| batch[i]).collect();
            apply_permutation(&mut batch, order.clone());
            assert_eq!(batch, want, "{order:?}");
        }
    }

    #[test]
    fn a_reordered_batch_keeps_its_messages_and_is_counted() {
        let f = Faults {
            seed: 3,
            reorder_rate: 1.0,
            ..Faults::none()
        };
        let mut batch: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
        let before = batch.clone();
        f.reorder(&mut batch, String::clone);
        assert_ne!(batch, before, "shuffled");
        let mut sorted = batch.clone();
        sorted.sort_by_key(|m| m[1..].parse::<u32>().unwrap());
        assert_eq!(sorted, before, "nothing lost or repeated");
        assert_eq!(f.injected.get(Fault::Reorder), 1);
        let mut again = before.clone();
        f.reorder(&mut again, String::clone);
        assert_eq!(again, batch, "the same batch is shuffled the same way");
    }

    #[test]
    fn withheld_deliveries_name_their_fault_and_are_counted_by_kind() {
        let f = Faults {
            seed: 5,
            fail_rate: 0.2,
            reorder_rate: 0.2,
            ..Faults::none()
        };
        let reasons: Vec<_> = (0..1000)
            .filter_map(|i| f.withhold(&format!("e{i}"), 1))
            .collect();
        let failed = reasons.iter().filter(|r| r.contains("failed")).count() as u64;
        let held = reasons.iter().filter(|r| r.contains("held back")).count() as u64;
        assert_eq!(failed, f.injected.get(Fault::Fail));
        assert_eq!(held, f.injected.get(Fault::Reorder));
        assert!(failed > 100 && held > 100, "{failed} {held}");
    }
}
