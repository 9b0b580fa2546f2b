//! `saga run --backend aws`: the saga's bus, rules, queues, DLQs, archive
//! and tables live in AWS (a real account, moto or LocalStack) and the
//! handlers run in this process. Every consumer queue is polled as
//! Lambda's SQS event source mapping polls it, the orders table's stream
//! as the outbox relay's mapping reads it, and the template's HTTP API
//! routes are served on loopback. The handlers, stores and publisher are
//! the ones the Lambda `bootstrap`s use: the DynamoDB adapters and the
//! EventBridge publisher.
//!
//! The functions come from the same [`wiring::Wiring`] the embedded
//! backend takes (and each batch is settled by the same event source
//! mapping rules, [`wiring::esm`]); the physical names from a [`StackNames`]: a deployed stack's
//! (`aws cloudformation describe-stack-resources`), the one
//! [`provision::Provisioner`] creates in an emulator, or, for a bus and
//! queues that already exist (`saga run --no-functions`), the one
//! [`attach()`] finds.

pub mod attach;
pub mod names;
mod poller;
pub mod provision;
mod resolved;
pub mod services;
mod stream;

mod http;
mod last_errors;

pub use attach::{AttachError, attach};
pub use names::StackNames;
pub use provision::Provisioner;
pub use services::AwsServices;

use aws_sdk_sqs::types::QueueAttributeName;
use std::net::SocketAddr;
use std::sync::Arc;
use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use wiring::Wiring;
use wiring::template::Template;

#[derive(Debug, Error)]
pub enum HybridError {
    #[error(transparent)]
    Names(#[from] names::NamesError),
    #[error(transparent)]
    Services(#[from] services::ServicesError),
    #[error("the template has no AWS::Events::EventBus")]
    NoBus,
    #[error("reading queue {queue}: {reason}")]
    Queue { queue: String, reason: String },
    #[error("cannot listen on {addr}: {error}")]
    Listen {
        addr: SocketAddr,
        error: std::io::Error,
    },
}

#[derive(Default)]
pub struct HybridOptions {
    /// Where the HTTP API listens; `None` serves no HTTP.
    pub listen: Option<SocketAddr>,
    pub quirks: Quirks,
    /// EventBridge and SQS through this configuration instead of the one
    /// [`HybridRuntime::start`] takes, which keeps DynamoDB, its stream and
    /// Athena: the bus and queues of `saga run --no-functions` (found by
    /// [`attach()`]) beside tables in moto or DynamoDB Local.
    pub delivery: Option<aws_config::SdkConfig>,
    /// The visibility timeout, in seconds, every receive asks for
    /// (`ReceiveMessage`'s `VisibilityTimeout`) instead of the queue's own.
    /// Lambda's pollers take the queue's; tests set it where the queues'
    /// attributes cannot be changed (`saga run`'s come from the template),
    /// so a message a handler failed comes back in a second, not a minute.
    pub receive_visibility_timeout: Option<i32>,
}

/// Emulator behaviour the runtime works around, each off unless asked for;
/// nothing here changes what is sent to AWS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    /// moto leaves `account` out of events it delivers to SQS targets;
    /// put it back before the handler parses the event.
    pub moto_event_account: bool,
}

impl Quirks {
    pub fn moto() -> Self {
        Self {
            moto_event_account: true,
        }
    }
}

pub struct HybridRuntime {
    pub wiring: Wiring,
    pub names: StackNames,
    pub services: Arc<AwsServices>,
    pub sqs: aws_sdk_sqs::Client,
    /// The address the HTTP API is bound to.
    pub addr: Option<SocketAddr>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl HybridRuntime {
    pub async fn start(
        config: &aws_config::SdkConfig,
        template: &Template,
        wiring: Wiring,
        names: StackNames,
        options: HybridOptions,
    ) -> Result<Self, HybridError> {
        let bus = template
            .resources_of_type("AWS::Events::EventBus")
            .next()
            .ok_or(HybridError::NoBus)?;
        let delivery = options.delivery.as_ref().unwrap_or(config);
        let services = Arc::new(AwsServices::new(
            config,
            delivery,
            template,
            &wiring,
            &names,
            &bus.logical_id,
        )?);
        let sqs = aws_sdk_sqs::Client::new(delivery);
        let region = config
            .region()
            .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
        let (shutdown, watch) = watch::channel(false);
        let mut tasks = Vec::new();
        let last_errors = Arc::new(last_errors::LastErrors::default());
        for spec in &wiring.consumers {
            let queue_url = names.queue_url(&spec.queue)?.to_owned();
            let queue_arn = queue_arn(&sqs, &queue_url).await?;
            let poller = poller::Poller {
                spec: spec.clone(),
                quirks: options.quirks,
                visibility_timeout: options.receive_visibility_timeout,
                queue_url,
                queue_arn,
                region: region.clone(),
                sqs: sqs.clone(),
                services: services.clone(),
                last_errors: last_errors.clone(),
            };
            tasks.push(tokio::spawn(poller.run(watch.clone())));
        }
        if wiring.outbox_relay
            && let Some(table) = template.stream_table()
        {
            let relay = stream::StreamRelay {
                dynamodb: aws_sdk_dynamodb::Client::new(config),
                streams: aws_sdk_dynamodbstreams::Client::new(config),
                table: names.table(&table)?.to_owned(),
                region: region.clone(),
                publisher: services.publisher.clone(),
            };
            tasks.push(tokio::spawn(relay.run(watch.clone())));
        }
        let mut addr = None;
        if let Some(listen) = options.listen {
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|error| HybridError::Listen {
                    addr: listen,
                    error,
                })?;
            addr = listener.local_addr().ok();
            let limits = wiring::http::HttpLimits::default();
            let app = http::router(
                config,
                template,
                &wiring,
                &names,
                services.orders.clone(),
                limits.body_timeout,
            );
            tasks.push(wiring::http::serve_until(
                listener,
                app,
                limits,
                watch.clone(),
            ));
        }
        Ok(Self {
            wiring,
            names,
            services,
            sqs,
            addr,
            shutdown,
            tasks,
        })
    }

    /// Stops polling and serving; a batch being handled is finished first.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<String, HybridError> {
    let fail = |reason: String| HybridError::Queue {
        queue: url.to_owned(),
        reason,
    };
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| fail(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| fail("no QueueArn attribute".into()))
}
