//! The rules `saga match` routes with, from a template or a JSON rules file.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use pattern::{Matcher, MatcherBuilder, Pattern};
use serde_json::Value;

use wiring::template::{RuleState, Template};

/// A rule to route with, and where it delivers.
#[derive(Debug, Clone)]
pub struct RoutedRule {
    pub name: String,
    /// Target labels: the logical id of each target's resource.
    pub targets: Vec<String>,
}

/// The rules in matching order, compiled together.
pub struct RuleSet {
    pub rules: Vec<RoutedRule>,
    pub matcher: Matcher<usize>,
    /// Rules present but not routed with (disabled or scheduled).
    pub skipped: Vec<String>,
}

impl RuleSet {
    pub fn from_template(path: &Path) -> anyhow::Result<Self> {
        let template = Template::from_path(path)?;
        let mut entries = Vec::new();
        let mut skipped = Vec::new();
        for rule in template.event_rules()? {
            let Some(pattern) = &rule.event_pattern else {
                skipped.push(format!("{} (schedule only)", rule.logical_id));
                continue;
            };
            if rule.state == RuleState::Disabled {
                skipped.push(format!("{} (disabled)", rule.logical_id));
                continue;
            }
            let pattern = Pattern::from_value(pattern).map_err(|e| {
                anyhow!(
                    "resource {}: EventPattern is not valid: {e}",
                    rule.logical_id
                )
            })?;
            let targets = rule
                .targets
                .iter()
                .map(|t| t.arn.label().to_owned())
                .collect();
            entries.push((
                RoutedRule {
                    name: rule.logical_id,
                    targets,
                },
                pattern,
            ));
        }
        Ok(Self::build(entries, skipped))
    }

    /// Reads `{"RuleName": <pattern object or JSON string>, ...}`; rules are
    /// taken in name order.
    pub fn from_rules_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read rules from {}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        let Value::Object(map) = value else {
            bail!(
                "{} must hold a JSON object of rule name to pattern",
                path.display()
            );
        };
        // Sorted here: serde_json's map keeps file order when another crate
        // of the build turns on its `preserve_order` feature.
        let mut map: Vec<(String, Value)> = map.into_iter().collect();
        map.sort_by(|a, b| a.0.cmp(&b.0));
        let mut entries = Vec::new();
        for (name, pattern) in map {
            let parsed = match &pattern {
                Value::String(text) => Pattern::parse(text),
                other => Pattern::from_value(other),
            }
            .map_err(|e| anyhow!("rule {name}: event pattern is not valid: {e}"))?;
            entries.push((
                RoutedRule {
                    name,
                    targets: Vec::new(),
                },
                parsed,
            ));
        }
        Ok(Self::build(entries, Vec::new()))
    }

    fn build(entries: Vec<(RoutedRule, Pattern)>, skipped: Vec<String>) -> Self {
        let mut builder = MatcherBuilder::new();
        let mut rules = Vec::with_capacity(entries.len());
        for (index, (rule, pattern)) in entries.into_iter().enumerate() {
            builder.add(index, pattern);
            rules.push(rule);
        }
        Self {
            rules,
            matcher: builder.build(),
            skipped,
        }
    }
}
