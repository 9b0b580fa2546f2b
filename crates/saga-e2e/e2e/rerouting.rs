use emulator::Faults;
use saga_e2e::{TestApp, order, template_path};
use serde_json::json;
use wiring::template::Template;

/// Routing comes from the template alone: lower the high-value threshold in
/// the YAML and an ordinary order reaches the high-value queue.
#[tokio::test]
async fn a_template_change_reroutes_events() {
    let text = std::fs::read_to_string(template_path()).unwrap();
    assert!(
        text.contains("[\">=\", 100000]"),
        "the template's threshold moved; update this test"
    );
    let cheaper = text.replace("[\">=\", 100000]", "[\">=\", 1000]");
    for (template, expected) in [(text, 0), (cheaper, 1)] {
        let wiring = runtime::load(&Template::from_yaml(&template).unwrap()).unwrap();
        let app = TestApp::spawn_with(wiring, Faults::none()).await;
        app.place(&order(json!([{"sku": "KB-001", "quantity": 1}])))
            .await;
        app.settle().await;
        assert_eq!(
            app.runtime
                .queues
                .peek("HighValueOrdersQueue")
                .unwrap()
                .len(),
            expected
        );
        app.assert_invariants().await;
    }
}
