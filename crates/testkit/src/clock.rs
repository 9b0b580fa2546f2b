//! A fixed instant for the handlers' `now`, so what a test asserts (event
//! times, idempotency-record expiries) does not depend on when it runs.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

/// 2026-11-22T09:00:00Z, the morning of the example events.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0)
        .single()
        .expect("a valid instant")
}

/// [`now`] plus `seconds`: a step later in the same saga.
pub fn seconds_later(seconds: i64) -> DateTime<Utc> {
    now() + TimeDelta::seconds(seconds)
}
