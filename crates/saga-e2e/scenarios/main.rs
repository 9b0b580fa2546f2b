//! One scenario suite, four backends: every scenario of `scenarios.rs`
//! runs against the embedded runtime (SQLite), against the hybrid runtime
//! over a `moto_server` this test starts on a free 127.0.0.1 port, against
//! the hybrid runtime over LocalStack (the one at `LOCALSTACK_ENDPOINT`, or
//! one this process starts on the host, no Docker; `make
//! localstack-install` installs it, and its supervisor stops it when this
//! process exits), and against the hybrid runtime over `saga run
//! --no-functions`: the embedded runtime's bus, rules, queues, DLQs and
//! archive through its EventBridge and SQS APIs, the tables in moto.

mod backends;
mod harness;
mod host;
mod http_api;
mod provisioning;
mod saga_run_bus;
mod scenarios;

macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                crate::scenarios::$scenario(crate::harness::Saga::embedded().await).await;
            })*
        }
        mod moto {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                crate::scenarios::$scenario(crate::harness::Saga::moto().await).await;
            })*
        }
        mod saga_run {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                crate::scenarios::$scenario(crate::harness::Saga::saga_run().await).await;
            })*
        }
        mod localstack {
            #[test]
            fn every_listener_of_the_localstack_started_here_is_on_loopback() {
                crate::host::every_listener_is_on_loopback();
            }

            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                crate::scenarios::$scenario(crate::harness::Saga::localstack().await).await;
            })*
        }
    };
}

on_every_backend!(
    the_happy_path_confirms_the_order_and_ships_its_stock,
    an_out_of_stock_order_is_cancelled_with_the_reason_and_reserves_nothing,
    a_declined_payment_releases_the_inventory_and_cancels,
    a_failed_shipment_refunds_the_payment_then_releases_the_inventory,
    a_poison_message_reaches_its_dlq_and_is_not_put_back_on_the_bus,
    a_dead_lettered_event_is_redriven_once_its_cause_is_fixed,
    the_archive_receives_every_event_of_an_order,
    replaying_the_archive_redelivers_an_orders_events_and_nothing_changes,
    unknown_fields_in_data_metadata_and_nested_objects_are_ignored_by_every_consumer,
    an_event_of_a_major_the_consumer_does_not_read_is_dead_lettered_naming_it,
);

/// The v1 -> v2 transition of Shipment Scheduled, both ways, on changed
/// copies of the template (README, "Changing an event").
macro_rules! transition {
    ($($scenario:ident => $edits:expr),* $(,)?) => {
        mod transition_embedded {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                let (_dir, template) = crate::scenarios::template_with(&$edits);
                crate::scenarios::$scenario(crate::harness::Saga::embedded_from(&template).await).await;
            })*
        }
        mod transition_moto {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                let (_dir, template) = crate::scenarios::template_with(&$edits);
                crate::scenarios::$scenario(crate::harness::Saga::moto_from(&template).await).await;
            })*
        }
        mod transition_saga_run {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                let (_dir, template) = crate::scenarios::template_with(&$edits);
                crate::scenarios::$scenario(crate::harness::Saga::saga_run_from(&template).await).await;
            })*
        }
        mod transition_localstack {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                let (_dir, template) = crate::scenarios::template_with(&$edits);
                crate::scenarios::$scenario(crate::harness::Saga::localstack_from(&template).await).await;
            })*
        }
    };
}

transition!(
    consumers_of_major_1_never_hear_of_a_shipment_published_only_as_major_2 =>
        [crate::scenarios::consumers_of_major_1_only(), vec![crate::scenarios::SHIPPING_PUBLISHES_MAJOR_2]].concat(),
    consumers_of_both_majors_work_with_a_producer_of_major_1_only =>
        [crate::scenarios::SHIPPING_PUBLISHES_MAJOR_1],
    consumers_reading_major_1_only_handle_the_major_1_copy_and_skip_the_major_2_copy =>
        crate::scenarios::consumers_reading_major_1_only(),
    consumers_reading_major_1_only_dead_letter_a_shipment_published_only_as_major_2_naming_it =>
        [crate::scenarios::consumers_reading_major_1_only(), vec![crate::scenarios::SHIPPING_PUBLISHES_MAJOR_2]].concat(),
);

/// The HTTP API answers alike on the embedded server, the hybrid server
/// over moto and the Lambda functions (`http_api.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_requests_get_the_same_answers_from_the_embedded_server_the_hybrid_server_and_the_lambda_functions()
 {
    http_api::the_same_requests_get_the_same_answers_from_every_backend().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_functions_saga_run_leaves_its_queues_to_other_consumers_and_serves_no_order_api() {
    saga_run_bus::without_functions_saga_run_leaves_its_queues_to_other_consumers_and_serves_no_order_api().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attaching_to_saga_run_of_another_template_names_the_queue_it_lacks() {
    saga_run_bus::attaching_to_saga_run_of_another_template_names_the_queue_it_lacks().await;
}
