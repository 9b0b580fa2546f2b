//! EventBridge's numeric model.
//!
//! The "Content filtering in Amazon EventBridge event patterns" user-guide page
//! (section "Numeric matching") says numeric matching works on JSON numbers
//! between -5.0e9 and +5.0e9 inclusive, with 15 digits of precision, i.e. six
//! digits to the right of the decimal point. EventBridge implements that by
//! shifting a number into [0, 1e16] and keeping its integer part (the
//! "ComparableNumber" of aws/event-ruler before it widened to full doubles), so
//! two numbers that differ only after the sixth decimal place are equal. We
//! reproduce that mapping so range boundaries behave exactly as in AWS.

/// Lowest number numeric matching accepts.
pub const NUMERIC_MIN: f64 = -5.0e9;
/// Highest number numeric matching accepts.
pub const NUMERIC_MAX: f64 = 5.0e9;

const SCALE: f64 = 1.0e6;

/// Maps a number onto the ordered integer EventBridge compares, or `None` when
/// it is outside the numeric-matching range (such numbers only ever match by
/// their literal text).
pub(crate) fn comparable(value: f64) -> Option<i64> {
    if !(NUMERIC_MIN..=NUMERIC_MAX).contains(&value) {
        return None;
    }
    // Truncation (not rounding) is what makes "six digits after the point"
    // hold: 0.0000009 and 0 share a key.
    Some((SCALE * (NUMERIC_MAX + value)) as i64)
}

/// A numeric interval; bounds are comparable keys and a flag for inclusivity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub lower: Option<(i64, bool)>,
    pub upper: Option<(i64, bool)>,
}

impl Range {
    /// The range as inclusive bounds: keys are integers, so `> b` is
    /// `>= b + 1`.
    pub(crate) fn inclusive(&self) -> (i64, i64) {
        let low = match self.lower {
            None => i64::MIN,
            Some((bound, inclusive)) => bound.saturating_add(i64::from(!inclusive)),
        };
        let high = match self.upper {
            None => i64::MAX,
            Some((bound, inclusive)) => bound.saturating_sub(i64::from(!inclusive)),
        };
        (low, high)
    }

    pub(crate) fn contains(&self, key: i64) -> bool {
        let above = match self.lower {
            None => true,
            Some((bound, inclusive)) => key > bound || (inclusive && key == bound),
        };
        let below = match self.upper {
            None => true,
            Some((bound, inclusive)) => key < bound || (inclusive && key == bound),
        };
        above && below
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparable_text(text: &str) -> Option<i64> {
        text.parse::<f64>().ok().and_then(comparable)
    }

    #[test]
    fn equal_numbers_written_differently_share_a_key() {
        assert_eq!(comparable_text("300"), comparable_text("3e2"));
        assert_eq!(comparable_text("300"), comparable_text("300.0"));
    }

    #[test]
    fn digits_after_the_sixth_decimal_place_are_ignored() {
        assert_eq!(comparable(0.0000001), comparable(0.0));
        assert_ne!(comparable(0.000001), comparable(0.0));
    }

    #[test]
    fn the_range_limits_are_inclusive() {
        assert!(comparable(5.0e9).is_some());
        assert!(comparable(-5.0e9).is_some());
        assert!(comparable(5.0e9 + 1.0).is_none());
        assert!(comparable(f64::NAN).is_none());
    }

    #[test]
    fn inclusive_bounds_keep_the_range_s_members() {
        let key = |x: f64| comparable(x).expect("in range");
        let range = Range {
            lower: Some((key(0.0), false)),
            upper: Some((key(5000.0), true)),
        };
        let (low, high) = range.inclusive();
        for x in [-1.0, 0.0, 0.000001, 1.0, 4999.999999, 5000.0, 5000.000001] {
            let k = key(x);
            assert_eq!(low <= k && k <= high, range.contains(k), "{x}");
        }
        let open = Range {
            lower: None,
            upper: None,
        };
        assert_eq!(open.inclusive(), (i64::MIN, i64::MAX));
    }
}
