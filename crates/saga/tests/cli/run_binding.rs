//! `saga run` serves on loopback unless `--listen` says otherwise, and says
//! when it starts that it does not enforce the deployed API's authentication.

use clap::Parser;
use saga::cli::{Cli, Command};
use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn saga_run_listens_on_loopback_unless_listen_says_otherwise() {
    let Command::Run(args) = Cli::try_parse_from(["saga", "run"]).unwrap().command else {
        panic!("not the run command");
    };
    assert!(args.listen.ip().is_loopback(), "{}", args.listen);
    assert_eq!(args.listen.to_string(), "127.0.0.1:3000");
    let Command::Run(args) = Cli::try_parse_from(["saga", "run", "--listen", "0.0.0.0:8080"])
        .unwrap()
        .command
    else {
        panic!("not the run command");
    };
    assert_eq!(args.listen.to_string(), "0.0.0.0:8080");
}

#[test]
fn saga_run_says_it_serves_without_authentication_on_loopback_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = crate::spawn_run(&dir.path().join("saga.db"));
    let stderr = child.stderr.take().unwrap();
    let (lines, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let serving = loop {
        match seen.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains("serving http://") => break Some(line),
            Ok(line) => log.push(line),
            Err(_) => break None,
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let serving = serving.unwrap_or_else(|| panic!("never served:\n{}", log.join("\n")));
    assert!(serving.contains("serving http://127.0.0.1:"), "{serving}");
    let notice = log
        .iter()
        .find(|l| l.contains("without authentication"))
        .unwrap_or_else(|| panic!("no authentication notice:\n{}", log.join("\n")));
    assert!(
        notice.contains("the deployed API requires")
            && notice.contains("AWS_IAM (SigV4)")
            && notice.contains("on loopback only (127.0.0.1:"),
        "{notice}"
    );
}
