//! `saga lint` on the project template (this is how `make test` lints
//! infra/template.yaml against events-schema/) and on broken copies of it.

use crate::saga;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn lint(template: &std::path::Path) -> crate::Run {
    saga(&[
        "lint",
        "--template",
        template.to_str().unwrap(),
        "--schema",
        root().join("events-schema").to_str().unwrap(),
    ])
}

/// A copy of infra/template.yaml with `from` replaced by `to` (once).
fn broken(from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(root().join("infra/template.yaml")).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} must occur once");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, text.replace(from, to)).unwrap();
    (dir, path)
}

#[test]
fn the_project_template_passes_saga_lint() {
    let run = lint(&root().join("infra/template.yaml"));
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no gaps"), "{}", run.stdout);
}

#[test]
fn a_rule_narrowed_below_what_its_consumer_accepts_fails_naming_the_gap() {
    let (_dir, path) = broken(
        "detail-type: [Order Placed, Payment Failed, Payment Refunded, Shipment Scheduled]",
        "detail-type: [Order Placed, Payment Failed, Shipment Scheduled]",
    );
    let run = lint(&path);
    assert!(!run.status.success(), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "gap: InventoryFunction accepts Payment Refunded, but no enabled rule targeting InventoryQueue matches it"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 gap(s)"), "{}", run.stdout);
}

#[test]
fn a_removed_rule_leaves_its_consumer_and_its_events_unrouted() {
    // Cut OrdersRule out of the copy: nothing else feeds OrdersQueue.
    let text = std::fs::read_to_string(root().join("infra/template.yaml")).unwrap();
    let start = text.find("\n  OrdersRule:\n").expect("OrdersRule");
    let end = start
        + text[start..]
            .find("\n  InventoryRule:\n")
            .expect("InventoryRule");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();

    let run = lint(&path);
    assert!(!run.status.success(), "{}\n{}", run.stdout, run.stderr);
    for gap in [
        "gap: OrdersConsumerFunction accepts Inventory Released, but no enabled rule targeting OrdersQueue matches it",
        "gap: OrdersConsumerFunction accepts Order Cancelled, but no enabled rule targeting OrdersQueue matches it",
    ] {
        assert!(run.stdout.contains(gap), "{gap}\n{}", run.stdout);
    }
}

#[test]
fn a_content_filter_no_example_satisfies_is_a_rule_matching_nothing() {
    let (_dir, path) = broken(
        r#"minor: [{ numeric: [">=", 100000] }]"#,
        r#"minor: [{ numeric: [">=", 100000000] }]"#,
    );
    let run = lint(&path);
    assert!(!run.status.success(), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("gap: rule HighValueOrdersRule matches none of the example events"),
        "{}",
        run.stdout
    );
}

/// The project template with `extra` appended to its Resources.
fn with_rules(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(root().join("infra/template.yaml")).unwrap();
    let at = text.find("\nOutputs:").expect("an Outputs section");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, format!("{}\n{extra}{}", &text[..at], &text[at..])).unwrap();
    (dir, path)
}

/// A rule on the saga bus matching Order Placed events, with `targets`
/// copies of the orders queue and `extra` after its detail-type.
fn quota_rule(name: &str, extra: &str, targets: usize) -> String {
    let targets: String = (0..targets)
        .map(|i| format!("        - Id: T{i}\n          Arn: !GetAtt OrdersQueue.Arn\n"))
        .collect();
    format!(
        "  {name}:\n    Type: AWS::Events::Rule\n    Properties:\n      EventBusName: !Ref SagaBus\n      \
         EventPattern:\n        source: [shop.orders]\n        detail-type: [Order Placed]\n{extra}      Targets:\n{targets}"
    )
}

// Quotas: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
#[test]
fn a_rule_over_the_pattern_length_and_target_quotas_is_named() {
    let long = format!(
        "        detail:\n          note: [\"{}\"]\n",
        "x".repeat(2048)
    );
    let (_dir, path) = with_rules(&quota_rule("HugeRule", &long, 6));
    let run = lint(&path);
    assert!(!run.status.success(), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("quota: rule HugeRule: EventPattern is 2"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("quota: rule HugeRule: 6 targets, above EventBridge's 5 per rule"),
        "{}",
        run.stdout
    );
    // At the quotas is fine.
    let at_limit = format!(
        "        detail:\n          note: [\"{}\"]\n",
        "x".repeat(1900)
    );
    let (_dir, path) = with_rules(&quota_rule("BigRule", &at_limit, 5));
    let run = lint(&path);
    assert!(!run.stdout.contains("quota:"), "{}", run.stdout);
}

#[test]
fn rules_past_the_per_bus_quotas_are_named() {
    let wildcard = "        detail:\n          orderId: [{wildcard: \"o-*\"}]\n";
    let extra: String = (0..300)
        .map(|i| quota_rule(&format!("Extra{i}"), if i < 31 { wildcard } else { "" }, 1))
        .collect();
    let (_dir, path) = with_rules(&extra);
    let run = lint(&path);
    assert!(!run.status.success(), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "quota: rule Extra30: one wildcard rule too many on bus SagaBus, above EventBridge's 30 rules with wildcards per bus"
        ),
        "{}",
        run.stdout
    );
    let too_many: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("rules per bus"))
        .collect();
    assert_eq!(too_many.len(), 1, "{}", run.stdout);
    assert!(
        too_many[0]
            .contains("one rule too many on bus SagaBus, above EventBridge's 300 rules per bus"),
        "{}",
        run.stdout
    );
}
