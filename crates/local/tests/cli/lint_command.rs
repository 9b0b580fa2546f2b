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
