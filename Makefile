# ordersaga — every command a user or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
# One target dir for every profile and tool, so nothing is built twice.
export CARGO_TARGET_DIR ?= $(CURDIR)/target

include mk/tools.mk
include mk/aws.mk
include mk/resilience.mk
include mk/fuzz.mk
include mk/localstack.mk
include mk/browser.mk

.PHONY: help run demo test test-rust lint fmt schema schema-check build sam-build deploy bench bench-aws-api bench-backends bench-scale fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^[^:]*:([a-z-]+):.*## /\1\t/; s/^([a-z-]+):.*## /\1\t/' | sort | column -t -s $$'\t'

run: ## run the whole saga locally from infra/template.yaml (no Docker, no AWS) on 127.0.0.1:3000; prints the console's URL (http://127.0.0.1:3000/console/)
	$(CARGO) run --release --locked -p saga --bin saga -- run --template infra/template.yaml

demo: ## place ORDERS orders (default 20000) across every saga path; prints throughput, latency, invariants
	$(CARGO) run --release --locked -p saga --bin saga -- demo --orders $(or $(ORDERS),20000) --concurrency $(or $(CONCURRENCY),64) --db .saga/demo.db

test: tools lint test-rust fuzz-ci ## every test: fmt, clippy, template lint and policy tests, every Rust test (the console's in headless Chromium among them), then every fuzz target (5 s each; none links the AWS SDK)

# aws-build: the Lambda invocations under the runtime interface emulator
# run the functions' bootstraps, profile lambda-test: the deploy profile's
# semantics without its optimisation (mk/aws.mk, docs/aws.md).
# localstack-install: the scenario suite starts its own LocalStack (see
# mk/localstack.mk); localstack-tests-stopped checks it is gone afterwards.
# On a cold clone it downloads (pip, npm) while aws-build compiles.
test-rust: browser-install ## cargo tests of every crate (contracts, services, adapters, pattern engine, CLI, e2e on embedded/moto/LocalStack/saga run, Lambdas under the emulator against moto)
	@mkdir -p $(CARGO_TARGET_DIR)
	@$(MAKE) --no-print-directory localstack-install > $(CARGO_TARGET_DIR)/localstack-install.log 2>&1 & installing=$$!; \
	  $(MAKE) --no-print-directory aws-build; built=$$?; \
	  wait $$installing || { cat $(CARGO_TARGET_DIR)/localstack-install.log; echo "make localstack-install failed" >&2; exit 1; }; \
	  exit $$built
	$(CARGO) test --workspace --all-targets --locked; status=$$?; \
	  $(MAKE) --no-print-directory localstack-tests-stopped && exit $$status
	$(CARGO) test --workspace --doc --locked

lint: tools ## rustfmt, clippy (warnings are errors), cfn-lint, sam validate, checkov
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(MAKE) lint-template

fmt: ## format the Rust code
	$(CARGO) fmt --all

schema: ## regenerate events-schema/schemas from the Rust event types, publish compatible changes as new revisions (refused if one breaks its published revision), then the template's generated section (schema registry, report queries, dashboard)
	UPDATE_SCHEMAS=1 $(CARGO) test -p events --test contracts --locked
	$(CARGO) run --locked -q -p saga --bin saga -- schema publish --dir events-schema
	$(PYTHON) tools/template_sections.py

schema-check: ## the compatibility gate: every current contract against its last published revision (make test runs it in crates/saga/tests/cli/schema_command.rs)
	$(CARGO) run --locked -q -p saga --bin saga -- schema check --dir events-schema

build: tools ## one arm64 bootstrap per function (cargo lambda build --release --arm64, lambda-release settings)
	rustup target list --installed | grep -q aarch64-unknown-linux-gnu || $(MAKE) rust-arm64-target
	$(LAMBDA_RELEASE_ENV) $(CARGO_LAMBDA_BUILD) --locked $(call LAMBDA_SELECT)
	@ls -1 $(addprefix $(CARGO_TARGET_DIR)/lambda/,$(addsuffix /bootstrap,$(LAMBDA_BINS)))

sam-build: tools ## sam build (runs cargo lambda for every function of the template, lambda-release settings)
	cd infra && $(LAMBDA_RELEASE_ENV) $(TOOLS_ENV) ../$(SAM) build --beta-features

deploy: sam-build ## sam deploy with infra/samconfig.toml (add ARGS=--guided the first time)
	cd infra && ../$(SAM) deploy $(ARGS)

bench: tools localstack-install ## criterion benchmarks of the pattern engine against quamina, with same-run ratios; saga match end to end against quamina on one file; saga run's AWS APIs against LocalStack's; bootstrap sizes and cold starts; the same orders on embedded, moto and LocalStack side by side; a big database (bench-scale); keyed against keyless orders (bench-keys)
	$(CARGO) bench -p pattern
	$(CARGO) bench --locked -p saga --bench match_file
	$(MAKE) bench-aws-api
	$(MAKE) aws-bench
	$(MAKE) bench-backends
	$(MAKE) bench-scale
	$(MAKE) bench-keys

bench-scale: ## a big database: saga seed of 10k, 100k and 1M orders (SCALE_ORDERS=10000,100000 for a quick run; SCALE_SECONDS per load phase, 10), then saga run on each: start-up, POST /orders and GET /orders/{id} p50/p99 at 500/s open loop, every report over the last day and over everything, saga trace, peak RSS, bytes per order, each with its ratio to the first size
	$(CARGO) bench --locked -p saga --bench scale

bench-aws-api: tools localstack-install ## saga run's EventBridge and SQS APIs against LocalStack's, with the Rust SDK: PutEvents (10-entry batches) and SQS round trips per second, and the ratios
	$(CARGO) bench --locked -p saga --bench aws_api; status=$$?; \
	  $(MAKE) --no-print-directory localstack-tests-stopped && exit $$status

bench-backends: tools localstack-install ## BENCH_ORDERS (40) orders, BENCH_CONCURRENCY (8) at a time, across every saga path on embedded, moto and LocalStack in one run: orders/s, p50/p99 placement-to-final latency, ratios to embedded
	$(CARGO) bench --locked -p saga-e2e --bench backends; status=$$?; \
	  $(MAKE) --no-print-directory localstack-tests-stopped && exit $$status

clean: ## remove build output and the local tool venvs (LocalStack's included, stopped first)
	$(MAKE) --no-print-directory localstack-stop
	$(CARGO) clean
	rm -rf .venv .aws-sam .localstack
