//! `saga lint`: the template's rules checked against the saga's event
//! contracts, with the real pattern engine, before anything runs.
//!
//! * Every event type a service emits is matched by at least one enabled
//!   rule. A service emits the event types whose source is its own: the
//!   source is fixed by the event's payload type (`events` crate), and the
//!   functions' IAM roles only let each service publish with its own source.
//! * Every rule matches at least one example event of `events-schema/examples`.
//! * Every consumer's rules deliver each event type its handler accepts (the
//!   service crate's `ACCEPTS`, which its dispatch goes by).
//!
//! "Matched" means the rule's pattern matches an example event of that type,
//! so content filters are judged on real event shapes, not on the pattern's
//! text.

mod quotas;

use anyhow::Context;
use clap::Args;
use events::{BusEvent, EventKind};
use pattern::Pattern;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use thiserror::Error;
use wiring::ConsumerSpec;
use wiring::template::{RuleState, Template, TemplateError};

#[derive(Debug, Args)]
pub struct LintArgs {
    /// The SAM template whose rules and consumers to check.
    #[arg(long, default_value = "infra/template.yaml")]
    pub template: PathBuf,
    /// The event contracts: a folder with `examples/*.json`, one full
    /// EventBridge event per file.
    #[arg(long, default_value = "events-schema")]
    pub schema: PathBuf,
}

/// One example event, parsed and validated against its type.
#[derive(Debug, Clone)]
pub struct Example {
    pub file: String,
    pub kind: EventKind,
    /// The event as JSON text: rules are matched against the bytes, as the
    /// bus matches what is put on it.
    pub event: String,
}

impl Example {
    fn matched_by(&self, rule: &Rule) -> bool {
        rule.pattern
            .matches_json(self.event.as_bytes())
            .unwrap_or(false)
    }
}

#[derive(Debug, Error)]
pub enum LintError {
    #[error("reading {path}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{file} is not a valid saga event: {reason}")]
    InvalidExample { file: String, reason: String },
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// A rule of the template, whatever its targets: a rule into the data lake
/// counts as routing an event as much as one into a consumer's queue.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub enabled: bool,
    pub pattern: Pattern,
    /// The SQS queues it targets.
    pub queues: Vec<String>,
}

/// Every `AWS::Events::Rule` of the template, with the queues the local
/// wiring gives it.
pub fn rules(template: &Template, saga: &runtime::Saga) -> Result<Vec<Rule>, LintError> {
    let mut out = Vec::new();
    for rule in template.event_rules()? {
        let invalid = |reason: String| TemplateError::InvalidProperty {
            resource: rule.logical_id.clone(),
            property: "EventPattern".into(),
            reason,
        };
        let pattern = rule
            .event_pattern
            .as_ref()
            .ok_or_else(|| invalid("is required".into()))?;
        let pattern = Pattern::from_value(pattern).map_err(|e| invalid(e.to_string()))?;
        let queues = saga
            .resources
            .rules
            .iter()
            .filter(|r| r.name == rule.logical_id)
            .flat_map(|r| r.targets.iter().map(|t| t.queue.clone()))
            .collect();
        out.push(Rule {
            enabled: !matches!(rule.state, RuleState::Disabled),
            name: rule.logical_id,
            pattern,
            queues,
        });
    }
    Ok(out)
}

/// A way the template and the contracts disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// An event type with no example cannot be checked at all.
    NoExample { kind: EventKind },
    /// A service emits this event type but no enabled rule matches it.
    Unrouted {
        kind: EventKind,
        examples: Vec<String>,
    },
    /// A rule that matches no example event.
    RuleMatchesNothing { rule: String },
    /// A consumer accepts this event type but no rule feeding its queue
    /// delivers it.
    NotDelivered {
        function: String,
        queue: String,
        kind: EventKind,
    },
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gap::NoExample { kind } => write!(
                f,
                "{} has no example event (examples/{}.json), so no rule can be checked against it",
                kind.detail_type(),
                kind.slug()
            ),
            Gap::Unrouted { kind, examples } => write!(
                f,
                "{} emits {}, but no enabled rule matches it ({})",
                kind.source(),
                kind.detail_type(),
                examples.join(", ")
            ),
            Gap::RuleMatchesNothing { rule } => {
                write!(f, "rule {rule} matches none of the example events")
            }
            Gap::NotDelivered {
                function,
                queue,
                kind,
            } => write!(
                f,
                "{function} accepts {}, but no enabled rule targeting {queue} matches it",
                kind.detail_type()
            ),
        }
    }
}

/// Every `*.json` in `dir`, in file-name order, each parsed into its typed
/// saga event (so an example that drifted from its contract is an error).
pub fn load_examples(dir: &Path) -> Result<Vec<Example>, LintError> {
    let io = |source| LintError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
    paths.sort();
    paths.iter().map(|path| example(path)).collect()
}

fn example(path: &Path) -> Result<Example, LintError> {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let text = std::fs::read_to_string(path).map_err(|source| LintError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let invalid = |reason: String| LintError::InvalidExample {
        file: file.clone(),
        reason,
    };
    let saga = BusEvent::from_json(&text)
        .and_then(BusEvent::into_saga)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(Example {
        file,
        kind: saga.kind(),
        event: text,
    })
}

/// The gaps between the template's rules and consumers and the contracts.
pub fn check(rules: &[Rule], consumers: &[ConsumerSpec], examples: &[Example]) -> Vec<Gap> {
    let enabled = || rules.iter().filter(|r| r.enabled);
    let of_kind = |kind: EventKind| examples.iter().filter(move |e| e.kind == kind);
    let mut gaps = Vec::new();
    for &kind in EventKind::ALL {
        if of_kind(kind).next().is_none() {
            gaps.push(Gap::NoExample { kind });
            continue;
        }
        if !of_kind(kind).any(|e| enabled().any(|r| e.matched_by(r))) {
            gaps.push(Gap::Unrouted {
                kind,
                examples: of_kind(kind).map(|e| e.file.clone()).collect(),
            });
        }
    }
    for rule in rules {
        if !examples.iter().any(|e| e.matched_by(rule)) {
            gaps.push(Gap::RuleMatchesNothing {
                rule: rule.name.clone(),
            });
        }
    }
    for consumer in consumers {
        let Some(accepts) = consumer.handler.accepts() else {
            continue;
        };
        let feeding: Vec<_> = enabled()
            .filter(|r| r.queues.contains(&consumer.queue))
            .collect();
        // A kind without an example is reported once, as NoExample.
        for &kind in accepts.iter().filter(|k| of_kind(**k).next().is_some()) {
            if !of_kind(kind).any(|e| feeding.iter().any(|r| e.matched_by(r))) {
                gaps.push(Gap::NotDelivered {
                    function: consumer.function.clone(),
                    queue: consumer.queue.clone(),
                    kind,
                });
            }
        }
    }
    gaps
}

pub fn run(args: &LintArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let template = Template::from_path(&args.template)?;
    let saga =
        runtime::load(&template).with_context(|| format!("wiring {}", args.template.display()))?;
    let examples = load_examples(&args.schema.join("examples"))?;
    let rules = rules(&template, &saga)?;
    let gaps = check(&rules, &saga.wiring.consumers, &examples);
    for gap in &gaps {
        writeln!(out, "gap: {gap}")?;
    }
    let over_quota = quotas::check(&template.event_rules()?);
    for finding in &over_quota {
        writeln!(out, "quota: {finding}")?;
    }
    writeln!(
        out,
        "{}: {} rules, {} queue event sources, {} event types, {} examples: {}",
        args.template.display(),
        rules.len(),
        saga.wiring.consumers.len(),
        EventKind::ALL.len(),
        examples.len(),
        match (gaps.len(), over_quota.len()) {
            (0, 0) => "no gaps".to_owned(),
            (n, 0) => format!("{n} gap(s)"),
            (n, q) => format!("{n} gap(s), {q} rule(s) over an EventBridge quota"),
        }
    )?;
    Ok(if gaps.is_empty() && over_quota.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    fn project() -> (Vec<Rule>, Vec<ConsumerSpec>, Vec<Example>) {
        let template = Template::from_path(&root().join("infra/template.yaml")).unwrap();
        let saga = runtime::load(&template).unwrap();
        (
            rules(&template, &saga).unwrap(),
            saga.wiring.consumers,
            load_examples(&root().join("events-schema/examples")).unwrap(),
        )
    }

    #[test]
    fn the_project_template_has_no_gaps() {
        let (rules, consumers, examples) = project();
        assert_eq!(check(&rules, &consumers, &examples), vec![]);
    }

    #[test]
    fn a_disabled_rule_delivers_nothing_to_its_consumer() {
        let (mut rules, consumers, examples) = project();
        for rule in &mut rules {
            rule.enabled &= rule.name != "ShippingRule";
        }
        let gaps = check(&rules, &consumers, &examples);
        assert_eq!(
            gaps,
            vec![Gap::NotDelivered {
                function: "ShippingFunction".into(),
                queue: "ShippingQueue".into(),
                kind: EventKind::PaymentAuthorized,
            }]
        );
        assert_eq!(
            gaps[0].to_string(),
            "ShippingFunction accepts Payment Authorized, but no enabled rule targeting ShippingQueue matches it"
        );
    }

    #[test]
    fn an_event_type_no_enabled_rule_matches_is_unrouted() {
        let (mut rules, _, examples) = project();
        // Disable every rule that routes Order Confirmed: the orders queue's
        // rule (and a catch-all into the data lake, when the template has
        // one), the only ones carrying inventory's failures and the orders
        // service's own outcomes.
        for rule in &mut rules {
            rule.enabled &= rule
                .pattern
                .matches_json(br#"{"source": "shop.orders", "detail-type": "Order Confirmed", "detail": {"metadata": {"version": 1}}}"#)
                == Ok(false);
        }
        let unrouted: Vec<String> = check(&rules, &[], &examples)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            unrouted,
            [
                "shop.inventory emits Inventory Reservation Failed, but no enabled rule matches it (inventory-reservation-failed.json)",
                "shop.inventory emits Inventory Released, but no enabled rule matches it (inventory-released.json)",
                "shop.orders emits Order Confirmed, but no enabled rule matches it (order-confirmed.json)",
                "shop.orders emits Order Cancelled, but no enabled rule matches it (order-cancelled.json)",
            ]
        );
    }

    #[test]
    fn an_event_type_without_an_example_is_a_gap() {
        let (rules, consumers, mut examples) = project();
        examples.retain(|e| e.kind != EventKind::OrderCancelled);
        assert_eq!(
            check(&rules, &consumers, &examples),
            vec![Gap::NoExample {
                kind: EventKind::OrderCancelled
            }]
        );
    }

    #[test]
    fn an_example_that_breaks_its_contract_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(root().join("events-schema/examples/order-placed.json"))
            .unwrap()
            .replace("\"quantity\": 1", "\"quantity\": 0");
        std::fs::write(dir.path().join("bad-order.json"), text).unwrap();
        let err = load_examples(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("bad-order.json") && err.contains("quantity"),
            "{err}"
        );
    }
}
