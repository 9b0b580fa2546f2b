//! The template's rules and targets as the EventBridge API lists them, and
//! `TestEventPattern` with the same pattern engine the bus routes with.

use super::{arn, check_bus, not_found, queue_arn, validation};
use crate::{Api, ApiError};
use emulator::{InputSpec, RuleSpec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub(crate) fn rule_arn(api: &Api, rule: &str) -> String {
    arn(&format!("rule/{}/{rule}", api.emulator.bus_name))
}

/// The rule a name or rule ARN names.
pub(crate) fn find_rule<'a>(api: &'a Api, name: &str) -> Result<&'a RuleSpec, ApiError> {
    api.emulator
        .bus
        .rules()
        .iter()
        .find(|r| r.name == name || rule_arn(api, &r.name) == name)
        .ok_or_else(|| {
            not_found(format!(
                "Rule {name} does not exist on EventBus {}.",
                api.emulator.bus_name
            ))
        })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListRulesInput {
    event_bus_name: Option<String>,
    name_prefix: Option<String>,
    limit: Option<usize>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Rule {
    name: String,
    arn: String,
    event_pattern: String,
    state: &'static str,
    event_bus_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListRulesOutput {
    rules: Vec<Rule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

fn rule(api: &Api, r: &RuleSpec) -> Rule {
    Rule {
        name: r.name.clone(),
        arn: rule_arn(api, &r.name),
        event_pattern: r.event_pattern.clone(),
        state: if r.enabled { "ENABLED" } else { "DISABLED" },
        event_bus_name: api.emulator.bus_name.clone(),
    }
}

/// One page of `items` from the offset `token` holds (a token this API
/// gave out: the index of the next item).
pub(crate) fn page<T>(
    items: Vec<T>,
    limit: Option<usize>,
    token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match token {
        Some(t) => t
            .parse::<usize>()
            .map_err(|_| validation(format!("Parameter NextToken is not valid. Reason: {t} is not a token this endpoint gave out.")))?,
        None => 0,
    };
    let limit = limit.unwrap_or(100).clamp(1, 100);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next = (start + page.len() < total).then(|| (start + page.len()).to_string());
    Ok((page, next))
}

pub(crate) fn list_rules(api: &Api, input: ListRulesInput) -> Result<ListRulesOutput, ApiError> {
    check_bus(api, input.event_bus_name.as_deref())?;
    let mut rules: Vec<Rule> = api
        .emulator
        .bus
        .rules()
        .iter()
        .filter(|r| {
            input
                .name_prefix
                .as_deref()
                .is_none_or(|p| r.name.starts_with(p))
        })
        .map(|r| rule(api, r))
        .collect();
    rules.sort_by(|a, b| a.name.cmp(&b.name));
    let (rules, next_token) = page(rules, input.limit, input.next_token.as_deref())?;
    Ok(ListRulesOutput { rules, next_token })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeRuleInput {
    name: String,
    event_bus_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeRuleOutput {
    #[serde(flatten)]
    rule: Rule,
    created_by: &'static str,
}

pub(crate) fn describe_rule(
    api: &Api,
    input: DescribeRuleInput,
) -> Result<DescribeRuleOutput, ApiError> {
    check_bus(api, input.event_bus_name.as_deref())?;
    Ok(DescribeRuleOutput {
        rule: rule(api, find_rule(api, &input.name)?),
        created_by: emulator::ACCOUNT,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListTargetsByRuleInput {
    rule: String,
    event_bus_name: Option<String>,
    limit: Option<usize>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Target {
    id: String,
    arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_transformer: Option<InputTransformer>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct InputTransformer {
    input_paths_map: BTreeMap<String, String>,
    input_template: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListTargetsByRuleOutput {
    targets: Vec<Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(crate) fn list_targets_by_rule(
    api: &Api,
    input: ListTargetsByRuleInput,
) -> Result<ListTargetsByRuleOutput, ApiError> {
    check_bus(api, input.event_bus_name.as_deref())?;
    let rule = find_rule(api, &input.rule)?;
    let targets = rule
        .targets
        .iter()
        .map(|t| {
            let mut target = Target {
                id: t.id.clone(),
                arn: queue_arn(&t.queue),
                ..Target::default()
            };
            match &t.input {
                InputSpec::Event => {}
                InputSpec::Constant(text) => target.input = Some(text.clone()),
                InputSpec::Path(path) => target.input_path = Some(path.clone()),
                InputSpec::Transformer { paths, template } => {
                    target.input_transformer = Some(InputTransformer {
                        input_paths_map: paths.clone(),
                        input_template: template.clone(),
                    });
                }
            }
            target
        })
        .collect();
    let (targets, next_token) = page(targets, input.limit, input.next_token.as_deref())?;
    Ok(ListTargetsByRuleOutput {
        targets,
        next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TestEventPatternInput {
    event_pattern: String,
    event: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TestEventPatternOutput {
    result: bool,
}

/// The pattern crate's `TestEventPattern`: the pattern judged first, then
/// the event by the one validator the bus also uses, then the match.
pub(crate) fn test_event_pattern(
    input: TestEventPatternInput,
) -> Result<TestEventPatternOutput, ApiError> {
    use pattern::TestEventPatternError as E;
    match pattern::test_event_pattern(&input.event_pattern, &input.event) {
        Ok(result) => Ok(TestEventPatternOutput { result }),
        Err(E::InvalidEventPattern(e)) => Err(ApiError::bad_request(
            "InvalidEventPatternException",
            format!("Event pattern is not valid. Reason: {e}"),
        )),
        Err(E::Validation(e)) => Err(validation(e.to_string())),
    }
}
