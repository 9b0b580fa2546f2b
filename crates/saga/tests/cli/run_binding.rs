//! `saga run` serves on loopback unless `--listen` says otherwise, and says
//! when it starts that it does not enforce the deployed API's authentication.

use clap::Parser;
use saga::cli::{Cli, Command};

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
    let server = crate::start_run(&dir.path().join("saga.db"));
    let log: Vec<&str> = server.log.lines().collect();
    let serving = log.last().expect("the serving line");
    assert!(serving.contains("serving http://127.0.0.1:"), "{serving}");
    let notice = log
        .iter()
        .find(|l| l.contains("without authentication"))
        .unwrap_or_else(|| panic!("no authentication notice:\n{}", server.log));
    assert!(
        notice.contains("the deployed API requires")
            && notice.contains("AWS_IAM (SigV4)")
            && notice.contains("on loopback only (127.0.0.1:"),
        "{notice}"
    );
}
