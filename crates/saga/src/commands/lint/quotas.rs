//! `saga lint`'s quota checks: the template's rules against the EventBridge
//! quotas that CloudFormation would otherwise only hit at deploy time
//! (Amazon EventBridge quotas,
//! https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).

use std::collections::BTreeMap;
use std::fmt;

use pattern::Pattern;

use wiring::template::EventRule;

/// An event pattern's length, in characters of its JSON.
pub const MAX_PATTERN_CHARS: usize = 2048;
/// Targets of one rule.
pub const MAX_TARGETS_PER_RULE: usize = 5;
/// Rules of one event bus (the default quota; AWS raises it on request).
pub const MAX_RULES_PER_BUS: usize = 300;
/// Rules of one event bus whose pattern uses wildcards (not adjustable).
pub const MAX_WILDCARD_RULES_PER_BUS: usize = 30;

/// A rule that would exceed a quota, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverQuota {
    PatternTooLong { rule: String, chars: usize },
    TooManyTargets { rule: String, targets: usize },
    TooManyRules { rule: String, bus: String },
    TooManyWildcardRules { rule: String, bus: String },
}

impl fmt::Display for OverQuota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverQuota::PatternTooLong { rule, chars } => write!(
                f,
                "rule {rule}: EventPattern is {chars} characters, above EventBridge's {MAX_PATTERN_CHARS}"
            ),
            OverQuota::TooManyTargets { rule, targets } => write!(
                f,
                "rule {rule}: {targets} targets, above EventBridge's {MAX_TARGETS_PER_RULE} per rule"
            ),
            OverQuota::TooManyRules { rule, bus } => write!(
                f,
                "rule {rule}: one rule too many on bus {bus}, above EventBridge's {MAX_RULES_PER_BUS} rules per bus"
            ),
            OverQuota::TooManyWildcardRules { rule, bus } => write!(
                f,
                "rule {rule}: one wildcard rule too many on bus {bus}, above EventBridge's {MAX_WILDCARD_RULES_PER_BUS} rules with wildcards per bus"
            ),
        }
    }
}

/// Every quota the rules would exceed. Rules over a per-bus quota are
/// named from the first one past it, in template order.
pub fn check(rules: &[EventRule]) -> Vec<OverQuota> {
    let mut found = Vec::new();
    let mut per_bus: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for rule in rules {
        let name = || rule.logical_id.clone();
        if let Some(pattern) = &rule.event_pattern {
            let chars = pattern.to_string().chars().count();
            if chars > MAX_PATTERN_CHARS {
                found.push(OverQuota::PatternTooLong {
                    rule: name(),
                    chars,
                });
            }
        }
        if rule.targets.len() > MAX_TARGETS_PER_RULE {
            found.push(OverQuota::TooManyTargets {
                rule: name(),
                targets: rule.targets.len(),
            });
        }
        let bus = rule.event_bus.as_ref().map_or("default", |b| b.label());
        let (all, wildcard) = per_bus.entry(bus).or_default();
        *all += 1;
        if *all == MAX_RULES_PER_BUS + 1 {
            found.push(OverQuota::TooManyRules {
                rule: name(),
                bus: bus.to_owned(),
            });
        }
        let wild = rule
            .event_pattern
            .as_ref()
            .and_then(|p| Pattern::from_value(p).ok())
            .is_some_and(|p| p.uses_wildcards());
        if wild {
            *wildcard += 1;
            if *wildcard == MAX_WILDCARD_RULES_PER_BUS + 1 {
                found.push(OverQuota::TooManyWildcardRules {
                    rule: name(),
                    bus: bus.to_owned(),
                });
            }
        }
    }
    found
}
