//! The lists of Lambda functions and the Lambda build settings are written
//! in several places (the template, mk/aws.mk, the harness, the root
//! Cargo.toml); these tests fail as soon as one of them drifts. They read
//! files only: no tool, no build.

use saga_aws_tests::rie::Function;
use saga_aws_tests::tools::{LAMBDA_PROFILE, SERVICE_PACKAGES, TEST_PROFILE};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/saga-aws-tests sits two levels below the workspace root")
        .to_path_buf()
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// `NAME := a b \` continued lines of a make variable, as words.
fn make_words(makefile: &str, name: &str) -> Vec<String> {
    let start = makefile
        .find(&format!("\n{name} :="))
        .unwrap_or_else(|| panic!("mk/aws.mk defines {name}"));
    let mut words = Vec::new();
    for line in makefile[start + 1..].lines() {
        let value = line.split_once(":=").map_or(line, |(_, v)| v);
        words.extend(
            value
                .split_whitespace()
                .filter(|w| *w != "\\")
                .map(str::to_owned),
        );
        if !line.trim_end().ends_with('\\') {
            break;
        }
    }
    words
}

/// (logical id, binary) of every `AWS::Serverless::Function` of the template.
fn template_functions() -> Vec<(String, String)> {
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&read("infra/template.yaml")).expect("the template is YAML");
    let resources = doc["Resources"].as_mapping().expect("template Resources");
    let mut functions: Vec<(String, String)> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, r)| {
            let id = id.as_str().unwrap_or_default().to_owned();
            let binary = r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap_or_else(|| panic!("{id} has no Metadata.BuildProperties.Binary"))
                .to_owned();
            (id, binary)
        })
        .collect();
    functions.sort();
    functions
}

#[test]
fn every_function_of_the_template_is_run_under_the_emulator_and_built_by_make() {
    let template = template_functions();
    let mut harness: Vec<(String, String)> = Function::ALL
        .iter()
        .map(|f| (f.logical_id.to_owned(), f.binary.to_owned()))
        .collect();
    harness.sort();
    assert_eq!(
        harness, template,
        "crates/saga-aws-tests/src/rie.rs Function::ALL must list the template's functions"
    );

    let mut make_bins = make_words(&read("mk/aws.mk"), "LAMBDA_BINS");
    make_bins.sort();
    let mut template_bins: Vec<String> = template.into_iter().map(|(_, b)| b).collect();
    template_bins.sort();
    assert_eq!(
        make_bins, template_bins,
        "mk/aws.mk LAMBDA_BINS must list the template's binaries"
    );
    assert_eq!(
        make_words(&read("mk/aws.mk"), "LAMBDA_PACKAGES"),
        SERVICE_PACKAGES,
        "mk/aws.mk LAMBDA_PACKAGES and crates/saga-aws-tests SERVICE_PACKAGES differ"
    );
}

/// `key = value` lines of a `[profile.<name>]` table, quotes removed.
fn profile(manifest: &str, name: &str) -> BTreeMap<String, String> {
    let header = format!("[profile.{name}]");
    let start = manifest
        .find(&header)
        .unwrap_or_else(|| panic!("Cargo.toml has {header}"));
    manifest[start + header.len()..]
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with('['))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("key = value");
            (k.trim().to_owned(), v.trim().trim_matches('"').to_owned())
        })
        .collect()
}

#[test]
fn the_arm64_release_builds_get_the_settings_of_the_lambda_profile() {
    let mut wanted = profile(&read("Cargo.toml"), LAMBDA_PROFILE);
    assert_eq!(wanted.remove("inherits").as_deref(), Some("release"));
    let env: BTreeMap<String, String> = make_words(&read("mk/aws.mk"), "LAMBDA_RELEASE_ENV")
        .iter()
        .filter_map(|w| w.strip_prefix("CARGO_PROFILE_RELEASE_"))
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("NAME=value");
            (k.to_lowercase().replace('_', "-"), v.to_owned())
        })
        .collect();
    assert_eq!(
        env, wanted,
        "mk/aws.mk LAMBDA_RELEASE_ENV must repeat [profile.{LAMBDA_PROFILE}]"
    );
}

/// The tests run `lambda-test` bootstraps, not the ones that ship: that is
/// only sound while everything a test can observe is the same. Cargo's
/// documented defaults (https://doc.rust-lang.org/cargo/reference/profiles.html):
/// `dev` has debug assertions and overflow checks on and unwinds,
/// `release` (which `lambda-release` inherits) has both off; so the test
/// profile must turn both off and abort on panic, and `lambda-release` and
/// `release` must not turn them back on.
#[test]
fn the_test_bootstraps_behave_as_the_deploy_profile_does() {
    let manifest = read("Cargo.toml");
    let test = profile(&manifest, TEST_PROFILE);
    let deploy = profile(&manifest, LAMBDA_PROFILE);
    let release = profile(&manifest, "release");
    assert_eq!(test.get("inherits").map(String::as_str), Some("dev"));
    assert_eq!(deploy.get("panic"), test.get("panic"), "panic strategy");
    assert_eq!(test.get("panic").map(String::as_str), Some("abort"));
    for key in ["debug-assertions", "overflow-checks"] {
        assert_eq!(
            test.get(key).map(String::as_str),
            Some("false"),
            "[profile.{TEST_PROFILE}] must set {key} = false, as release has it"
        );
        for (name, table) in [(LAMBDA_PROFILE, &deploy), ("release", &release)] {
            assert!(
                table.get(key).is_none_or(|v| v == "false"),
                "[profile.{name}] turns {key} on: the test profile no longer mirrors it"
            );
        }
    }
}
