use crate::DeadLetter;
use chrono::{DateTime, Utc};
use platform::StoreError;
use std::future::Future;

pub trait DlqStore: Send + Sync {
    /// Records a dead letter; recording the same (queue, message id) again
    /// keeps the first record.
    fn record(&self, letter: &DeadLetter) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Dead letters not yet redriven, oldest first, of one queue or all.
    fn pending(
        &self,
        queue: Option<&str>,
    ) -> impl Future<Output = Result<Vec<DeadLetter>, StoreError>> + Send;

    fn mark_redriven(
        &self,
        queue: &str,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
