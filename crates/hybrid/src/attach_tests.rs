//! [`attach`] against moto (an emulator nobody here wrote, answering as
//! AWS does): resources the provisioner created are found under the same
//! names, and a bus, queue or rule target that is not there is an error
//! naming it. Against `saga run`'s own APIs it runs in the scenario suite
//! (crates/saga-e2e, `saga_run` backend).

use super::*;
use crate::Provisioner;
use saga_aws_tests::{Moto, Tools};

fn template() -> Template {
    Template::from_path(&Tools::get().root.join("infra/template.yaml")).expect("template parses")
}

/// A fresh moto with the template provisioned into it under `prefix`.
async fn provisioned(prefix: &str) -> (Moto, aws_config::SdkConfig, StackNames) {
    let moto = Moto::start(Tools::get());
    let config = moto.sdk_config().await;
    let names = Provisioner::new(&config)
        .provision(&template(), prefix)
        .await
        .expect("provisioned");
    (moto, config, names)
}

/// The names the provisioner gave what [`attach`] looks up (every type
/// but the tables), sorted.
fn delivery(names: &StackNames) -> Vec<(String, String, String)> {
    let mut found: Vec<_> = names
        .stack_resources
        .iter()
        .filter(|r| r.resource_type != "AWS::DynamoDB::Table")
        .map(|r| {
            (
                r.resource_type.clone(),
                r.logical_resource_id.clone(),
                r.physical_resource_id.clone(),
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn the_resources_the_provisioner_created_are_found_under_the_same_names() {
    let (_moto, config, created) = provisioned("p-").await;
    let found = attach(&config, &template(), "p-").await.expect("found");
    assert_eq!(delivery(&found), delivery(&created));
    assert!(
        delivery(&found)
            .iter()
            .any(|(t, id, name)| t == "AWS::Events::Rule"
                && id == "InventoryRule"
                && name == "p-InventoryRule"),
        "{found:?}"
    );
    assert_eq!(found.bus("SagaBus").unwrap(), "p-ordersaga");
    assert_eq!(found.archive("SagaArchive").unwrap(), "p-ordersaga-archive");
}

#[tokio::test]
async fn a_bus_or_queue_the_endpoint_lacks_is_an_error_naming_it_that_no_retry_fixes() {
    let moto = Moto::start(Tools::get());
    let config = moto.sdk_config().await;
    let template = template();
    let err = attach(&config, &template, "").await.unwrap_err();
    assert!(
        matches!(&err, AttachError::Missing { resource_type: "AWS::Events::EventBus", logical_id, name, .. }
            if logical_id == "SagaBus" && name == "ordersaga"),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    let names = Provisioner::new(&config)
        .provision(&template, "")
        .await
        .expect("provisioned");
    let sqs = aws_sdk_sqs::Client::new(&config);
    sqs.delete_queue()
        .queue_url(names.queue_url("InventoryDLQ").unwrap())
        .send()
        .await
        .expect("DeleteQueue");
    let err = attach(&config, &template, "").await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(
            "the endpoint has no AWS::SQS::Queue InventoryDLQ (looked up as InventoryDLQ)"
        ),
        "{message}"
    );
    assert!(!err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn a_rule_that_does_not_deliver_to_its_queue_is_refused_naming_both() {
    let (_moto, config, names) = provisioned("").await;
    let template = template();
    let events = aws_sdk_eventbridge::Client::new(&config);
    events
        .remove_targets()
        .rule("InventoryRule")
        .event_bus_name("ordersaga")
        .ids("InventoryQueue")
        .send()
        .await
        .expect("RemoveTargets");
    let err = attach(&config, &template, "").await.unwrap_err();
    let AttachError::Target {
        rule, queue, arn, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        (rule.as_str(), queue.as_str()),
        ("InventoryRule", "InventoryQueue")
    );
    let url = names.queue_url("InventoryQueue").unwrap();
    assert!(arn.ends_with(":InventoryQueue") && !url.is_empty(), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn an_endpoint_that_does_not_answer_is_an_error_a_retry_may_fix() {
    let port = saga_aws_tests::tools::free_port();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    let err = attach(&config, &template(), "").await.unwrap_err();
    assert!(
        matches!(&err, AttachError::Call { logical_id, .. } if logical_id == "SagaBus"),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(
        std::error::Error::source(&err).is_some(),
        "the SDK's error is kept"
    );
}
