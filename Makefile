# cbecwatch — every target sets up what it needs (virtualenv, install, database) by itself.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export CBECWATCH_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test demo mirror lint bench bench-quick bench-accuracy services clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("cbecwatch needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "cannot create a virtualenv: install python3-venv (Debian: apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	$(BIN)/python -m compileall -q $$($(BIN)/python -c 'import jieba, os; print(os.path.dirname(jieba.__file__))') >/dev/null || true
	@touch $@

## run: crawl every configured source once into the default SQLite database and print a summary
run: $(STAMP)
	$(BIN)/cbecwatch db upgrade
	$(BIN)/cbecwatch crawl

## test: the whole test suite (PostgreSQL tests use CBECWATCH_TEST_PG_URL)
test: $(STAMP) services
	$(BIN)/python -m pytest

## demo: start the bundled mirror on 127.0.0.1 and crawl it — works without network
demo: $(STAMP)
	$(BIN)/cbecwatch demo

mirror: $(STAMP)
	$(BIN)/cbecwatch mirror

## bench: speed, cost per cycle and scale as ratios against the mirror on 127.0.0.1 (table + bench/results/*.json)
bench: $(STAMP)
	$(BIN)/python bench/run.py

## bench-quick: the same harness, small and fast (< 60 s), for CI: asserts nothing about speed
bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --quick

## bench-accuracy: extraction accuracy: ../shared/corpus (skipped when absent), bench/corpus dev and HELD-OUT, per field and class
bench-accuracy: $(STAMP)
	$(BIN)/python bench/accuracy.py

lint: $(STAMP)
	$(BIN)/ruff check .

## services: make sure the local PostgreSQL the tests use is installed and running
services:
	@bash scripts/ensure-services.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
