# mk/fuzz.mk — the cargo-fuzz targets (fuzz/), with a pinned cargo-fuzz
# (built once per machine, see CARGO_TOOLS_CACHE in mk/tools.mk) and the
# nightly toolchain libFuzzer's instrumentation needs.
#
#   make fuzz       every target FUZZ_SECONDS (60) each
#   make fuzz-ci    every target FUZZ_CI_SECONDS (5) each; `make test` runs
#                   it and prints executions per target
#
# Corpora: fuzz/seeds/<target> (kept in git), fuzz/regressions/<target>
# (crash reproducers, kept in git and replayed at every run), and
# fuzz/corpus/<target> (what libFuzzer adds, not kept). A crash writes its
# reproducer to fuzz/artifacts/<target>/: move it to fuzz/regressions/.
#
# No target links the AWS SDK: post_order_body, sqs_batch and template_load
# take platform, the services and reports without their `aws` feature
# (fuzz/Cargo.toml): a cold nightly sanitizer build of the SDK did not
# finish in 13 minutes on this 2-core machine. They bring SQLite
# (bundled C), tokio, axum and aws_lambda_events into the fuzz build; 5 s
# of fuzzing each adds 30 s.

_FUZZ_MK_DEFAULT_GOAL := $(.DEFAULT_GOAL)

CARGO ?= cargo
CARGO_FUZZ_VERSION := 0.13.1
CARGO_FUZZ_ROOT := $(call cargo_tool_root,cargo-fuzz,$(CARGO_FUZZ_VERSION))
CARGO_FUZZ := $(CARGO_FUZZ_ROOT)/bin/cargo-fuzz
# Every target of fuzz/Cargo.toml.
FUZZ_CI_TARGETS := parse_pattern match_event bus_event_envelope post_order_body sqs_batch template_load

# make test's short run (fuzz-ci) builds at opt-level 1, in its own target
# dir: a cold build of the six targets took 297 s of CPU instead of 517 s at
# cargo-fuzz's opt-level 3 (5 Dec 2026), and 5 s still runs 10^4 to 10^5
# inputs per target (template_load ~9,000, parse_pattern ~300,000). `make
# fuzz`, the long run, keeps opt-level 3.
FUZZ_CI_ENV := CARGO_PROFILE_RELEASE_OPT_LEVEL=1
FUZZ_CI_FLAGS := --target-dir fuzz/target/ci

.PHONY: fuzz fuzz-build fuzz-ci fuzz-ci-build fuzz-nightly

# cargo-fuzz itself builds with the default (stable) toolchain: its pinned
# lock does not build on recent nightlies (rustix 0.36).
$(CARGO_FUZZ):
	$(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked --root $(CARGO_FUZZ_ROOT)

fuzz-nightly:
	@$(CARGO) +nightly --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal

# $(call fuzz_run,TARGET,SECONDS,FLAGS,ENV): runs one target over its
# corpora and prints how many inputs it ran (libFuzzer's "Done N runs").
define fuzz_run
	@mkdir -p fuzz/corpus/$(1) fuzz/regressions/$(1); \
	dirs="fuzz/corpus/$(1) fuzz/regressions/$(1)"; \
	if [ -d fuzz/seeds/$(1) ]; then dirs="$$dirs fuzz/seeds/$(1)"; fi; \
	log=$$(mktemp); \
	if $(4) PATH="$(CARGO_FUZZ_ROOT)/bin:$$PATH" $(CARGO) +nightly fuzz run --fuzz-dir fuzz $(3) $(1) $$dirs -- \
	  -max_total_time=$(2) -print_final_stats=1 >$$log 2>&1; then \
	  echo "fuzz $(1): $$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' $$log | tail -1), no crash"; rm -f $$log; \
	else tail -40 $$log; echo "fuzz $(1) FAILED (log $$log; reproducer under fuzz/artifacts/$(1))"; exit 1; fi
endef

# Every target in one cargo invocation, so cargo compiles and links them in
# parallel; `cargo fuzz run` then finds them built (same default flags).
fuzz-build: $(CARGO_FUZZ) fuzz-nightly
	PATH="$(CARGO_FUZZ_ROOT)/bin:$$PATH" $(CARGO) +nightly fuzz build --fuzz-dir fuzz

fuzz-ci-build: $(CARGO_FUZZ) fuzz-nightly
	$(FUZZ_CI_ENV) PATH="$(CARGO_FUZZ_ROOT)/bin:$$PATH" $(CARGO) +nightly fuzz build --fuzz-dir fuzz $(FUZZ_CI_FLAGS)

fuzz-ci: fuzz-ci-build ## every fuzz target FUZZ_CI_SECONDS (5) each, over their seeds and regressions (opt-level 1); prints executions per target
	$(foreach t,$(FUZZ_CI_TARGETS),$(call fuzz_run,$(t),$(or $(FUZZ_CI_SECONDS),5),$(FUZZ_CI_FLAGS),$(FUZZ_CI_ENV))$(newline))

fuzz: fuzz-build ## every cargo-fuzz target FUZZ_SECONDS (60) each
	$(foreach t,$(shell PATH="$(CARGO_FUZZ_ROOT)/bin:$$PATH" $(CARGO) +nightly fuzz list --fuzz-dir fuzz),$(call fuzz_run,$(t),$(or $(FUZZ_SECONDS),60),)$(newline))

define newline


endef

.DEFAULT_GOAL := $(_FUZZ_MK_DEFAULT_GOAL)
