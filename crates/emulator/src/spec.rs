//! The emulated resources as plain data: the bus, its rules and targets,
//! the queues and their redrive policies, the archive. The embedded
//! backend (crates/runtime) reads them from the template; the emulator
//! knows nothing of YAML, nor of what the events mean.

use crate::transform::InputSpec;
use pattern::Pattern;
use std::collections::BTreeSet;
use std::time::Duration;
use thiserror::Error;

/// Everything the emulator runs.
#[derive(Debug, Clone)]
pub struct Resources {
    pub bus_name: String,
    pub rules: Vec<RuleSpec>,
    pub queues: Vec<QueueSpec>,
    /// An archive of every event put on the bus (the template's
    /// `AWS::Events::Archive` without an event pattern).
    pub archive: Option<ArchiveSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveSpec {
    pub name: String,
    /// `RetentionDays` as AWS reads it: 0 (or absent) keeps events
    /// indefinitely.
    pub retention_days: u32,
}

impl ArchiveSpec {
    /// What the runtime enforces, if anything.
    pub fn retention(&self) -> Option<crate::Retention> {
        crate::Retention::days(self.retention_days)
    }
}

#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub name: String,
    pub pattern: Pattern,
    /// The pattern as the template wrote it, as JSON text (what
    /// `DescribeRule` answers).
    pub event_pattern: String,
    pub enabled: bool,
    pub targets: Vec<TargetSpec>,
}

#[derive(Debug, Clone)]
pub struct TargetSpec {
    pub id: String,
    /// Logical id of the target queue.
    pub queue: String,
    pub input: InputSpec,
}

#[derive(Debug, Clone)]
pub struct QueueSpec {
    pub name: String,
    pub visibility_timeout: Duration,
    pub redrive: Option<Redrive>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redrive {
    pub dead_letter_queue: String,
    pub max_receive_count: u32,
}

/// A resource naming a queue the resources do not define.
#[derive(Debug, Error)]
#[error("{what} names queue {queue}, which is not defined")]
pub struct UnknownQueue {
    pub what: String,
    pub queue: String,
}

impl Resources {
    /// Fails naming the first rule target or redrive policy whose queue
    /// is not defined.
    pub fn check(&self) -> Result<(), UnknownQueue> {
        let known = self.queue_names();
        for rule in &self.rules {
            for t in &rule.targets {
                check_queue(
                    &known,
                    || format!("rule {} target {}", rule.name, t.id),
                    &t.queue,
                )?;
            }
        }
        for q in &self.queues {
            if let Some(r) = &q.redrive {
                check_queue(
                    &known,
                    || format!("queue {} redrive policy", q.name),
                    &r.dead_letter_queue,
                )?;
            }
        }
        Ok(())
    }

    pub fn queue_names(&self) -> BTreeSet<&str> {
        self.queues.iter().map(|q| q.name.as_str()).collect()
    }
}

/// Whether `queue` is among `known`, else an error naming `what`.
pub fn check_queue(
    known: &BTreeSet<&str>,
    what: impl FnOnce() -> String,
    queue: &str,
) -> Result<(), UnknownQueue> {
    if known.contains(queue) {
        Ok(())
    } else {
        Err(UnknownQueue {
            what: what(),
            queue: queue.to_owned(),
        })
    }
}
