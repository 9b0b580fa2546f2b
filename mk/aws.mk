# mk/aws.mk — the AWS side proved on this machine (no Docker, no account):
# every Lambda bootstrap under the AWS Lambda Runtime Interface Emulator
# (shipped inside aws-sam-cli) against moto, the DynamoDB adapters against
# moto, and bootstrap size / cold start figures. See docs/aws.md.
# Included by the root Makefile, after mk/tools.mk.
#
#   make aws-build   release bootstraps for this host (one build, reused)
#   make aws-test    the saga-aws-tests package (RIE + moto)
#   make aws-bench   sizes (raw, zipped) and cold starts vs a hello world

_AWS_MK_DEFAULT_GOAL := $(.DEFAULT_GOAL)

CARGO ?= cargo
# The functions of infra/template.yaml live in these packages' bins.
AWS_PACKAGES := orders inventory payment shipping dlq

.PHONY: aws-build aws-test aws-bench

aws-build: ## release bootstraps of every function for this host, and the lambda_runtime hello world
	$(CARGO) build --release --locked --bins $(addprefix -p ,$(AWS_PACKAGES))
	$(CARGO) build --release --locked -p saga-aws-tests --bin lambda-hello

aws-test: tools aws-build ## every Lambda bootstrap under the RIE against moto, and the DynamoDB adapters against moto
	$(CARGO) test --locked -p saga-aws-tests

aws-bench: tools aws-build ## bootstrap sizes (raw, zipped) and cold starts under the RIE, against a hello world
	$(CARGO) run --release --locked -p saga-aws-tests --bin lambda-bench -- --runs $${AWS_BENCH_RUNS:-7}

.DEFAULT_GOAL := $(_AWS_MK_DEFAULT_GOAL)
