//! The dispatch from a template function to the handler its `bootstrap`
//! runs, over whichever stores a backend gives it (the embedded backend's
//! SQLite stores, the hybrid backend's DynamoDB ones), and the simulated
//! gateway and carrier configured from the functions' environment.

use crate::functions::{ConsumerHandler, Wiring};
use aws_lambda_events::event::sqs::SqsEvent;
use chrono::Utc;
use payment::simulated::SimulatedGateway;
use platform::EventPublisher;
use platform::consumer::consume_batch_detailed;
use platform::sqs::FailedMessage;
use shipping::simulated::{SimulatedCarrier, UnservedCountries};
use thiserror::Error;

/// A function's environment variable in the template that does not parse.
#[derive(Debug, Error)]
#[error("function {function}: environment variable {name}={value:?} is invalid: {reason}")]
pub struct InvalidEnv {
    pub function: String,
    pub name: String,
    pub value: String,
    pub reason: String,
}

/// A function's environment variable from the template, parsed.
fn env_of<T: std::str::FromStr>(
    wiring: &Wiring,
    handler: ConsumerHandler,
    name: &'static str,
) -> Result<Option<T>, InvalidEnv>
where
    T::Err: std::fmt::Display,
{
    let Some(spec) = wiring.consumers.iter().find(|c| c.handler == handler) else {
        return Ok(None);
    };
    let Some(value) = spec.environment.get(name) else {
        return Ok(None);
    };
    value.parse().map(Some).map_err(|e: T::Err| InvalidEnv {
        function: spec.function.clone(),
        name: name.to_owned(),
        value: value.clone(),
        reason: e.to_string(),
    })
}

/// The simulated payment gateway and carrier, configured from the
/// environment the template gives the payment and shipping functions: the
/// embedded and the hybrid runtime both run them.
pub fn simulations(wiring: &Wiring) -> Result<(SimulatedGateway, SimulatedCarrier), InvalidEnv> {
    let decline_over: Option<i64> = env_of(
        wiring,
        ConsumerHandler::Payment,
        "PAYMENT_DECLINE_OVER_MINOR",
    )?;
    let unserved: Option<UnservedCountries> = env_of(
        wiring,
        ConsumerHandler::Shipping,
        "SHIPPING_UNSERVED_COUNTRIES",
    )?;
    Ok((
        decline_over.map(SimulatedGateway::new).unwrap_or_default(),
        SimulatedCarrier::new(unserved.unwrap_or_default()),
    ))
}

/// The majors of Shipment Scheduled the shipping function publishes, from
/// its `SHIPMENT_SCHEDULED_MAJORS` in the template (every major when unset).
pub fn scheduled_majors(wiring: &Wiring) -> Result<events::Majors, InvalidEnv> {
    let var = shipping::domain::SCHEDULED_MAJORS_VAR;
    let setting: Option<String> = env_of(wiring, ConsumerHandler::Shipping, var)?;
    shipping::domain::scheduled_majors(setting.as_deref()).map_err(|e| InvalidEnv {
        function: wiring
            .consumers
            .iter()
            .find(|c| c.handler == ConsumerHandler::Shipping)
            .map(|c| c.function.clone())
            .unwrap_or_default(),
        name: var.to_owned(),
        value: setting.unwrap_or_default(),
        reason: e.message,
    })
}

/// The majors of each event type each consumer reads, from its function's
/// `READS_<TYPE>_MAJORS` settings in the template ([`events::Reads`]).
#[derive(Debug, Clone, Default)]
pub struct ConsumerReads(Vec<(ConsumerHandler, events::Reads)>);

impl ConsumerReads {
    pub fn from_wiring(wiring: &Wiring) -> Result<Self, InvalidEnv> {
        let mut reads = Vec::new();
        for spec in &wiring.consumers {
            let parsed = events::Reads::from_env(&spec.environment).map_err(|e| InvalidEnv {
                function: spec.function.clone(),
                value: spec.environment.get(&e.field).cloned().unwrap_or_default(),
                name: e.field,
                reason: e.message,
            })?;
            reads.push((spec.handler, parsed));
        }
        Ok(Self(reads))
    }

    /// What `handler` reads: every major of its build unless narrowed.
    pub fn of(&self, handler: ConsumerHandler) -> &events::Reads {
        static ALL: events::Reads = events::Reads::all();
        self.0
            .iter()
            .find(|(h, _)| *h == handler)
            .map_or(&ALL, |(_, reads)| reads)
    }
}

/// What every consumer runs on: the embedded runtime's SQLite stores or the
/// hybrid runtime's DynamoDB ones, and the simulations.
pub struct Consumers<'a, O, I, Pa, S, D> {
    pub orders: &'a O,
    pub inventory: &'a I,
    pub payments: &'a Pa,
    pub shipments: &'a S,
    pub dead_letters: &'a D,
    pub gateway: &'a SimulatedGateway,
    pub carrier: &'a SimulatedCarrier,
    pub scheduled_majors: &'a events::Majors,
    pub reads: &'a ConsumerReads,
}

impl<O, I, Pa, S, D> Consumers<'_, O, I, Pa, S, D>
where
    O: orders::OrderStore,
    I: inventory::InventoryStore,
    Pa: payment::PaymentStore,
    S: shipping::ShipmentStore,
    D: dlq::DlqStore,
{
    /// Runs one SQS batch through the handler a function's `bootstrap`
    /// runs (its `lambda::consume` is this call), and says which messages
    /// failed and why: Lambda only hears the ids, the runtimes keep the
    /// reasons for the dead letters they may become.
    pub async fn consume<P: EventPublisher>(
        &self,
        handler: ConsumerHandler,
        publisher: &P,
        batch: SqsEvent,
    ) -> Vec<FailedMessage> {
        let (p, now) = (publisher, Utc::now);
        let reads = self.reads.of(handler);
        // Boxed: the handlers' futures nest deeper than the callers want on
        // their stack.
        match handler {
            ConsumerHandler::Orders => {
                Box::pin(consume_batch_detailed(p, reads, batch, |e| {
                    orders::handle(self.orders, e, now())
                }))
                .await
            }
            ConsumerHandler::Inventory => {
                Box::pin(consume_batch_detailed(p, reads, batch, |e| {
                    inventory::handle(self.inventory, e, now())
                }))
                .await
            }
            ConsumerHandler::Payment => {
                Box::pin(consume_batch_detailed(p, reads, batch, |e| {
                    payment::handle(self.payments, self.gateway, e, now())
                }))
                .await
            }
            ConsumerHandler::Shipping => {
                Box::pin(consume_batch_detailed(p, reads, batch, |e| {
                    shipping::handle(
                        self.shipments,
                        self.carrier,
                        self.scheduled_majors,
                        e,
                        now(),
                    )
                }))
                .await
            }
            ConsumerHandler::DeadLetters => dlq::record_batch(self.dead_letters, batch, now())
                .await
                .batch_item_failures
                .into_iter()
                .map(|f| FailedMessage {
                    message_id: f.item_identifier,
                    error: "the dead letter could not be recorded".into(),
                })
                .collect(),
        }
    }
}
