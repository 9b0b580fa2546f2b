//! `saga match` end to end against the `quamina` crate on the same file, in
//! one run: the saga's rules from `infra/template.yaml` plus thirty rules
//! using every operator both engines support, over a file of compact events
//! built from the saga's own event contracts (`events-schema/examples`, about
//! 670 bytes each) with varied values.
//!
//! Ours is the real `saga match --rules FILE --events FILE` process (clap,
//! loading the rules, reading the file, validating each event as
//! TestEventPattern does, matching, writing every result line to a file).
//! Quamina's side does the same work in this process: it compiles the same
//! rules, reads the same file line by line, matches each line and writes one
//! result line per event and per matched rule to a file. It is spared the
//! process start and `saga match`'s `(source / detail-type)` label, so the
//! ratio leans in its favour. Runs alternate (quamina, ours, quamina, ...),
//! since the machine is shared; the ratio is taken per pair and its median
//! printed. Before any timing both engines must agree on every event.
//!
//! `cargo bench -p saga --bench match_file [-- EVENTS ROUNDS]`
//! (defaults 40,000 events, 5 rounds).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiring::template::{RuleState, Template};

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse::<usize>());
    let events = args.next().and_then(Result::ok).unwrap_or(40_000);
    let rounds = args.next().and_then(Result::ok).unwrap_or(5);

    let dir = tempfile::tempdir().expect("temp dir");
    let rules = rules();
    let rules_path = dir.path().join("rules.json");
    std::fs::write(
        &rules_path,
        Value::Object(rules.clone().into_iter().collect()).to_string(),
    )
    .expect("write rules");
    let lines = event_lines(events);
    let events_path = dir.path().join("events.jsonl");
    std::fs::write(&events_path, lines.join("\n") + "\n").expect("write events");
    let bytes = lines.iter().map(String::len).sum::<usize>();
    let expected = check_agreement(&rules, &lines);
    println!(
        "match_file: {} rules ({} from infra/template.yaml), {events} events of {} bytes on average, \
         {expected} rule matches; both engines agree on every event",
        rules.len(),
        rules.len() - MIXED.len(),
        bytes / events,
    );
    println!("match_file: load before: {}", load_average());

    let mut pairs = Vec::new();
    for round in 1..=rounds {
        let theirs = run_quamina(
            &rules_path,
            &events_path,
            &dir.path().join("quamina.out"),
            expected,
        );
        let ours = run_saga(
            &rules_path,
            &events_path,
            &dir.path().join("saga.out"),
            expected,
        );
        let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
        println!(
            "match_file: round {round}: saga match {:.1} ms ({:.0} events/s), quamina {:.1} ms \
             ({:.0} events/s): saga match {ratio:.2}x faster",
            ours.as_secs_f64() * 1e3,
            events as f64 / ours.as_secs_f64(),
            theirs.as_secs_f64() * 1e3,
            events as f64 / theirs.as_secs_f64(),
        );
        pairs.push((ours, theirs, ratio));
    }
    let mut ratios: Vec<f64> = pairs.iter().map(|p| p.2).collect();
    ratios.sort_by(f64::total_cmp);
    let best_ours = pairs.iter().map(|p| p.0).min().unwrap_or_default();
    let best_theirs = pairs.iter().map(|p| p.1).min().unwrap_or_default();
    println!(
        "match_file: end to end, saga match against quamina: median {:.2}x (range {:.2}-{:.2}x \
         over {rounds} alternating pairs); fastest runs {:.1} ms against {:.1} ms ({:.2}x)",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
        best_ours.as_secs_f64() * 1e3,
        best_theirs.as_secs_f64() * 1e3,
        best_theirs.as_secs_f64() / best_ours.as_secs_f64(),
    );
    println!("match_file: load after: {}", load_average());
}

/// Thirty rules over the saga's events, one or more of every operator both
/// engines support: exact strings and numbers, prefix, suffix, wildcard,
/// equals-ignore-case, anything-but (one value and lists), numeric ranges,
/// exists (true and false), and fields inside arrays of objects.
const MIXED: [&str; 30] = [
    r#"{"source":["shop.orders"],"detail":{"data":{"customerId":["cust-42"]}}}"#,
    r#"{"source":[{"prefix":"shop."}],"detail-type":[{"prefix":"Payment"}]}"#,
    r#"{"detail-type":[{"suffix":"Failed"}]}"#,
    r#"{"detail-type":[{"suffix":"Reserved"}],"detail":{"data":{"shipTo":{"country":["DE","AT","CH"]}}}}"#,
    r#"{"source":[{"anything-but":["shop.orders","shop.shipping"]}]}"#,
    r#"{"detail-type":[{"anything-but":"Order Placed"}],"detail":{"data":{"amount":{"minor":[{"numeric":[">",0,"<=",5000]}]}}}}"#,
    r#"{"detail":{"data":{"amount":{"minor":[{"numeric":[">=",20000,"<",30000]}]}}}}"#,
    r#"{"detail":{"data":{"amount":{"currency":[{"anything-but":"EUR"}]}}}}"#,
    r#"{"detail":{"data":{"orderId":[{"prefix":"0001"}]}}}"#,
    r#"{"detail":{"data":{"customerId":[{"wildcard":"cust-*7"}]}}}"#,
    r#"{"time":[{"wildcard":"2026-11-22T09:1*"}]}"#,
    r#"{"id":[{"wildcard":"*-000000000042"}]}"#,
    r#"{"detail":{"data":{"lines":{"sku":["MOUSE-002"]}}}}"#,
    r#"{"detail":{"data":{"lines":{"quantity":[{"numeric":[">=",2]}],"sku":["KB-001"]}}}}"#,
    r#"{"detail":{"data":{"lines":{"unitPrice":{"minor":[{"numeric":["<",1000]}]}}}}}"#,
    r#"{"detail":{"data":{"shipTo":{"country":[{"anything-but":["GB","FR"]}]}}}}"#,
    r#"{"detail":{"data":{"shipTo":{"city":[{"equals-ignore-case":"LONDON"}]}}}}"#,
    r#"{"detail":{"data":{"promotionCode":[{"exists":false}]},"metadata":{"version":[1]}}}"#,
    r#"{"detail":{"data":{"promotionCode":[{"prefix":"WELCOME"}]}}}"#,
    r#"{"region":["us-east-1"],"account":["123456789012"],"detail-type":["Shipment Scheduled"]}"#,
    r#"{"detail":{"data":{"reason":{"code":["OUT_OF_STOCK","CARD_DECLINED"]}}}}"#,
    r#"{"detail":{"data":{"reason":{"message":[{"wildcard":"*declined*"}]}}}}"#,
    r#"{"detail":{"data":{"amount":{"minor":[{"numeric":["=",12999]}]}}}}"#,
    r#"{"source":["shop.payment"],"detail":{"data":{"amount":{"minor":[{"numeric":[">",30000]}]}}}}"#,
    r#"{"detail":{"data":{"shipTo":{"postalCode":[{"prefix":"N1"}],"city":["London"]}}}}"#,
    r#"{"detail-type":["Order Cancelled","Order Expired"]}"#,
    r#"{"source":["shop.shipping"],"detail":{"data":{"carrier":[{"exists":true}]}}}"#,
    r#"{"detail":{"metadata":{"correlationId":[{"suffix":"5dd3"}]}}}"#,
    r#"{"detail":{"data":{"paymentToken":[{"equals-ignore-case":"TOK_VISA"}]}}}"#,
    r#"{"version":["0"],"detail":{"metadata":{"version":[2]}}}"#,
];

/// The enabled rules with an EventPattern in `infra/template.yaml`, then
/// `MIXED`, by name.
fn rules() -> BTreeMap<String, Value> {
    let template = repo().join("infra/template.yaml");
    let template = Template::from_path(&template).expect("infra/template.yaml loads");
    let mut rules = BTreeMap::new();
    for rule in template.event_rules().expect("the template's rules") {
        // As `saga match --template` takes them: every rule with a pattern
        // that is not disabled.
        if let Some(pattern) = rule.event_pattern
            && rule.state != RuleState::Disabled
        {
            rules.insert(rule.logical_id, pattern);
        }
    }
    for (i, pattern) in MIXED.iter().enumerate() {
        let pattern: Value = serde_json::from_str(pattern).expect("a JSON pattern");
        rules.insert(format!("Mixed{i:02}"), pattern);
    }
    rules
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `count` compact events: the saga's example events in turn, each with its
/// own ids, time, amount, customer and country.
fn event_lines(count: usize) -> Vec<String> {
    let mut examples: Vec<PathBuf> = std::fs::read_dir(repo().join("events-schema/examples"))
        .expect("events-schema/examples")
        .map(|entry| entry.expect("an example").path())
        .collect();
    examples.sort();
    let examples: Vec<Value> = examples
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("read an example");
            serde_json::from_str(&text).expect("an example is JSON")
        })
        .collect();
    (0..count)
        .map(|n| {
            let mut event = examples[n % examples.len()].clone();
            vary(&mut event, n);
            event.to_string()
        })
        .collect()
}

fn vary(event: &mut Value, n: usize) {
    event["id"] = json!(format!("6a7e8feb-b491-4cf7-a9f1-{n:012}"));
    event["time"] = json!(format!("2026-11-22T09:{:02}:{:02}Z", n / 60 % 60, n % 60));
    let order = format!("{:04}{:04}-beda-57b2-b035-8275dd005dd3", n % 3000, n / 3000);
    let data = &mut event["detail"]["data"];
    if data.get("orderId").is_some() {
        data["orderId"] = json!(order);
    }
    if data.get("customerId").is_some() {
        data["customerId"] = json!(format!("cust-{}", n % 97));
    }
    if let Some(minor) = data.pointer_mut("/amount/minor") {
        *minor = json!(500 + (n * 7919) % 160_000);
    }
    if let Some(country) = data.pointer_mut("/shipTo/country") {
        *country = json!(["GB", "DE", "FR", "US"][n % 4]);
    }
    if n.is_multiple_of(3)
        && let Some(data) = data.as_object_mut()
    {
        data.remove("promotionCode");
    }
}

/// The rule matches of each engine must be the same before their speeds
/// are compared; returns the total number of rule matches.
fn check_agreement(rules: &BTreeMap<String, Value>, lines: &[String]) -> usize {
    let quamina = quamina(rules);
    let mut builder = pattern::MatcherBuilder::new();
    for (name, pattern) in rules {
        builder.add(
            name.clone(),
            pattern::Pattern::from_value(pattern).expect("valid rule"),
        );
    }
    let ours = builder.build();
    let mut total = 0;
    for line in lines {
        pattern::validate_event(line.as_bytes()).expect("a valid event");
        let ours: Vec<&String> = ours.matching_rules(line.as_bytes()).expect("valid event");
        let mut theirs = quamina
            .matches_for_event(line.as_bytes())
            .expect("valid event");
        theirs.sort();
        theirs.dedup();
        assert_eq!(
            ours,
            theirs.iter().collect::<Vec<_>>(),
            "engines disagree on {line}"
        );
        total += ours.len();
    }
    total
}

fn quamina(rules: &BTreeMap<String, Value>) -> quamina::Quamina<String> {
    let mut quamina = quamina::Quamina::new();
    for (name, pattern) in rules {
        quamina
            .add_pattern(name.clone(), &pattern.to_string())
            .unwrap_or_else(|e| panic!("quamina refuses {name}: {e:?}"));
    }
    quamina
}

/// The real command, its results written to `out`.
fn run_saga(rules: &Path, events: &Path, out: &Path, expected: usize) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_saga"))
        .arg("match")
        .arg("--rules")
        .arg(rules)
        .arg("--events")
        .arg(events)
        .stdout(std::fs::File::create(out).expect("create output"))
        .stderr(Stdio::inherit())
        .status()
        .expect("run saga match");
    let elapsed = started.elapsed();
    assert!(status.success(), "saga match failed: {status}");
    let text = std::fs::read_to_string(out).expect("read saga match's output");
    let summary = text.lines().last().unwrap_or_default();
    assert!(
        summary.contains(&format!("{expected} rule matches, 0 invalid")),
        "saga match disagrees with the agreement check: {summary}"
    );
    elapsed
}

/// Quamina doing `saga match`'s work: compile, read, match, write.
fn run_quamina(rules: &Path, events: &Path, out: &Path, expected: usize) -> Duration {
    let started = Instant::now();
    let text = std::fs::read_to_string(rules).expect("read rules");
    let rules: BTreeMap<String, Value> = serde_json::from_str(&text).expect("rules JSON");
    let quamina = quamina(&rules);
    let mut input = BufReader::new(std::fs::File::open(events).expect("open events"));
    let mut output = BufWriter::new(std::fs::File::create(out).expect("create output"));
    let mut line = Vec::new();
    let (mut number, mut total) = (0, 0);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).expect("read events") == 0 {
            break;
        }
        number += 1;
        let mut matched = quamina.matches_for_event(&line).expect("valid event");
        matched.sort();
        matched.dedup();
        total += matched.len();
        if matched.is_empty() {
            writeln!(output, "line {number}: no rule matched").expect("write");
        } else {
            writeln!(output, "line {number}:").expect("write");
            for rule in &matched {
                writeln!(output, "  {rule}").expect("write");
            }
        }
    }
    writeln!(output, "summary: {number} events, {total} rule matches").expect("write");
    output.flush().expect("flush");
    let elapsed = started.elapsed();
    assert_eq!(
        total, expected,
        "quamina disagrees with the agreement check"
    );
    elapsed
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}
