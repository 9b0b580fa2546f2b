/// Whether trying the same work again can succeed. Drives what a consumer
/// does with a failed message: a retryable failure goes back to the queue;
/// a permanent one is logged as such and still reported as failed, so that
/// after `maxReceiveCount` attempts it lands in the DLQ and is never lost.
pub trait Retryable {
    fn is_retryable(&self) -> bool;
}
