//! How each backend of [`Saga`] is started: the embedded runtime on a
//! fresh SQLite file; the hybrid runtime over the template provisioned
//! into moto or LocalStack; and the hybrid runtime over `saga run
//! --no-functions` (a process of its own, its bus and queues found with
//! [`hybrid::attach()`]) with the tables in moto.

use crate::harness::{Aws, Backend, Emulator, Saga};
use hybrid::{HybridRuntime, Provisioner, StackNames};
use saga_e2e::{OrdersApi, TestApp, template_path};
use wiring::template::Template;

/// Queues' visibility timeout in the emulators: a message a consumer
/// failed comes back after a second instead of the template's minute.
/// Set on the provisioned queues, never in the template.
const TEST_VISIBILITY_SECS: u32 = 1;

/// `saga run --no-functions` on its own database, killed when dropped.
pub struct SagaRunBus {
    pub server: testkit::saga_run::SagaRun,
    _dir: tempfile::TempDir,
}

impl SagaRunBus {
    /// Starts it on `template`; the binary is `saga` itself
    /// (src/bin/saga.rs).
    pub fn start(template: &std::path::Path) -> SagaRunBus {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("saga.db");
        let args = [
            std::ffi::OsStr::new("--no-functions"),
            "--template".as_ref(),
            template.as_os_str(),
            "--db".as_ref(),
            db.as_os_str(),
        ];
        let binary = std::path::Path::new(env!("CARGO_BIN_EXE_saga-e2e-saga"));
        SagaRunBus {
            server: testkit::saga_run::start(binary, args),
            _dir: dir,
        }
    }
}

/// Where a hybrid saga's resources are, and the processes serving them.
struct Ends {
    /// DynamoDB (and the rest, unless `delivery` is given).
    data: aws_config::SdkConfig,
    /// EventBridge and SQS, when elsewhere (`saga run`).
    delivery: Option<aws_config::SdkConfig>,
    moto: Option<saga_aws_tests::Moto>,
    saga_run: Option<SagaRunBus>,
}

pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    use aws_config::{BehaviorVersion, Region};
    use aws_sdk_sqs::config::Credentials;
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "emulator"))
        .load()
        .await
}

/// `SCENARIO_LOG=info` (an EnvFilter) shows the runtimes' logs.
fn init_logs() {
    if let Ok(filter) = std::env::var("SCENARIO_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
}

impl Saga {
    pub async fn embedded() -> Saga {
        Self::embedded_from(&template_path()).await
    }

    /// The embedded runtime on another template (a changed copy of the
    /// project's).
    pub async fn embedded_from(template: &std::path::Path) -> Saga {
        init_logs();
        let template = Template::from_path(template).expect("template parses");
        let wiring = runtime::load(&template).expect("template wires");
        let app = TestApp::spawn_with(wiring, emulator::Faults::none()).await;
        let api = app.api.clone();
        Saga {
            backend: Backend::Embedded(Box::new(app)),
            api,
        }
    }

    /// A fresh `moto_server` on a free 127.0.0.1 port, stopped when the
    /// saga is dropped.
    pub async fn moto() -> Saga {
        Self::moto_from(&template_path()).await
    }

    /// [`Saga::moto`] on another template (a changed copy of the project's).
    pub async fn moto_from(template: &std::path::Path) -> Saga {
        Self::on_moto(template, false).await
    }

    /// [`Saga::moto`] with the template's Athena workgroup and named
    /// queries in moto too, so `GET /reports/{name}` runs them.
    pub async fn moto_serving_reports() -> Saga {
        Self::on_moto(&template_path(), true).await
    }

    async fn on_moto(template: &std::path::Path, athena: bool) -> Saga {
        let moto = saga_aws_tests::Moto::start(saga_aws_tests::Tools::get());
        let endpoint = moto.endpoint();
        Self::aws(
            template,
            &endpoint,
            "",
            Some(moto),
            (hybrid::Quirks::moto(), athena),
            Emulator::Moto,
        )
        .await
    }

    /// The LocalStack of this test process: the one at
    /// `LOCALSTACK_ENDPOINT`, or one started on the host for these tests
    /// and stopped when they exit ([`saga_aws_tests::LocalStack::get`]).
    /// Each saga gets its own name prefix, so tests share one LocalStack.
    pub async fn localstack() -> Saga {
        Self::localstack_from(&template_path()).await
    }

    /// [`Saga::localstack`] on another template (a changed copy of the
    /// project's).
    pub async fn localstack_from(template: &std::path::Path) -> Saga {
        let endpoint =
            tokio::task::spawn_blocking(|| saga_aws_tests::LocalStack::get().endpoint.clone())
                .await
                .expect("LocalStack starts");
        let prefix = format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        Self::aws(
            template,
            &endpoint,
            &prefix,
            None,
            (hybrid::Quirks::default(), false),
            Emulator::LocalStack,
        )
        .await
    }

    async fn aws(
        template: &std::path::Path,
        endpoint: &str,
        prefix: &str,
        moto: Option<saga_aws_tests::Moto>,
        (quirks, athena): (hybrid::Quirks, bool),
        emulator: Emulator,
    ) -> Saga {
        init_logs();
        let config = sdk_config(endpoint).await;
        let template = Template::from_path(template).expect("template parses");
        let provisioner = Provisioner::new(&config);
        let mut names: StackNames = provisioner
            .provision(&template, prefix)
            .await
            .unwrap_or_else(|e| panic!("provisioning into {endpoint}: {e}"));
        if athena {
            provision_athena(&config, &template, &mut names).await;
        }
        hybrid::provision::set_visibility_timeouts(&provisioner.sqs, &names, TEST_VISIBILITY_SECS)
            .await
            .expect("short visibility timeouts");
        let options = hybrid::HybridOptions {
            quirks,
            ..hybrid::HybridOptions::default()
        };
        let ends = Ends {
            data: config,
            delivery: None,
            moto,
            saga_run: None,
        };
        Self::hybrid(&template, names, options, ends, emulator).await
    }

    /// The hybrid runtime's handlers over the bus, rules, queues, DLQs and
    /// archive of `saga run --no-functions` (through its EventBridge and
    /// SQS APIs; found with [`hybrid::attach()`], never created), with the
    /// tables in the moto the `saga_run` tests of this process share
    /// ([`saga_aws_tests::Moto::shared`]), under a prefix of their own. Queues keep the template's attributes there,
    /// so the pollers ask for a 1 s visibility timeout on each receive.
    pub async fn saga_run() -> Saga {
        Self::saga_run_from(&template_path()).await
    }

    /// [`Saga::saga_run`] on another template (a changed copy of the
    /// project's), which `saga run` serves too.
    pub async fn saga_run_from(template_path: &std::path::Path) -> Saga {
        init_logs();
        let path = template_path.to_owned();
        // Both at once: each start waits on a process.
        let bus = tokio::task::spawn_blocking(move || SagaRunBus::start(&path));
        let moto = tokio::task::spawn_blocking(|| saga_aws_tests::Moto::shared().endpoint());
        let bus = bus.await.expect("saga run starts");
        let data = sdk_config(&moto.await.expect("moto starts")).await;
        let delivery = sdk_config(&bus.server.endpoint()).await;
        let template = Template::from_path(template_path).expect("template parses");
        // One moto for the run: each saga's tables under its own prefix.
        let prefix = format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let mut names: StackNames = Provisioner::new(&data)
            .tables(&template, &prefix)
            .await
            .unwrap_or_else(|e| panic!("creating the tables in moto: {e}"));
        let found = hybrid::attach(&delivery, &template, "")
            .await
            .unwrap_or_else(|e| panic!("finding the bus and queues of saga run: {e}"));
        names.stack_resources.extend(found.stack_resources);
        let options = hybrid::HybridOptions {
            delivery: Some(delivery.clone()),
            receive_visibility_timeout: Some(TEST_VISIBILITY_SECS as i32),
            ..hybrid::HybridOptions::default()
        };
        let ends = Ends {
            data,
            delivery: Some(delivery),
            moto: None,
            saga_run: Some(bus),
        };
        Self::hybrid(&template, names, options, ends, Emulator::SagaRun).await
    }

    /// Starts the hybrid runtime on `names`, serving the API on a free
    /// loopback port, with the seed catalogue in its inventory table.
    async fn hybrid(
        template: &Template,
        names: StackNames,
        options: hybrid::HybridOptions,
        ends: Ends,
        emulator: Emulator,
    ) -> Saga {
        // The template as the embedded backend checks it; the hybrid
        // backend runs its functions.
        let wiring = runtime::load(template).expect("template wires").wiring;
        let archive = names
            .archive("SagaArchive")
            .expect("the template has SagaArchive")
            .to_owned();
        let options = hybrid::HybridOptions {
            listen: Some("127.0.0.1:0".parse().expect("address")),
            ..options
        };
        let runtime = HybridRuntime::start(&ends.data, template, wiring, names, options)
            .await
            .expect("hybrid runtime starts");
        let items = inventory::catalogue::parse(inventory::catalogue::SEED).expect("seed");
        inventory::catalogue::load(&runtime.services.inventory, &items)
            .await
            .expect("catalogue loads into the inventory table");
        let api = OrdersApi::at(runtime.addr.expect("bound"));
        Saga {
            backend: Backend::Aws(Box::new(Aws {
                runtime,
                emulator,
                events: aws_sdk_eventbridge::Client::new(
                    ends.delivery.as_ref().unwrap_or(&ends.data),
                ),
                archive,
                moto: ends.moto,
                _saga_run: ends.saga_run,
            })),
            api,
        }
    }
}

/// The Athena workgroup and named queries of the template in moto (the
/// provisioner creates the rest of the stack), under the logical ids the
/// reports function's environment names.
pub async fn provision_athena(
    config: &aws_config::SdkConfig,
    template: &Template,
    names: &mut StackNames,
) {
    let athena = aws_sdk_athena::Client::new(config);
    let (workgroup, database) = ("ordersaga-reports", "ordersaga_lake");
    athena
        .create_work_group()
        .name(workgroup)
        .send()
        .await
        .expect("CreateWorkGroup");
    names.insert("ReportsWorkGroup", workgroup, "AWS::Athena::WorkGroup");
    names.insert("LakeDatabase", database, "AWS::Glue::Database");
    for query in template.resources_of_type("AWS::Athena::NamedQuery") {
        let text = |key: &str| {
            query
                .properties
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_else(|| panic!("{}: {key}", query.logical_id))
                .to_owned()
        };
        let created = athena
            .create_named_query()
            .name(text("Name"))
            .database(database)
            .work_group(workgroup)
            .query_string(text("QueryString"))
            .send()
            .await
            .expect("CreateNamedQuery");
        names.insert(
            &query.logical_id,
            created.named_query_id().expect("an id"),
            "AWS::Athena::NamedQuery",
        );
    }
}
