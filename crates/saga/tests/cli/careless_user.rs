//! Mistakes a careless user makes get an error that names them, and leave
//! nothing behind: a mistyped `--db`, an unknown DLQ, a port in use, a
//! host name for `--listen`, a date for `replay --from`, Ctrl-C in demo.

use crate::{saga, template};
use clap::Parser;
use saga::cli::{Cli, Command};

#[test]
fn trace_and_dlq_list_with_a_mistyped_db_say_there_is_none_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    let db = db.to_str().unwrap();
    let trace = saga(&[
        "trace",
        "00000000-0000-0000-0000-000000000001",
        "--template",
        &template(),
        "--db",
        db,
    ]);
    let list = saga(&["dlq", "list", "--template", &template(), "--db", db]);
    for run in [trace, list] {
        assert!(!run.status.success(), "{}", run.stdout);
        assert!(
            run.stderr.contains("no saga database at") && run.stderr.contains("typo.db"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing created"
    );
}

#[test]
fn redriving_an_unknown_dlq_is_an_error_naming_the_template_s_dlqs() {
    let run = saga(&[
        "dlq",
        "redrive",
        "--queue",
        "NoSuchDLQ",
        "--template",
        &template(),
        "--db",
        "/nonexistent/x.db",
    ]);
    assert!(!run.status.success(), "{}", run.stdout);
    assert!(
        run.stderr.contains("NoSuchDLQ") && run.stderr.contains("InventoryDLQ"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("redriven"), "{}", run.stdout);
}

#[test]
fn a_port_in_use_is_an_error_and_leaves_no_database_behind() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("saga.db");
    let run = saga(&[
        "run",
        "--listen",
        &addr,
        "--template",
        &template(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    assert!(run.stderr.contains(&addr), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing created"
    );
}

#[test]
fn listen_takes_a_host_name_as_well_as_an_address() {
    let Command::Run(args) = Cli::try_parse_from(["saga", "run", "--listen", "localhost:3000"])
        .unwrap()
        .command
    else {
        panic!("not run")
    };
    assert!(args.listen.ip().is_loopback(), "{}", args.listen);
    assert_eq!(args.listen.port(), 3000);
    let err = Cli::try_parse_from(["saga", "run", "--listen", "no-such-host.invalid:3000"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("no-such-host.invalid"), "{err}");
}

#[test]
fn replay_takes_a_date_as_report_does() {
    let run = saga(&[
        "replay",
        "--from",
        "2026-12-05",
        "--to",
        "2026-12-06",
        "--template",
        &template(),
        "--db",
        "/nonexistent/x.db",
    ]);
    assert!(!run.status.success());
    // The dates were taken; what is missing is the database.
    assert!(run.stderr.contains("no saga database"), "{}", run.stderr);
    let bad = saga(&["replay", "--from", "yesterday", "--template", &template()]);
    assert!(bad.stderr.contains("yesterday"), "{}", bad.stderr);
}

#[test]
fn ctrl_c_stops_demo_with_the_interrupted_exit_code_and_says_what_it_did() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_saga"))
        .args(["demo", "--orders", "1000000", "--rate", "50", "--template"])
        .arg(template())
        .arg("--db")
        .arg(&db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Demo listens for Ctrl-C from its first progress line on; the second
    // one says it is placing orders and listening.
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut seen, mut buf, mut sent) = (String::new(), [0u8; 512], false);
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if !sent && seen.matches("placed ").count() >= 2 {
                sent = tx.send(()).is_ok();
            }
        }
    });
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("demo reports its progress");
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("interrupted"), "{stdout}");
}

#[test]
fn an_error_names_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("catalogue.json");
    std::fs::write(&catalogue, r#"[{"sku": 1}]"#).unwrap();
    let missing_template = saga(&["run", "--template", "/nonexistent/template.yaml"]);
    let bad_catalogue = saga(&[
        "run",
        "--listen",
        "127.0.0.1:0",
        "--template",
        &template(),
        "--db",
        dir.path().join("saga.db").to_str().unwrap(),
        "--catalogue",
        catalogue.to_str().unwrap(),
    ]);
    let lint = saga(&["lint", "--template", "/nonexistent/template.yaml"]);
    for (run, cause) in [
        (missing_template, "No such file or directory"),
        (bad_catalogue, "invalid type: integer"),
        (lint, "No such file or directory"),
    ] {
        assert!(!run.status.success());
        assert_eq!(run.stderr.matches(cause).count(), 1, "{}", run.stderr);
    }
}
