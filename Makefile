# cbecwatch — every target sets up what it needs (virtualenv, install, database) by itself.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Two stamps: `make run` installs the runtime dependencies only; `make test` adds the test extra
# (pytest, ruff, scrapyd …) to the same virtualenv. Either order works.
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
export CBECWATCH_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test demo mirror lint bench bench-quick bench-accuracy services stack-check clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit("cbecwatch needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@$(PYTHON) -m venv $(VENV) || { echo "cannot create a virtualenv: install python3-venv (Debian: apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[postgres]'
	$(BIN)/python -m compileall -q $$($(BIN)/python -c 'import jieba, os; print(os.path.dirname(jieba.__file__))') >/dev/null || true
	@touch $@

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	$(BIN)/python -m compileall -q $$($(BIN)/python -c 'import jieba, os; print(os.path.dirname(jieba.__file__))') >/dev/null || true
	@touch $@

## run: crawl every configured source once into the default SQLite database and print a summary
run: $(RUN_STAMP)
	$(BIN)/cbecwatch db upgrade
	$(BIN)/cbecwatch crawl

## test: the whole test suite (PostgreSQL tests use CBECWATCH_TEST_PG_URL)
test: $(TEST_STAMP) services
	$(BIN)/python -m pytest

## demo: start the bundled mirror on 127.0.0.1 and crawl it — works without network
demo: $(RUN_STAMP)
	$(BIN)/cbecwatch demo

mirror: $(RUN_STAMP)
	$(BIN)/cbecwatch mirror

## bench: speed, cost per cycle and scale as ratios against the mirror on 127.0.0.1 (table + bench/results/*.json)
bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

## bench-quick: the same harness, small (about 2–3 min on a shared 2-core machine), for CI: asserts nothing about speed
bench-quick: $(TEST_STAMP)
	$(BIN)/python bench/run.py --quick

## bench-accuracy: extraction accuracy: ../shared/corpus (skipped when absent), bench/corpus dev and HELD-OUT, per field and class
bench-accuracy: $(TEST_STAMP)
	$(BIN)/python bench/accuracy.py

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

## stack-check: build the Docker image when an engine answers, else validate compose.yaml and the Dockerfile
stack-check: $(TEST_STAMP)
	@if docker info >/dev/null 2>&1; then docker build -t cbecwatch:ci . ; else $(BIN)/python scripts/check_stack.py; fi

## services: make sure the local PostgreSQL the tests use is installed and running
services:
	@bash scripts/ensure-services.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
