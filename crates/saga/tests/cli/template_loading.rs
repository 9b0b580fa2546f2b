//! Reading rules from templates, through the binary and the library.

use wiring::template::{ResourceRef, RuleState, TargetInput, Template};

use crate::{fixture, match_template, saga};

#[test]
fn the_template_loader_reads_rules_targets_and_inputs() {
    let template = Template::from_path(fixture("template.yaml").as_ref()).expect("valid template");
    let rules = template.event_rules().expect("valid rules");
    let names: Vec<&str> = rules.iter().map(|r| r.logical_id.as_str()).collect();
    assert_eq!(
        names,
        [
            "OrdersRule",
            "BigOrderRule",
            "NullPromotionRule",
            "RetiredRule",
            "NightlyRule"
        ]
    );
    let big = &rules[1];
    assert_eq!(big.event_bus, Some(ResourceRef::Ref("SagaBus".to_owned())));
    assert_eq!(big.targets[0].arn.logical_id(), Some("PaymentQueue"));
    assert_eq!(
        big.targets[0].input,
        TargetInput::Path("$.detail".to_owned())
    );
    assert_eq!(big.targets[1].arn.logical_id(), Some("AuditFunction"));
    assert!(matches!(
        big.targets[1].input,
        TargetInput::Transformer { .. }
    ));
    assert_eq!(
        rules[0].targets[0]
            .retry_policy
            .and_then(|p| p.maximum_retry_attempts),
        Some(24)
    );
    assert_eq!(
        rules[2].event_pattern,
        Some(serde_json::json!({"detail": {"promotionCode": [null]}}))
    );
    assert_eq!(rules[3].state, RuleState::Disabled);
    assert_eq!(rules[4].schedule_expression.as_deref(), Some("rate(1 day)"));
}

#[test]
fn an_intrinsic_inside_an_event_pattern_is_an_error_naming_resource_and_property() {
    let run = match_template("template_with_sub_in_pattern.yaml");
    assert!(!run.status.success());
    assert!(run.stderr.contains("resource BadRule"), "{}", run.stderr);
    assert!(
        run.stderr.contains("EventPattern.source.0"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("!Sub"), "{}", run.stderr);
}

#[test]
fn an_invalid_pattern_in_a_template_names_the_rule_and_path() {
    let run = match_template("template_with_invalid_pattern.yaml");
    assert!(!run.status.success());
    assert!(run.stderr.contains("AmountRule"), "{}", run.stderr);
    assert!(run.stderr.contains("detail.amount"), "{}", run.stderr);
}

#[test]
fn unsupported_rule_properties_are_named() {
    let template = Template::from_yaml(
        "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: {source: [a]}\n      Frobnicate: 1\n",
    )
    .expect("valid yaml");
    let error = template
        .event_rules()
        .expect_err("unsupported property")
        .to_string();
    assert!(
        error.contains("resource R") && error.contains("Frobnicate"),
        "{error}"
    );
}

#[test]
fn a_missing_template_file_is_reported() {
    let run = saga(&[
        "match",
        "--template",
        "/nonexistent/template.yaml",
        "--events",
        &fixture("events.jsonl"),
    ]);
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("/nonexistent/template.yaml"),
        "{}",
        run.stderr
    );
}

fn sqs_consumer(event_properties: &str) -> Template {
    Template::from_yaml(&format!(
        "Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: bus
  Q:
    Type: AWS::SQS::Queue
  F:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: inventory-consumer
    Properties:
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
{event_properties}"
    ))
    .expect("valid yaml")
}

#[test]
fn an_sqs_mapping_processes_five_batches_at_once_unless_maximum_concurrency_caps_it() {
    let pollers = |template: &Template| {
        let saga = runtime::load(template).expect("valid wiring");
        saga.wiring.consumers[0].pollers()
    };
    assert_eq!(pollers(&sqs_consumer("")), 5);
    let capped = "            ScalingConfig:\n              MaximumConcurrency: 2\n";
    assert_eq!(pollers(&sqs_consumer(capped)), 2);
    let high = "            ScalingConfig:\n              MaximumConcurrency: 50\n";
    assert_eq!(pollers(&sqs_consumer(high)), 5);
}

#[test]
fn an_out_of_range_maximum_concurrency_or_an_unknown_sqs_property_is_named() {
    let error = |extra: &str| {
        sqs_consumer(extra)
            .functions()
            .expect_err("refused")
            .to_string()
    };
    let one = error("            ScalingConfig:\n              MaximumConcurrency: 1\n");
    assert!(
        one.contains("resource F") && one.contains("ScalingConfig.MaximumConcurrency"),
        "{one}"
    );
    assert!(one.contains("2 to 1000"), "{one}");
    let window = error("            MaximumBatchingWindowInSeconds: 5\n");
    assert!(
        window.contains("resource F") && window.contains("MaximumBatchingWindowInSeconds"),
        "{window}"
    );
}
