//! CloudWatch metrics in the embedded metric format (EMF): a JSON line on
//! stdout that CloudWatch Logs turns into metrics, with no API call on the
//! hot path (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).

use std::sync::OnceLock;

pub const ORDERS_PLACED: &str = "OrdersPlaced";
pub const ORDERS_CONFIRMED: &str = "OrdersConfirmed";
pub const ORDERS_CANCELLED: &str = "OrdersCancelled";
pub const HANDLER_FAILURES: &str = "HandlerFailures";
pub const DEAD_LETTERS: &str = "DeadLetters";

struct Sink {
    namespace: String,
    service: String,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// Turns EMF output on. Lambda entry points call it at cold start; the local
/// runtime does not, and then `count` does nothing.
pub fn enable(namespace: impl Into<String>, service: impl Into<String>) {
    let _ = SINK.set(Sink {
        namespace: namespace.into(),
        service: service.into(),
    });
}

pub fn count(name: &str, value: f64) {
    if let Some(sink) = SINK.get() {
        println!(
            "{}",
            emf_line(&sink.namespace, &sink.service, name, value, now_ms())
        );
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// One EMF document: the metric under `_aws.CloudWatchMetrics`, its value
/// and its dimension as top-level members.
pub fn emf_line(
    namespace: &str,
    service: &str,
    name: &str,
    value: f64,
    timestamp_ms: i64,
) -> String {
    serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Service"]],
                "Metrics": [{ "Name": name, "Unit": "Count" }],
            }],
        },
        "Service": service,
        name: value,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_declares_the_metric_and_carries_its_value_and_dimension() {
        let line: serde_json::Value =
            serde_json::from_str(&emf_line("OrderSaga", "orders", ORDERS_PLACED, 1.0, 42)).unwrap();
        let declared = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(declared["Namespace"], "OrderSaga");
        assert_eq!(declared["Metrics"][0]["Name"], ORDERS_PLACED);
        assert_eq!(declared["Dimensions"][0][0], "Service");
        assert_eq!(line["Service"], "orders");
        assert_eq!(line[ORDERS_PLACED], 1.0);
        assert_eq!(line["_aws"]["Timestamp"], 42);
    }
}
