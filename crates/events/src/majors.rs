//! Which majors of a contract a producer writes: the setting that opens and
//! closes a transition window (`1,2` while consumers move to major 2, then
//! `2`).

use crate::{EventKind, ValidationError};
use std::fmt;

/// A non-empty list of majors of one event type, each one this build can
/// write, oldest first, without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Majors {
    kind: EventKind,
    majors: Vec<u32>,
}

impl Majors {
    /// Every major of `kind` this build knows: the transition window.
    pub fn all(kind: EventKind) -> Self {
        Self {
            kind,
            majors: kind.majors().to_vec(),
        }
    }

    /// A comma-separated list (`"1,2"`), checked against the majors `kind`
    /// has; `field` names the setting in the error.
    pub fn parse(kind: EventKind, field: &str, list: &str) -> Result<Self, ValidationError> {
        let mut majors = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let major: u32 = item.parse().map_err(|_| {
                ValidationError::new(field, format!("`{item}` is not a major version number"))
            })?;
            if !kind.majors().contains(&major) {
                return Err(ValidationError::new(
                    field,
                    format!(
                        "`{}` has no major {major} (it has {:?})",
                        kind.detail_type(),
                        kind.majors()
                    ),
                ));
            }
            if !majors.contains(&major) {
                majors.push(major);
            }
        }
        if majors.is_empty() {
            return Err(ValidationError::new(field, "names no major version"));
        }
        majors.sort_unstable();
        Ok(Self { kind, majors })
    }

    pub fn kind(&self) -> EventKind {
        self.kind
    }

    pub fn as_slice(&self) -> &[u32] {
        &self.majors
    }
}

impl fmt::Display for Majors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<String> = self.majors.iter().map(u32::to_string).collect();
        f.write_str(&list.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_known_majors_parses_sorted_without_repeats() {
        let m = Majors::parse(EventKind::ShipmentScheduled, "X", " 2, 1,2 ").unwrap();
        assert_eq!(m.as_slice(), [1, 2]);
        assert_eq!(m.to_string(), "1,2");
    }

    #[test]
    fn a_major_the_type_does_not_have_is_refused_naming_the_setting_and_the_type() {
        let err = Majors::parse(
            EventKind::ShipmentScheduled,
            "SHIPMENT_SCHEDULED_MAJORS",
            "3",
        )
        .unwrap_err();
        assert_eq!(err.field, "SHIPMENT_SCHEDULED_MAJORS");
        assert!(err.message.contains("Shipment Scheduled"), "{err}");
        assert!(Majors::parse(EventKind::OrderPlaced, "X", "2").is_err());
        assert!(Majors::parse(EventKind::OrderPlaced, "X", "").is_err());
        assert!(Majors::parse(EventKind::OrderPlaced, "X", "one").is_err());
    }
}
