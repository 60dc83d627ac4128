# Jinmyaku. `make run` serves the app; `make test` checks it. Both set up
# everything they need first (a .venv with Python >= 3.12 and the locked
# dependencies).
SHELL := /bin/sh
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# Test processes (pytest-xdist): one per core by default.
TEST_WORKERS ?= auto

.PHONY: setup run test test-browser bench-ocr test-postgres bench bench-http loadtest lint format lock smoke messages clean audit

setup: $(STAMP)

$(STAMP): requirements-dev.lock scripts/setup-venv
	@scripts/setup-venv $(VENV)
	@touch $(STAMP)

## Serve the app with a Celery worker and beat on the embedded broker.
run: setup
	@scripts/ensure-tesseract
	@$(PYTHON) manage.py migrate --noinput -v 0
	@$(PYTHON) manage.py seed_demo --first-run
	@$(PYTHON) scripts/run_stack.py --port $(PORT)

## Lint, format check, the apps' import contracts, and the whole test suite (browser tests excluded).
test: setup
	@scripts/ensure-tesseract
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(PYTHON) -m pytest -q -n $(TEST_WORKERS)

## Browser tests in headless Chromium (installs Debian's chromium when missing).
test-browser: setup
	@scripts/ensure-chromium
	@scripts/ensure-tesseract
	$(PYTHON) -m pytest -q -m browser tests/browser

## The suite against the local PostgreSQL and Redis.
test-postgres: setup
	@scripts/ensure-tesseract
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	$(PYTHON) -m pytest -q -n $(TEST_WORKERS)

## gunicorn + Celery worker + beat against PostgreSQL and Redis, end to end.
smoke: setup
	@scripts/smoke_stack.sh

## Benchmarks: page timings and query counts at 1,000 and 100,000 people, on
## SQLite, and on PostgreSQL too when DATABASE_URL is set.
bench: setup
	$(PYTHON) scripts/bench.py --backend sqlite $(BENCH_ARGS)
	@if [ -n "$$DATABASE_URL" ]; then $(PYTHON) scripts/bench.py --backend postgres $(BENCH_ARGS); fi
	$(MAKE) bench-http

## Pages over HTTP (gunicorn, production settings) as ratios to a floor view:
## SQLite at 1,000 people, and PostgreSQL at 100,000 when DATABASE_URL is set.
bench-http: setup
	$(PYTHON) scripts/bench_http.py --backend sqlite $(BENCH_HTTP_ARGS)
	@if [ -n "$$DATABASE_URL" ]; then $(PYTHON) scripts/bench_http.py --backend postgres --reuse $(BENCH_HTTP_ARGS); fi

## Business-card OCR: renders cards with known fields in headless Chromium (11 layouts),
## makes photo-like copies, reads them all and reports field exact-match rates and
## seconds per card. BENCH_OCR_ARGS="--cards 16" for a quick run.
bench-ocr: setup
	@scripts/ensure-chromium
	@scripts/ensure-tesseract
	$(PYTHON) scripts/bench_ocr.py $(BENCH_OCR_ARGS)

## Load and faults (about 15 minutes; the first run seeds 100,000 people):
## gunicorn, a Celery worker and beat, PostgreSQL and Redis of its own, all on
## 127.0.0.1, under a steady mix while a gunicorn worker, Redis, PostgreSQL and
## the Celery worker fail in turn. LOADTEST_ARGS=--quick for a one-minute run.
loadtest: setup
	$(PYTHON) scripts/loadtest.py $(LOADTEST_ARGS)

## Security checks: bandit over our code (exceptions explained in pyproject.toml),
## and pip-audit over the locked dependencies (it needs PyPI's per-release JSON;
## where that is unreachable it lists the packages it could not check).
audit: setup
	$(BIN)/bandit -q -c pyproject.toml -r accounts contacts ledger jobs cards followups insights transfer networking scripts manage.py
	scripts/audit-deps

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate the lock files from pyproject.toml (runtime, and runtime + dev).
lock: setup
	$(BIN)/uv pip compile pyproject.toml --python-version 3.12 --universal --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.12 --universal --generate-hashes -o requirements-dev.lock

## Extract and compile translations (needs GNU gettext; the .mo files are committed).
messages: setup
	$(PYTHON) manage.py makemessages -l ja --ignore '.venv/*' --ignore 'var/*'
	$(PYTHON) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
