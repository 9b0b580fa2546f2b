//! `saga schema check` on the project's contracts (this is how `make test`
//! runs the compatibility gate) and `check`/`publish` on changed copies.

use crate::saga;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A copy of events-schema/ whose current Order Placed is changed by `edit`.
fn changed(edit: impl FnOnce(&mut serde_json::Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("events-schema"), dir.path());
    let path = dir.path().join("schemas/order-placed.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut schema);
    std::fs::write(&path, serde_json::to_string_pretty(&schema).unwrap()).unwrap();
    dir
}

fn gate(command: &str, dir: &Path) -> crate::Run {
    saga(&["schema", command, "--dir", dir.to_str().unwrap()])
}

#[test]
fn every_current_contract_of_the_project_is_published_and_passes_the_gate() {
    let run = gate("check", &root().join("events-schema"));
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("shipment-scheduled v2: published as revision"),
        "{}",
        run.stdout
    );
    let unpublished: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| !l.contains(": published as revision"))
        .collect();
    assert!(
        unpublished.is_empty(),
        "run `make schema` to publish: {unpublished:?}"
    );
}

#[test]
fn a_removed_field_fails_the_gate_naming_it_and_publish_writes_nothing() {
    let dir = changed(|s| {
        let data = &mut s["$defs"]["OrderPlaced"];
        data["properties"]
            .as_object_mut()
            .unwrap()
            .remove("paymentToken");
        data["required"] = serde_json::json!(["orderId", "customerId", "lines", "shipTo"]);
    });
    let run = gate("check", dir.path());
    assert!(!run.status.success(), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("order-placed v1: BREAKS revision 1 (FULL):")
            && run
                .stdout
                .contains("detail.data.paymentToken: field removed"),
        "{}",
        run.stdout
    );
    let run = gate("publish", dir.path());
    assert!(!run.status.success());
    assert!(
        run.stderr.contains("a breaking change needs a new major"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("published/order-placed/v1.2.json").exists());
}

#[test]
fn an_added_optional_field_passes_and_publish_records_it_as_the_next_revision() {
    let dir = changed(|s| {
        s["$defs"]["OrderPlaced"]["properties"]["giftWrap"] =
            serde_json::json!({"type": "boolean"});
    });
    let run = gate("check", dir.path());
    assert!(run.status.success(), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("order-placed v1: compatible (FULL) with revision 1 (`saga schema publish` records revision 2)"),
        "{}",
        run.stdout
    );
    let run = gate("publish", dir.path());
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    let revision_2 = dir.path().join("published/order-placed/v1.2.json");
    assert!(run.stdout.contains("published "), "{}", run.stdout);
    let published: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&revision_2).unwrap()).unwrap();
    assert_eq!(
        published["$defs"]["OrderPlaced"]["properties"]["giftWrap"]["type"],
        "boolean"
    );
    assert!(
        dir.path().join("published/order-placed/v1.1.json").exists(),
        "revision 1 kept"
    );
    assert!(
        run.stdout
            .contains("order-placed v1: published as revision 2"),
        "{}",
        run.stdout
    );
}
