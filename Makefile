# Shorthands. `make run` and `make test` are the README's two commands.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: translations run run-public test test-fast test-future lint check-data sample install install-dev bench loadtest loadtest-proxy mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	npm ci --no-audit --no-fund --silent
	./scripts/ensure_system_tools.sh

## Start the dashboard on the bundled illustrative data.
run: install
	$(BIN)/streamlit run dashboard.py

## The dashboard on the public record (data/public, docs/public-record.md) instead of the illustrative sample.
run-public: install
	TRACKER_DATA_DIR=data/public $(BIN)/streamlit run dashboard.py

## Install what the tests need, then run every test (unit, AppTest and real browser).
test: install-dev
	$(BIN)/python -m pytest

## Everything but the real-browser tests.
test-fast:
	$(BIN)/python -m pytest -m "not e2e"

## The non-browser suite with the clock 400 days ahead (time-machine): nothing may depend on today.
test-future: install-dev
	PYTHON=$(BIN)/python ./scripts/test_future.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Validate the data directory ($$TRACKER_DATA_DIR, else the sample) and the catalog.
check-data:
	$(BIN)/python -m tracker validate

## Regenerate the bundled illustrative sample data.
sample:
	$(BIN)/python scripts/generate_sample.py --out data/sample

## Benchmarks (not part of `make test`; ~15 min): ingest vs naive baselines, issue 12's validate scenario (49 member
## templates × 200 rows vs the openpyxl loop), pages, memory, cold start.
## Needs the test tools (Playwright) and Chromium: `make install-dev` first. See benchmarks/README.md.
bench: install-dev
	$(BIN)/python -m benchmarks.run --json benchmarks/RESULTS.json

## A bounded load test of one replica: 10, 25 and 50 concurrent sessions at 1× data, and the floor
## (benchmarks/floor_app.py) under the same waves in the same run, with the ratio ours / floor.
loadtest: install-dev
	$(BIN)/python -m benchmarks.loadtest --json benchmarks/.data/loadtest.json

## Several replicas of the dashboard behind Debian's nginx on loopback (not part of `make test`; ~3 min): websockets,
## sticky sessions and reconnects, an applied update seen by every replica, throughput against one replica.
## Installs Debian's nginx if missing; the run starts its own from a temporary prefix, never a system service.
REPLICAS ?= 2
PROXY_SESSIONS ?= 50
loadtest-proxy: install
	./scripts/ensure_system_tools.sh --proxy
	$(BIN)/python -m benchmarks.proxy --replicas $(REPLICAS) --sessions $(PROXY_SESSIONS) --json benchmarks/.data/loadtest-proxy.json

## Mutation testing of the trust-critical modules (not part of `make test`): mutmut mutates the modules listed
## in [tool.mutmut] (pyproject.toml) one change at a time and runs the tests that reach each change.
## Hours of CPU for the ~8,800 mutants on 2 cores (docs/mutation-testing.md); not part of CI. MUTANTS='tracker.records.store.*'
## runs one module's mutants again; `mutmut results` lists the survivors, `mutmut show NAME` shows one.
MUTANTS       ?=
MUTATION_JOBS ?= 2
mutation: install-dev
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(MUTANTS)
	$(BIN)/python scripts/mutation_summary.py

## Extract the translatable strings from the code and merge them into every catalogue (locales/*/LC_MESSAGES).
## New strings arrive untranslated; tests/test_i18n.py fails until each has its translation.
translations:
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k say -o locales/tracker.pot --no-location --sort-output --project "Commitments Tracker" .
	$(BIN)/pybabel update -i locales/tracker.pot -d locales -D tracker --ignore-obsolete --no-fuzzy-matching --width 116
