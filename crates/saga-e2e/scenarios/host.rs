//! The LocalStack these tests start on the host binds nothing but
//! loopback: the gateway, DynamoDB Local's Java server and kinesis-mock's
//! Node server (neither of the last two has a bind-address option; see
//! mk/localstack.mk). Checked from outside, with `ss -ltnp`.

use saga_aws_tests::LocalStack;
use saga_aws_tests::emulators::{is_loopback, listeners};

pub fn every_listener_is_on_loopback() {
    let localstack = LocalStack::get();
    let Some(tree) = localstack.process_tree() else {
        println!(
            "LOCALSTACK_ENDPOINT={}: not started by this process, so its listeners are not checked here",
            localstack.endpoint
        );
        return;
    };
    let found = listeners(&tree);
    let port = localstack.endpoint.rsplit(':').next().expect("a port");
    assert!(
        found
            .iter()
            .any(|(address, _)| address == &format!("127.0.0.1:{port}")),
        "the gateway listens on {}: {found:?}",
        localstack.endpoint
    );
    // The gateway, DynamoDB Local and kinesis-mock (plain and TLS ports):
    // the start-up probe used DynamoDB and its stream, so all run.
    let owners: std::collections::BTreeSet<u32> = found.iter().map(|(_, pid)| *pid).collect();
    assert!(
        owners.len() >= 3,
        "listeners of at least three processes (LocalStack, DynamoDB Local, kinesis-mock): {found:?}"
    );
    let open: Vec<_> = found.iter().filter(|(a, _)| !is_loopback(a)).collect();
    assert!(
        open.is_empty(),
        "listening beyond loopback: {open:?} (all: {found:?})"
    );
}
