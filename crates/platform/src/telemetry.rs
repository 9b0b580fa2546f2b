use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

/// JSON logs for Lambda: one object a line, with the fields of the current
/// span (order id, event id, correlation id) on every line, no ANSI colours,
/// and no timestamp (CloudWatch Logs adds its own).
pub fn init_lambda(service: &'static str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = lambda_subscriber(filter, std::io::stdout).try_init();
    let namespace = std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| "OrderSaga".into());
    crate::metrics::enable(namespace, service);
}

/// The subscriber [`init_lambda`] installs, writing to `writer`: tests
/// capture exactly the lines a function would send to CloudWatch Logs.
pub fn lambda_subscriber<W>(
    filter: tracing_subscriber::EnvFilter,
    writer: W,
) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .with_writer(writer)
        .finish()
}
