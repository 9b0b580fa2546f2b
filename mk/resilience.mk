# mk/resilience.mk — evidence that the saga holds up (issue 6): the seeded
# simulation, its soak, and a load test with a real HTTP load tool.
# Included by the root Makefile, after mk/tools.mk (for $(PYTHON)).
#
#   make simulate   SEEDS seeds (default 200) of the saga under faults
#   make soak       the same over SEEDS seeds (default 5000)
#   make load       oha against saga run: ORDERS (10000) x ROUNDS (3) at CONCURRENCY (64)
#   make chaos      a real saga run under a hostile mix for CHAOS_SECONDS (60)
#
# `make test` runs 200 seeds itself (crates/saga-e2e/simulation) and the crash
# recovery test (crates/saga/tests/crash_recovery); `make fuzz` runs the
# fuzz targets, hostile-input ones included.

_RESILIENCE_MK_DEFAULT_GOAL := $(.DEFAULT_GOAL)

CARGO ?= cargo
PYTHON ?= python3
# oha, the HTTP load generator, pinned (built once per machine, see
# CARGO_TOOLS_CACHE in mk/tools.mk).
OHA_VERSION := 1.16.0
OHA := $(call cargo_tool_root,oha,$(OHA_VERSION))/bin/oha
SAGA_RELEASE := $(CARGO_TARGET_DIR)/release/saga

.PHONY: simulate soak load saga-release chaos bench-keys

saga-release:
	$(CARGO) build --release --locked -p saga --bin saga

simulate: saga-release ## the whole saga under a seeded fault schedule, SEEDS seeds (200); paths and faults reached; failing seeds named (rerun: saga simulate --seed N)
	$(SAGA_RELEASE) simulate --seeds $(or $(SEEDS),200) --from $(or $(FROM),0)

soak: saga-release ## the simulation over SEEDS seeds (5000), with the same summary
	$(SAGA_RELEASE) simulate --seeds $(or $(SEEDS),5000) --from $(or $(FROM),0)

bench-keys: saga-release ## saga demo with an Idempotency-Key on every order and without, alternating PAIRS (4) pairs of ORDERS (10000) in one session: each run's orders/s, each mode's median, the keyed/keyless ratio (target: within 10 %)
	$(PYTHON) tools/bench_keys.py $(SAGA_RELEASE) --orders $(or $(ORDERS),10000) --pairs $(or $(PAIRS),4)

$(OHA):
	$(CARGO) install oha --version $(OHA_VERSION) --locked --root $(call cargo_tool_root,oha,$(OHA_VERSION))

load: saga-release $(OHA) ## oha drives POST /orders on 127.0.0.1: requests/s, latency percentiles, no errors, no order lost, RSS flat
	$(PYTHON) tools/load.py $(SAGA_RELEASE) $(OHA) --orders $(or $(ORDERS),10000) \
	  --concurrency $(or $(CONCURRENCY),64) --rounds $(or $(ROUNDS),3)

# Loopback only; `make test` runs the same suite for 12 s.
chaos: ## a real saga run for CHAOS_SECONDS (60): order bursts, SIGKILLs and restarts, a second runtime, slow clients, report floods, replays; every acknowledged order final, invariants, archive growth; prints its figures
	CHAOS_SECONDS=$(or $(CHAOS_SECONDS),60) $(CARGO) test --locked -p saga --test chaos -- --nocapture

.DEFAULT_GOAL := $(_RESILIENCE_MK_DEFAULT_GOAL)
