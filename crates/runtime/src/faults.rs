//! Seeded fault injection. Each decision is a pure function of the seed,
//! the event's own id (`detail.metadata.eventId`), the consumer and the
//! delivery attempt, so the same seed gives the same schedule of faults
//! whatever the timing of the run.

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Fail,
    Duplicate,
    Delay,
    PublishFail,
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

    pub fn hits(&self, kind: Fault, key: &str, attempt: u32) -> bool {
        let rate = match kind {
            Fault::Fail => self.fail_rate,
            Fault::Duplicate => self.duplicate_rate,
            Fault::PublishFail => self.publish_fail_rate,
            Fault::Delay => return !self.max_delay.is_zero(),
        };
        rate > 0.0 && self.draw(kind, key, attempt) < rate
    }

    pub fn delay(&self, key: &str, attempt: u32) -> Duration {
        self.max_delay
            .mul_f64(self.draw(Fault::Delay, key, attempt))
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
}
