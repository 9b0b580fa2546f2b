use super::*;
use std::path::Path;

fn endpoints() -> LocalEndpoints {
    LocalEndpoints {
        aws_api: "http://127.0.0.1:3000/".into(),
        dynamodb: "http://127.0.0.1:8000".into(),
    }
}

/// A template of functions `(logical id, binary, variables YAML)`, with a
/// queue, a table, the bus and a workgroup to refer to.
fn template(functions: &[(&str, &str, &str)]) -> Template {
    let mut yaml = String::from(
        "Parameters:\n  BusName: {Type: String, Default: localbus}\n  NoDefault: {Type: String}\n\
         Globals:\n  Function:\n    Environment:\n      Variables:\n        BUS: !Ref Bus\n        LEVEL: info\n\
         Resources:\n  Bus: {Type: AWS::Events::EventBus, Properties: {Name: !Ref BusName}}\n  \
         Jobs: {Type: AWS::SQS::Queue}\n  Things: {Type: AWS::DynamoDB::Table}\n  \
         Group: {Type: AWS::Athena::WorkGroup}\n",
    );
    for (id, binary, variables) in functions {
        yaml.push_str(&format!(
            "  {id}:\n    Type: AWS::Serverless::Function\n    Metadata: {{BuildProperties: {{Binary: {binary}}}}}\n    \
             Properties:\n      Environment:\n        Variables:\n"
        ));
        for line in variables.lines() {
            yaml.push_str(&format!("          {line}\n"));
        }
    }
    Template::from_yaml(&yaml).unwrap()
}

fn variables(resolved: &Resolved, binary: &str) -> BTreeMap<String, String> {
    resolved
        .functions
        .iter()
        .find(|f| f.binary == binary)
        .unwrap_or_else(|| panic!("{binary} not resolved: {resolved:?}"))
        .variables
        .clone()
}

#[test]
fn references_resolve_to_the_local_names_of_tables_queues_the_bus_and_parameter_defaults() {
    let t = template(&[(
        "JobFunction",
        "job",
        "TABLE: !Ref Things\nQUEUE: !Ref Jobs\nQUEUE_ARN: !GetAtt Jobs.Arn\nBUS_ARN: !GetAtt Bus.Arn\n\
         REGION: !Ref AWS::Region\nWHERE: !Sub '${Jobs.QueueName} in ${AWS::AccountId}'\nLIMIT: 5\nON: true",
    )]);
    let resolved = resolve_functions(&t, &endpoints()).unwrap();
    let vars = variables(&resolved, "job");
    let expected = [
        ("BUS", "localbus"),
        ("LEVEL", "info"),
        ("TABLE", "Things"),
        ("QUEUE", "http://127.0.0.1:3000/000000000000/Jobs"),
        ("QUEUE_ARN", "arn:aws:sqs:local:000000000000:Jobs"),
        (
            "BUS_ARN",
            "arn:aws:events:local:000000000000:event-bus/localbus",
        ),
        ("REGION", "us-east-1"),
        ("WHERE", "Jobs in 000000000000"),
        ("LIMIT", "5"),
        ("ON", "true"),
    ];
    for (name, value) in expected {
        assert_eq!(
            vars.get(name).map(String::as_str),
            Some(value),
            "{name}: {vars:?}"
        );
    }
    assert!(resolved.skipped.is_empty());
}

#[test]
fn a_functions_own_variable_wins_over_the_global_one() {
    let t = template(&[("JobFunction", "job", "LEVEL: debug")]);
    let resolved = resolve_functions(&t, &endpoints()).unwrap();
    assert_eq!(variables(&resolved, "job")["LEVEL"], "debug");
}

#[test]
fn a_function_naming_a_resource_nothing_local_emulates_is_left_out_and_named() {
    let t = template(&[
        ("JobFunction", "job", "TABLE: !Ref Things"),
        (
            "ReportFunction",
            "report",
            "GROUP: !Ref Group\nTABLE: !Ref Things",
        ),
    ]);
    let resolved = resolve_functions(&t, &endpoints()).unwrap();
    assert_eq!(resolved.functions.len(), 1);
    let skipped = &resolved.skipped[0];
    assert_eq!(skipped.binary, "report");
    assert!(
        skipped
            .reason
            .contains("GROUP names Group (AWS::Athena::WorkGroup)"),
        "{skipped:?}"
    );
    let file = env_file(&resolved, &endpoints()).unwrap();
    assert!(
        file.contains("# left out: report (ReportFunction): GROUP names Group"),
        "{file}"
    );
}

#[test]
fn an_unknown_reference_is_an_error_naming_the_function_the_variable_and_the_name() {
    for (variables, reference, reason) in [
        (
            "TABLE: !Ref Tings",
            "Tings",
            "no resource, parameter or pseudo parameter",
        ),
        (
            "QUEUE: !GetAtt Jobs.Url",
            "Jobs.Url",
            "AWS::SQS::Queue has no attribute Url",
        ),
        (
            "QUEUE: !GetAtt Jbos.Arn",
            "Jbos.Arn",
            "no resource has that name",
        ),
        (
            "NAME: !Ref NoDefault",
            "NoDefault",
            "the parameter has no Default",
        ),
        ("NAME: !Sub 'x-${Nope}'", "Nope", "no resource, parameter"),
    ] {
        let t = template(&[("JobFunction", "job", variables)]);
        let err = resolve_functions(&t, &endpoints()).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, LambdaEnvError::Unresolved { .. })
                && text.starts_with("JobFunction (job): variable ")
                && text.contains(&format!("refers to {reference}: {reason}")),
            "{variables}: {text}"
        );
    }
}

#[test]
fn an_intrinsic_the_resolver_does_not_evaluate_is_an_error_naming_the_variable() {
    let t = template(&[("JobFunction", "job", "NAME: !Join ['-', [a, b]]")]);
    let err = resolve_functions(&t, &endpoints()).unwrap_err();
    assert!(matches!(err, LambdaEnvError::Unsupported { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "JobFunction (job): variable NAME cannot be resolved locally"
    );
    let t = template(&[("JobFunction", "job", "NAME: [a, b]")]);
    let err = resolve_functions(&t, &endpoints()).unwrap_err();
    assert!(err.to_string().contains("NAME is a list"), "{err}");
}

#[test]
fn two_functions_disagreeing_on_a_variable_cannot_share_one_env_file() {
    let t = template(&[
        ("AFunction", "a", "MODE: fast"),
        ("BFunction", "b", "MODE: slow"),
    ]);
    let resolved = resolve_functions(&t, &endpoints()).unwrap();
    let err = env_file(&resolved, &endpoints()).unwrap_err().to_string();
    assert_eq!(
        err,
        "MODE is \"fast\" for a but \"slow\" for b: one env file serves every function"
    );
    let t = template(&[("AFunction", "a", "AWS_REGION: eu-west-1")]);
    let resolved = resolve_functions(&t, &endpoints()).unwrap();
    let err = env_file(&resolved, &endpoints()).unwrap_err().to_string();
    assert!(
        err.starts_with("AWS_REGION is \"eu-west-1\" for a but \"us-east-1\""),
        "{err}"
    );
}

#[test]
fn the_env_file_holds_each_variable_once_then_the_local_endpoints_and_quotes_what_needs_it() {
    let t = template(&[
        ("AFunction", "a", "MODE: fast\nGREETING: hello world"),
        ("BFunction", "b", "MODE: fast"),
    ]);
    let resolved = resolve_functions(&t, &endpoints()).unwrap();
    let file = env_file(&resolved, &endpoints()).unwrap();
    let lines: Vec<&str> = file.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            "AWS_ACCESS_KEY_ID=test",
            "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000",
            "AWS_ENDPOINT_URL_EVENTBRIDGE=http://127.0.0.1:3000",
            "AWS_ENDPOINT_URL_SQS=http://127.0.0.1:3000",
            "AWS_REGION=us-east-1",
            "AWS_SECRET_ACCESS_KEY=test",
            "BUS=localbus",
            "GREETING='hello world'",
            "LEVEL=info",
            "MODE=fast",
        ]
    );
    let err = env_value("X", "a\nb").unwrap_err().to_string();
    assert_eq!(
        err,
        "X=\"a\\nb\" cannot be written to an env file: it spans lines"
    );
    assert!(env_value("X", "it's").is_err());
    assert!(env_value("X", "a\\nb").is_err());
    assert_eq!(env_value("X", "a=b").unwrap(), "'a=b'");
    assert_eq!(
        env_value("X", "info,orders=debug").unwrap(),
        "'info,orders=debug'"
    );
}

#[test]
fn the_project_template_gives_every_function_but_the_reports_api_its_variables() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
    let t = Template::from_path(&path).unwrap();
    let resolved = resolve_functions(&t, &endpoints()).unwrap();
    let orders = variables(&resolved, "orders-api");
    assert_eq!(orders["ORDERS_TABLE"], "OrdersTable");
    assert_eq!(orders["EVENT_BUS_NAME"], "ordersaga");
    assert_eq!(orders["RUST_LOG"], "info");
    assert_eq!(
        variables(&resolved, "inventory-consumer")["INVENTORY_TABLE"],
        "InventoryTable"
    );
    assert_eq!(variables(&resolved, "dlq-redrive")["DLQ_TABLE"], "DlqTable");
    let skipped: Vec<&str> = resolved.skipped.iter().map(|s| s.binary.as_str()).collect();
    assert_eq!(skipped, ["reports-api"]);
    assert!(
        resolved.skipped[0]
            .reason
            .contains("ATHENA_WORKGROUP names ReportsWorkGroup (AWS::Athena::WorkGroup)"),
        "{:?}",
        resolved.skipped
    );
    env_file(&resolved, &endpoints()).expect("the functions agree on every variable");
}
