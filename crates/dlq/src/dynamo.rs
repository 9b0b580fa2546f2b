//! [`DlqStore`] over DynamoDB: `DLQ#<queue>/MSG#<messageId>` items. A
//! pending letter also carries `pending = "1"` so the pending ones of a
//! queue come from one Query, and all pending ones from a Scan filtered on
//! it (the table only ever holds failures, so it stays small).

use crate::{DeadLetter, DlqStore};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use platform::StoreError;
use platform::dynamo::{Item, get_n, get_s, key, n, s};

#[derive(Clone)]
pub struct DynamoDlqStore {
    client: Client,
    table: String,
}

impl DynamoDlqStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn letter_key(queue: &str, message_id: &str) -> Item {
    key(format!("DLQ#{queue}"), format!("MSG#{message_id}"))
}

fn to_letter(item: &Item) -> Result<DeadLetter, StoreError> {
    let at = get_s(item, "receivedAt")?;
    Ok(DeadLetter {
        queue: get_s(item, "queue")?.to_owned(),
        message_id: get_s(item, "messageId")?.to_owned(),
        body: get_s(item, "body")?.to_owned(),
        error: item.get("error").and_then(|v| v.as_s().ok()).cloned(),
        attempts: u32::try_from(get_n(item, "attempts")?).unwrap_or(0),
        received_at: DateTime::parse_from_rfc3339(at)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| StoreError::Corrupt(format!("receivedAt {at}: {e}")))?,
        redriven_at: None,
    })
}

impl DlqStore for DynamoDlqStore {
    async fn record(&self, l: &DeadLetter) -> Result<(), StoreError> {
        let mut item = letter_key(&l.queue, &l.message_id);
        item.insert("queue".into(), s(&l.queue));
        item.insert("messageId".into(), s(&l.message_id));
        item.insert("body".into(), s(&l.body));
        if let Some(error) = &l.error {
            item.insert("error".into(), s(error));
        }
        item.insert("attempts".into(), n(l.attempts));
        item.insert("receivedAt".into(), s(l.received_at.to_rfc3339()));
        item.insert("pending".into(), s("1"));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Already recorded (SQS delivers at least once): keep the first.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(StoreError::call(e)),
        }
    }

    async fn pending(&self, queue: Option<&str>) -> Result<Vec<DeadLetter>, StoreError> {
        let mut letters = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let page = match queue {
                Some(q) => {
                    let out = self
                        .client
                        .query()
                        .table_name(&self.table)
                        .key_condition_expression("PK = :pk")
                        .filter_expression("attribute_exists(pending)")
                        .expression_attribute_values(":pk", s(format!("DLQ#{q}")))
                        .consistent_read(true)
                        .set_exclusive_start_key(start.take())
                        .send()
                        .await
                        .map_err(StoreError::call)?;
                    (out.items.unwrap_or_default(), out.last_evaluated_key)
                }
                None => {
                    let out = self
                        .client
                        .scan()
                        .table_name(&self.table)
                        .filter_expression("attribute_exists(pending)")
                        .consistent_read(true)
                        .set_exclusive_start_key(start.take())
                        .send()
                        .await
                        .map_err(StoreError::call)?;
                    (out.items.unwrap_or_default(), out.last_evaluated_key)
                }
            };
            for item in &page.0 {
                letters.push(to_letter(item)?);
            }
            match page.1 {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => break,
            }
        }
        letters.sort_by(|a, b| (a.received_at, &a.message_id).cmp(&(b.received_at, &b.message_id)));
        Ok(letters)
    }

    async fn mark_redriven(
        &self,
        queue: &str,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(letter_key(queue, message_id)))
            .update_expression("SET redrivenAt = :at REMOVE pending")
            .expression_attribute_values(":at", AttributeValue::S(at.to_rfc3339()))
            .send()
            .await
            .map_err(StoreError::call)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemOutput};
    use aws_sdk_dynamodb::types::error::ConditionalCheckFailedException;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};

    fn letter() -> DeadLetter {
        DeadLetter {
            queue: "InventoryDLQ".into(),
            message_id: "m1".into(),
            body: "{}".into(),
            error: Some("boom".into()),
            attempts: 5,
            received_at: Utc::now(),
            redriven_at: None,
        }
    }

    #[tokio::test]
    async fn a_letter_is_written_once_under_its_queue_and_marked_pending() {
        let put = mock!(Client::put_item)
            .match_requests(|r| {
                r.condition_expression() == Some("attribute_not_exists(PK)")
                    && r.item().is_some_and(|i| {
                        i["PK"].as_s().is_ok_and(|pk| pk == "DLQ#InventoryDLQ")
                            && i.contains_key("pending")
                    })
            })
            .then_output(|| PutItemOutput::builder().build());
        let store = DynamoDlqStore::new(
            mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&put]),
            "dlq",
        );
        store.record(&letter()).await.unwrap();
        assert_eq!(put.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_letter_delivered_twice_is_not_an_error() {
        let put = mock!(Client::put_item).then_error(|| {
            PutItemError::ConditionalCheckFailedException(
                ConditionalCheckFailedException::builder().build(),
            )
        });
        let store = DynamoDlqStore::new(
            mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&put]),
            "dlq",
        );
        store.record(&letter()).await.unwrap();
    }
}
