# The two commands of the README, and their helpers.
#   make dev    the API on http://127.0.0.1:9000 over seeded DynamoDB Local
#   make test   fmt, clippy, unit and integration tests (starts DynamoDB Local)
SHELL := bash
.SHELLFLAGS := -euo pipefail -c

DYNAMODB_PORT ?= 8000
SEED_BRANDS ?= 200
LOCAL_API_ADDR ?= 127.0.0.1:9000
# DynamoDB Local on two cores queues a 600-request burst for up to ~2.5 s;
# real DynamoDB answers in milliseconds. The deployed per-attempt budget (2 s)
# would time out and retry those queued queries, adding load to a database
# that is merely busy, so the local stack gives each attempt longer. The
# operation budget stays under the frontend's 10.5 s timeout, so a caller
# still gets our 503 rather than its own timeout. See docs/operations.md.
export DYNAMODB_ATTEMPT_TIMEOUT_MS ?= 9000
export DYNAMODB_OPERATION_TIMEOUT_MS ?= 9500

VENV := .venv/bin
# The SAM CLI must not phone home from CI or a laptop without being asked.
export SAM_CLI_TELEMETRY := 0

.PHONY: dev test lint template-lint unit-and-integration tools package bench

dev:
	cargo build -p local-api
	DYNAMODB_PORT=$(DYNAMODB_PORT) scripts/with-dynamodb.sh \
	  target/debug/local-api up --brands $(SEED_BRANDS) --addr $(LOCAL_API_ADDR)

test: lint template-lint unit-and-integration

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

template-lint:
	scripts/bootstrap.sh python
	$(VENV)/cfn-lint template.yaml
	$(VENV)/sam validate --lint --region us-east-1

# DynamoDB Local on a free port, stopped afterwards even when tests fail:
# unit and integration tests, then the schemathesis contract test.
unit-and-integration:
	scripts/bootstrap.sh python
	scripts/with-dynamodb.sh bash -c 'cargo test --workspace && scripts/contract-test.sh'

tools:
	scripts/bootstrap.sh dynamodb python

# arm64 release zips of every function under target/lambda/<name>/bootstrap.zip.
# cargo-lambda cross-compiles with Zig (the ziglang package in .venv).
package:
	scripts/bootstrap.sh python
	PATH="$$PWD/$(VENV):$$PATH" scripts/package.sh

# One run, one table: this project vs the Python peer (seed and fixed) vs the
# DynamoDB floor, plus cold start, memory and package size. Release builds.
# Writes docs/benchmarks.md. Takes ~20 minutes the first time (release build).
bench:
	cargo build --release -p local-api -p loadtest -p get-competitors -p get-website-scrapes -p get-social-scrapes -p health
	scripts/with-dynamodb.sh python3 tools/bench/bench.py
