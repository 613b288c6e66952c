# ToxPlan developer commands. Everything installs into .venv from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install serve test quick lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## serve: install, migrate the embedded SQLite database and serve http://127.0.0.1:8000
##        (make serve DEMO=1 loads the demo clinic first and prints demo sign-ins)
serve: install
	$(BIN)/toxplan serve --host 127.0.0.1 --port 8000 $(if $(DEMO),--demo,)

## lint: ruff, mypy (strict, the whole package), import contracts
lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## test: every check and every test
test: lint
	$(BIN)/toxplan kb validate
	$(BIN)/pytest -n 2 -q

## quick: lint and the fast tests (core, knowledge, rules, CLI, unit; SQLite only) in about two
##        minutes; the records, API, pages, exports, photo, browser and multiprocess suites run in make test
QUICK_TESTS := tests/unit tests/knowledge tests/rules tests/engine tests/clinical tests/cli tests/test_docs.py
quick: lint
	$(BIN)/pytest -n 2 -q -m "not slow and not postgres" $(QUICK_TESTS)

unit: install
	$(BIN)/pytest -q

## bench: speed figures of the check engine, the CLI, the records and the API
bench: install
	$(BIN)/python bench/check_speed.py
	$(BIN)/python bench/db_speed.py
	$(BIN)/python bench/api_speed.py
	$(BIN)/python bench/big_request.py
	$(BIN)/python bench/photo_accuracy.py
	$(BIN)/python bench/photo_speed.py
	$(BIN)/python bench/workers_speed.py
	$(BIN)/python bench/clinic_day.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
