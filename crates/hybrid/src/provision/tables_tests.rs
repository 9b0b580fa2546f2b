//! [`Provisioner::ensure_tables`] against AWS's own DynamoDB Local: the keys and
//! indexes the template declares (CreateTable's `GlobalSecondaryIndexes`
//! and `LocalSecondaryIndexes`,
//! https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html),
//! and a second run that leaves the existing table and its items alone.

use super::*;
use aws_sdk_dynamodb::types::AttributeValue;
use saga_aws_tests::DynamoDbLocal;

const TEMPLATE: &str = r#"
Resources:
  ItemsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - { AttributeName: PK, AttributeType: S }
        - { AttributeName: SK, AttributeType: S }
        - { AttributeName: status, AttributeType: S }
        - { AttributeName: placedAt, AttributeType: N }
      KeySchema:
        - { AttributeName: PK, KeyType: HASH }
        - { AttributeName: SK, KeyType: RANGE }
      BillingMode: PAY_PER_REQUEST
      GlobalSecondaryIndexes:
        - IndexName: byStatus
          KeySchema:
            - { AttributeName: status, KeyType: HASH }
            - { AttributeName: placedAt, KeyType: RANGE }
          Projection:
            ProjectionType: INCLUDE
            NonKeyAttributes: [customerId]
      LocalSecondaryIndexes:
        - IndexName: byPlacedAt
          KeySchema:
            - { AttributeName: PK, KeyType: HASH }
            - { AttributeName: placedAt, KeyType: RANGE }
          Projection: { ProjectionType: KEYS_ONLY }
  NotATable:
    Type: AWS::SQS::Queue
"#;

#[tokio::test]
async fn tables_get_the_templates_keys_and_indexes_and_a_second_run_leaves_them_and_their_items_alone()
 {
    let local = DynamoDbLocal::start();
    let provisioner = Provisioner::new(&local.sdk_config().await);
    let template = Template::from_yaml(TEMPLATE).unwrap();

    let first = provisioner.ensure_tables(&template, "t-").await.unwrap();
    assert_eq!(
        first,
        vec![ProvisionedTable {
            logical_id: "ItemsTable".into(),
            name: "t-ItemsTable".into(),
            created: true,
        }]
    );
    let table = provisioner
        .dynamodb
        .describe_table()
        .table_name("t-ItemsTable")
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let keys = |schema: &[KeySchemaElement]| -> Vec<(String, String)> {
        schema
            .iter()
            .map(|k| {
                (
                    k.attribute_name().to_owned(),
                    k.key_type().as_str().to_owned(),
                )
            })
            .collect()
    };
    let gsi = &table.global_secondary_indexes()[0];
    assert_eq!(gsi.index_name(), Some("byStatus"));
    assert_eq!(
        keys(gsi.key_schema()),
        [
            ("status".into(), "HASH".into()),
            ("placedAt".into(), "RANGE".into())
        ]
    );
    let projection = gsi.projection().unwrap();
    assert_eq!(projection.projection_type(), Some(&ProjectionType::Include));
    assert_eq!(projection.non_key_attributes(), ["customerId"]);
    let lsi = &table.local_secondary_indexes()[0];
    assert_eq!(lsi.index_name(), Some("byPlacedAt"));
    assert_eq!(
        lsi.projection().unwrap().projection_type(),
        Some(&ProjectionType::KeysOnly)
    );

    provisioner
        .dynamodb
        .put_item()
        .table_name("t-ItemsTable")
        .item("PK", AttributeValue::S("ORDER#1".into()))
        .item("SK", AttributeValue::S("ORDER".into()))
        .send()
        .await
        .unwrap();
    let second = provisioner.ensure_tables(&template, "t-").await.unwrap();
    assert!(!second[0].created, "{second:?}");
    let count = provisioner
        .dynamodb
        .scan()
        .table_name("t-ItemsTable")
        .send()
        .await
        .unwrap()
        .count();
    assert_eq!(count, 1, "the item written between the runs is kept");
}
