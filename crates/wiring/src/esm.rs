//! Lambda's SQS event source mapping rules, written once for both
//! backends: what becomes of a batch once its function has answered. The
//! embedded backend's pollers (crates/emulator's `Worker`, through
//! crates/runtime) and the hybrid backend's (crates/hybrid's `Poller`)
//! both call [`settle`], so they cannot drift apart again (the embedded
//! worker used to fail a whole batch where Lambda deletes it).
//!
//! The rules, from "Handling errors for an SQS event source in Lambda"
//! (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html,
//! section "Implementing partial batch responses") and the partial batch
//! response example
//! (https://docs.aws.amazon.com/lambda/latest/dg/example_serverless_SQS_Lambda_batch_item_failures_section.html):
//!
//! - a function error (an exception, a crash, a timeout) fails the whole
//!   batch: every message becomes visible again, whatever the mapping's
//!   `FunctionResponseTypes`;
//! - a function that returns normally, on a mapping without
//!   `ReportBatchItemFailures`, succeeded: Lambda deletes the whole batch,
//!   and any `batchItemFailures` in its answer are not read;
//! - with `ReportBatchItemFailures`, only the messages the answer lists
//!   come back; an empty or absent list is a complete success;
//! - an answer Lambda cannot use as a partial batch response is a complete
//!   failure: an `itemIdentifier` that is empty, null, or not the id of a
//!   message of the batch.

use platform::sqs::FailedMessage;
use std::collections::BTreeSet;

/// How the function's invocation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// The function failed (an error returned to the runtime, a panic, a
    /// timeout). The saga's consumers report every failure per message,
    /// so this is what a crash of the invocation is.
    Failed(String),
    /// The function returned; these are the `batchItemFailures` it
    /// reported (empty for a complete success), with why, which the
    /// backends keep for the dead letter a message may become.
    Returned(Vec<FailedMessage>),
}

/// The messages of `batch` (their ids, as received) that go back to the
/// queue, each with the error kept for it; every other message of the
/// batch is deleted.
pub fn settle(
    batch: &[&str],
    invocation: Invocation,
    report_batch_item_failures: bool,
) -> Vec<(String, String)> {
    let all = |error: &str| {
        batch
            .iter()
            .map(|id| ((*id).to_owned(), error.to_owned()))
            .collect()
    };
    let failures = match invocation {
        Invocation::Failed(error) => return all(&format!("the function failed: {error}")),
        Invocation::Returned(failures) => failures,
    };
    if failures.is_empty() {
        return Vec::new();
    }
    if !report_batch_item_failures {
        tracing::warn!(
            reported = failures.len(),
            "the function reported failed messages, but its event source mapping does not \
             ReportBatchItemFailures: as Lambda does, the whole batch is deleted"
        );
        return Vec::new();
    }
    let ids: BTreeSet<&str> = batch.iter().copied().collect();
    if let Some(bad) = failures
        .iter()
        .find(|f| f.message_id.is_empty() || !ids.contains(f.message_id.as_str()))
    {
        let error = format!(
            "the function reported itemIdentifier {:?}, which is not a message of its batch: \
             Lambda fails the whole batch",
            bad.message_id
        );
        tracing::error!("{error}");
        return all(&error);
    }
    failures
        .into_iter()
        .map(|f| (f.message_id, f.error))
        .collect()
}

#[cfg(test)]
mod tests {
    //! Each case of
    //! https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
    //! ("Implementing partial batch responses").
    use super::*;

    const BATCH: [&str; 3] = ["a", "b", "c"];

    fn failed(id: &str) -> FailedMessage {
        FailedMessage {
            message_id: id.to_owned(),
            error: format!("{id} failed"),
        }
    }

    fn ids(retry: &[(String, String)]) -> Vec<&str> {
        retry.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn a_function_error_retries_the_whole_batch_with_or_without_report_batch_item_failures() {
        for report in [false, true] {
            let retry = settle(&BATCH, Invocation::Failed("panicked".into()), report);
            assert_eq!(ids(&retry), BATCH);
            assert!(
                retry.iter().all(|(_, e)| e.contains("panicked")),
                "{retry:?}"
            );
        }
    }

    #[test]
    fn a_normal_return_without_report_batch_item_failures_deletes_the_whole_batch_even_with_failures_listed()
     {
        let reported = Invocation::Returned(vec![failed("b")]);
        assert!(settle(&BATCH, reported, false).is_empty());
        assert!(settle(&BATCH, Invocation::Returned(Vec::new()), false).is_empty());
    }

    #[test]
    fn with_report_batch_item_failures_only_the_listed_messages_are_retried_with_their_errors() {
        let retry = settle(
            &BATCH,
            Invocation::Returned(vec![failed("a"), failed("c")]),
            true,
        );
        assert_eq!(
            retry,
            [
                ("a".to_owned(), "a failed".to_owned()),
                ("c".to_owned(), "c failed".to_owned())
            ]
        );
    }

    #[test]
    fn with_report_batch_item_failures_an_empty_list_is_a_complete_success() {
        assert!(settle(&BATCH, Invocation::Returned(Vec::new()), true).is_empty());
    }

    #[test]
    fn an_item_identifier_not_in_the_batch_fails_the_whole_batch() {
        let retry = settle(&BATCH, Invocation::Returned(vec![failed("zzz")]), true);
        assert_eq!(ids(&retry), BATCH);
        assert!(retry[0].1.contains("\"zzz\""), "{retry:?}");
    }

    #[test]
    fn an_empty_item_identifier_fails_the_whole_batch() {
        let retry = settle(
            &BATCH,
            Invocation::Returned(vec![failed("a"), failed("")]),
            true,
        );
        assert_eq!(ids(&retry), BATCH);
    }
}
