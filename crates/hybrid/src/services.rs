//! Every service's DynamoDB store on the stack's tables, the simulated
//! gateway and carrier configured from the functions' environment in the
//! template, and the dispatch from a function to the entry point its
//! `bootstrap` calls.

use crate::names::{NamesError, StackNames};
use aws_lambda_events::event::sqs::SqsEvent;
use dlq::dynamo::DynamoDlqStore;
use inventory::dynamo::DynamoInventoryStore;
use orders::DynamoOrderStore;
use payment::{DynamoPaymentStore, SimulatedGateway};
use platform::eventbridge::EventBridgePublisher;
use platform::sqs::FailedMessage;
use shipping::{DynamoShipmentStore, SimulatedCarrier};
use thiserror::Error;
use wiring::template::Template;
use wiring::{ConsumerHandler, Wiring};

#[derive(Debug, Error)]
pub enum ServicesError {
    #[error(transparent)]
    Names(#[from] NamesError),
    #[error("no function of the template has the environment variable {0} naming a table")]
    NoTable(&'static str),
    #[error(transparent)]
    Config(#[from] wiring::InvalidEnv),
}

pub struct AwsServices {
    pub orders: DynamoOrderStore,
    pub inventory: DynamoInventoryStore,
    pub payments: DynamoPaymentStore,
    pub shipments: DynamoShipmentStore,
    pub dead_letters: DynamoDlqStore,
    pub gateway: SimulatedGateway,
    pub carrier: SimulatedCarrier,
    pub scheduled_majors: events::Majors,
    pub reads: wiring::ConsumerReads,
    pub publisher: EventBridgePublisher,
}

impl AwsServices {
    /// The stores over DynamoDB at `data`; the publisher puts events on the
    /// bus at `delivery` (the same configuration, unless the bus lives
    /// elsewhere).
    pub fn new(
        data: &aws_config::SdkConfig,
        delivery: &aws_config::SdkConfig,
        template: &Template,
        wiring: &Wiring,
        names: &StackNames,
        bus_logical_id: &str,
    ) -> Result<Self, ServicesError> {
        let dynamodb = aws_sdk_dynamodb::Client::new(data);
        let table = |variable: &'static str| -> Result<String, ServicesError> {
            let logical = template
                .table_of_env(variable)
                .ok_or(ServicesError::NoTable(variable))?;
            Ok(names.table(&logical)?.to_owned())
        };
        let (gateway, carrier) = wiring::simulations(wiring)?;
        Ok(Self {
            orders: DynamoOrderStore::new(dynamodb.clone(), table("ORDERS_TABLE")?),
            inventory: DynamoInventoryStore::new(dynamodb.clone(), table("INVENTORY_TABLE")?),
            payments: DynamoPaymentStore::new(dynamodb.clone(), table("PAYMENTS_TABLE")?),
            shipments: DynamoShipmentStore::new(dynamodb.clone(), table("SHIPMENTS_TABLE")?),
            dead_letters: DynamoDlqStore::new(dynamodb, table("DLQ_TABLE")?),
            gateway,
            carrier,
            scheduled_majors: wiring::scheduled_majors(wiring)?,
            reads: wiring::ConsumerReads::from_wiring(wiring)?,
            publisher: EventBridgePublisher::new(
                aws_sdk_eventbridge::Client::new(delivery),
                names.bus(bus_logical_id)?,
            ),
        })
    }

    /// Runs one SQS batch through the handler the function's `bootstrap`
    /// runs, and says which messages failed and why
    /// ([`crate::last_errors`] keeps the reasons).
    pub async fn consume(&self, handler: ConsumerHandler, batch: SqsEvent) -> Vec<FailedMessage> {
        wiring::Consumers {
            orders: &self.orders,
            inventory: &self.inventory,
            payments: &self.payments,
            shipments: &self.shipments,
            dead_letters: &self.dead_letters,
            gateway: &self.gateway,
            carrier: &self.carrier,
            scheduled_majors: &self.scheduled_majors,
            reads: &self.reads,
        }
        .consume(handler, &self.publisher, batch)
        .await
    }
}
