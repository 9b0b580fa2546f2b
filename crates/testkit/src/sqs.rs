//! SQS messages and batches as a consumer Lambda is invoked with them
//! (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html, "Example
//! standard queue message event").

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage, SqsMessageAttribute};

/// A message with this id and body, and nothing else.
pub fn message(id: &str, body: impl Into<String>) -> SqsMessage {
    Message::new(id, body).build()
}

/// A batch of these messages, in order.
pub fn batch(messages: impl IntoIterator<Item = SqsMessage>) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = messages.into_iter().collect();
    event
}

/// The ids of the messages a batch response reports as failed, in order.
pub fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

/// A message with more than an id and a body.
pub struct Message(SqsMessage);

impl Message {
    pub fn new(id: &str, body: impl Into<String>) -> Self {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.into());
        m.body = Some(body.into());
        Self(m)
    }

    /// Received from the queue of that name (its ARN in
    /// `eventSourceARN`, account 123456789012, us-east-1).
    pub fn from_queue(mut self, queue: &str) -> Self {
        self.0.event_source_arn = Some(format!("arn:aws:sqs:us-east-1:123456789012:{queue}"));
        self
    }

    /// The `ApproximateReceiveCount` system attribute.
    pub fn receive_count(mut self, count: u32) -> Self {
        self.0
            .attributes
            .insert("ApproximateReceiveCount".into(), count.to_string());
        self
    }

    /// A message attribute of type `String`.
    pub fn attribute(mut self, name: &str, value: &str) -> Self {
        let mut a = SqsMessageAttribute::default();
        a.string_value = Some(value.into());
        a.data_type = Some("String".into());
        self.0.message_attributes.insert(name.into(), a);
        self
    }

    pub fn build(self) -> SqsMessage {
        self.0
    }
}
