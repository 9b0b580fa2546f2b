/// Whether trying the same work again can succeed. Drives what a consumer
/// does with a failed message: a retryable failure goes back to the queue;
/// a permanent one is logged as such and still reported as failed, so that
/// after `maxReceiveCount` attempts it lands in the DLQ and is never lost.
pub trait Retryable {
    fn is_retryable(&self) -> bool;
}

/// An error and every cause under it, `outer: inner: innermost`: what a log
/// line or a dead letter's reason says, where the error's own message names
/// only its level.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
