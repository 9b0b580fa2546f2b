//! Any bytes as the SQS event a consumer Lambda is invoked with: it parses
//! or is rejected; a parsed batch goes through the shared batch handling,
//! which hands every message that is a saga event to the handler and
//! reports every other one as failed, by its own id, never both or neither.
#![no_main]

use aws_lambda_events::event::sqs::SqsEvent;
use libfuzzer_sys::fuzz_target;
use std::cell::Cell;
use std::sync::OnceLock;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().expect("tokio"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(batch) = serde_json::from_slice::<SqsEvent>(data) else {
        return;
    };
    let records = batch.records.len();
    let handled = Cell::new(0usize);
    let failed = runtime().block_on(platform::sqs::process_batch_detailed(&events::Reads::all(), batch, |_event| {
        handled.set(handled.get() + 1);
        async { Ok::<_, platform::StoreError>(()) }
    }));
    assert_eq!(handled.get() + failed.len(), records, "every message handled or failed, once");
});
