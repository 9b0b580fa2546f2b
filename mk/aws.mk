# mk/aws.mk — the AWS side proved on this machine (no Docker, no account):
# every Lambda bootstrap under the AWS Lambda Runtime Interface Emulator
# (shipped inside aws-sam-cli) against moto, the DynamoDB adapters against
# moto, and bootstrap size / cold start figures. See docs/aws.md.
# Included by the root Makefile, after mk/tools.mk.
#
#   make aws-build          the bootstraps for this host, profile lambda-test
#                           (what the tests run under the emulator)
#   make aws-build-release  the same, profile lambda-release (what ships)
#   make aws-test           the saga-aws-tests package (RIE + moto)
#   make aws-bench          sizes (raw, zipped) and cold starts vs a hello
#                           world, of the lambda-release bootstraps

_AWS_MK_DEFAULT_GOAL := $(.DEFAULT_GOAL)

CARGO ?= cargo
# The functions of infra/template.yaml: their packages and binaries
# (crates/saga-aws-tests/tests/build_config.rs checks these lists against the template
# and against crates/saga-aws-tests' own).
LAMBDA_PACKAGES := orders inventory payment shipping dlq reports
LAMBDA_BINS := orders-api orders-consumer outbox-relay inventory-consumer \
	payment-consumer shipping-consumer dlq-handler dlq-redrive reports-api
LAMBDA_SELECT = $(addprefix -p ,$(LAMBDA_PACKAGES) $(1)) $(addprefix --bin ,$(LAMBDA_BINS) $(2))

# The arm64 builds (`make build`, `make sam-build`) go through `cargo lambda
# build --release`: SAM's rust-cargolambda builder always passes --release
# and has no option for a profile. These variables give that release build
# the settings of [profile.lambda-release]; it lives in
# target/aarch64-unknown-linux-gnu/release, which nothing else uses, so the
# host's release builds (benches, demo) are untouched. Keep them equal to
# the profile (crates/saga-aws-tests/tests/build_config.rs checks it).
LAMBDA_RELEASE_ENV := env CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=fat \
	CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort \
	CARGO_PROFILE_RELEASE_STRIP=symbols

.PHONY: aws-build aws-build-release aws-test aws-bench

# Two profiles, one set of semantics. The tests run `lambda-test`
# bootstraps: lambda-release's panic = "abort", no debug assertions and no
# overflow checks, built without optimisation. Fat LTO with one codegen
# unit over nine SDK-sized binaries was the largest step of a cold `make
# test`, and optimisation changes no behaviour a test can see; size and
# cold start are the bench's business, on lambda-release.
aws-build: ## the functions' bootstraps and the lambda_runtime hello world for this host, profile lambda-test (the tests'), one cargo invocation
	$(CARGO) build --profile lambda-test --locked $(call LAMBDA_SELECT,lambda-hello,lambda-hello)

aws-build-release: ## the same bootstraps, profile lambda-release (what ships; the bench measures it)
	$(CARGO) build --profile lambda-release --locked $(call LAMBDA_SELECT,lambda-hello,lambda-hello)

aws-test: tools aws-build ## every Lambda bootstrap (lambda-test) under the RIE against moto, and the DynamoDB adapters against moto
	$(CARGO) test --locked -p saga-aws-tests

# The bench itself runs as a dev build (it only starts processes and reads
# clocks); what it measures is the lambda-release bootstraps.
aws-bench: tools aws-build-release ## bootstrap sizes (raw, zipped) and cold starts under the RIE, against a hello world
	$(CARGO) run --locked -p saga-aws-tests --bin lambda-bench -- --runs $${AWS_BENCH_RUNS:-7}

.DEFAULT_GOAL := $(_AWS_MK_DEFAULT_GOAL)
