/// JSON logs for Lambda: one object a line, with the fields of the current
/// span (order id, event id, correlation id) on every line, no ANSI colours,
/// and no timestamp (CloudWatch Logs adds its own).
pub fn init_lambda(service: &'static str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .try_init();
    let namespace = std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| "OrderSaga".into());
    crate::metrics::enable(namespace, service);
}
