//! Which majors of each event type a consumer reads: every major its build
//! knows, unless its function's environment narrows a type
//! (`READS_SHIPMENT_SCHEDULED_MAJORS: "1"`). A consumer built after a new
//! major then behaves as one deployed before it existed, and a team can
//! move its consumer to the new major on its own schedule.

use crate::{EventError, EventKind, Majors, SagaEvent, ValidationError};

const PREFIX: &str = "READS_";
const SUFFIX: &str = "_MAJORS";

/// The majors a consumer reads, per event type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// The narrowed types only, at most one entry per type; every other
    /// type is read in every major this build knows.
    narrowed: Vec<Majors>,
}

/// What a consumer does with one copy of an event, once it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Handle,
    /// Skipped without failing: the same event (same id) was also
    /// published in `read_as`, a major this consumer reads, and that copy
    /// reaches it too.
    Skip {
        read_as: u32,
    },
}

impl Reads {
    /// Every major of every type this build knows.
    pub const fn all() -> Self {
        Self {
            narrowed: Vec::new(),
        }
    }

    /// The setting that narrows `kind`: `READS_SHIPMENT_SCHEDULED_MAJORS`.
    pub fn var(kind: EventKind) -> String {
        let name = kind.detail_type().to_ascii_uppercase().replace(' ', "_");
        format!("{PREFIX}{name}{SUFFIX}")
    }

    /// The `READS_<TYPE>_MAJORS` settings among a function's environment
    /// variables (other variables are not looked at). A setting naming no
    /// event type, or a major its type does not have, is an error naming
    /// the variable and what is wrong with it.
    pub fn from_env<I, K, V>(vars: I) -> Result<Self, ValidationError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut reads = Self::default();
        for (name, value) in vars {
            let name = name.as_ref();
            if !(name.starts_with(PREFIX) && name.ends_with(SUFFIX)) {
                continue;
            }
            let kind = EventKind::ALL
                .iter()
                .copied()
                .find(|&k| Self::var(k) == name)
                .ok_or_else(|| {
                    let known: Vec<String> = EventKind::ALL.iter().map(|&k| Self::var(k)).collect();
                    ValidationError::new(
                        name,
                        format!("names no event type (one of {})", known.join(", ")),
                    )
                })?;
            reads
                .narrowed
                .push(Majors::parse(kind, name, value.as_ref())?);
        }
        Ok(reads)
    }

    /// The majors of `kind` this consumer reads.
    pub fn majors(&self, kind: EventKind) -> &[u32] {
        self.narrowed
            .iter()
            .find(|m| m.kind() == kind)
            .map_or(kind.majors(), Majors::as_slice)
    }

    /// Whether this consumer handles `event`, skips it (another copy of it
    /// in a major it reads reaches it too), or refuses it: a major it does
    /// not read, with no copy it does read, is an error naming the type and
    /// the version, which dead-letters the message after its retries.
    pub fn reading(&self, event: &SagaEvent) -> Result<Reading, EventError> {
        let reads = self.majors(event.kind());
        let m = event.metadata();
        let handles_this = reads.contains(&m.version);
        let other_copy = m
            .also_published_as
            .iter()
            .copied()
            .filter(|&other| reads.contains(&other) && (!handles_this || other > m.version))
            .max();
        match (other_copy, handles_this) {
            (Some(read_as), _) => Ok(Reading::Skip { read_as }),
            (None, true) => Ok(Reading::Handle),
            (None, false) => Err(EventError::UnknownVersion {
                detail_type: event.detail_type().to_owned(),
                version: u64::from(m.version),
                known: reads.to_vec(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment(version: u32, also: &[u32]) -> SagaEvent {
        let path = format!(
            "{}/../../events-schema/examples/{}",
            env!("CARGO_MANIFEST_DIR"),
            EventKind::ShipmentScheduled.file_name(version)
        );
        let mut bus = crate::BusEvent::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        bus.detail["metadata"]["alsoPublishedAs"] = serde_json::json!(also);
        bus.into_saga().unwrap()
    }

    fn v1_only() -> Reads {
        Reads::from_env([("READS_SHIPMENT_SCHEDULED_MAJORS", "1"), ("PATH", "/bin")]).unwrap()
    }

    #[test]
    fn unset_every_major_of_the_build_is_read_and_a_setting_narrows_its_type_only() {
        let kind = EventKind::ShipmentScheduled;
        assert_eq!(Reads::var(kind), "READS_SHIPMENT_SCHEDULED_MAJORS");
        assert_eq!(Reads::all().majors(kind), [1, 2]);
        assert_eq!(v1_only().majors(kind), [1]);
        assert_eq!(v1_only().majors(EventKind::OrderPlaced), [1]);
    }

    #[test]
    fn a_setting_naming_no_type_or_a_major_its_type_lacks_is_refused_naming_the_variable() {
        let err = Reads::from_env([("READS_SHIPMENT_SCHEDULE_MAJORS", "1")]).unwrap_err();
        assert_eq!(err.field, "READS_SHIPMENT_SCHEDULE_MAJORS");
        assert!(
            err.message.contains("READS_SHIPMENT_SCHEDULED_MAJORS"),
            "{err}"
        );
        let err = Reads::from_env([("READS_SHIPMENT_SCHEDULED_MAJORS", "1,3")]).unwrap_err();
        assert_eq!(err.field, "READS_SHIPMENT_SCHEDULED_MAJORS");
        assert!(err.message.contains("has no major 3"), "{err}");
        let err = Reads::from_env([("READS_ORDER_PLACED_MAJORS", "v1")]).unwrap_err();
        assert!(
            err.message.contains("`v1` is not a major version number"),
            "{err}"
        );
        assert!(Reads::from_env([("READS_ORDER_PLACED_MAJORS", " ")]).is_err());
    }

    #[test]
    fn a_consumer_of_major_1_only_handles_the_major_1_copy_and_skips_the_major_2_copy() {
        assert_eq!(
            v1_only().reading(&shipment(1, &[2])).unwrap(),
            Reading::Handle
        );
        assert_eq!(
            v1_only().reading(&shipment(2, &[1])).unwrap(),
            Reading::Skip { read_as: 1 }
        );
    }

    #[test]
    fn a_consumer_of_both_majors_handles_the_major_2_copy_and_skips_the_major_1_copy() {
        assert_eq!(
            Reads::all().reading(&shipment(1, &[2])).unwrap(),
            Reading::Skip { read_as: 2 }
        );
        assert_eq!(
            Reads::all().reading(&shipment(2, &[1])).unwrap(),
            Reading::Handle
        );
        assert_eq!(
            Reads::all().reading(&shipment(1, &[])).unwrap(),
            Reading::Handle
        );
    }

    #[test]
    fn a_major_the_consumer_does_not_read_with_no_copy_it_reads_is_refused_naming_it() {
        let err = v1_only().reading(&shipment(2, &[])).unwrap_err();
        assert!(
            matches!(err, EventError::UnknownVersion { version: 2, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "`Shipment Scheduled` version 2 is not a major this consumer reads (it reads version 1)"
        );
        assert!(v1_only().reading(&shipment(2, &[3])).is_err());
    }
}
