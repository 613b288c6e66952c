# ToxPlan developer commands. Everything installs into .venv from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install serve test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## serve: install, then run ToxPlan on the embedded defaults (demo of the clinical core)
serve: install
	$(BIN)/toxplan kb validate
	$(BIN)/toxplan plan --product botox --indication glabellar_lines --indication forehead_lines
	$(BIN)/toxplan check examples/check-request.json; test $$? -le 1

## lint: ruff, mypy (strict for the core and knowledge loader), import contracts
lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## test: every check and every test
test: lint
	$(BIN)/toxplan kb validate
	$(BIN)/pytest -n 2 -q

unit: install
	$(BIN)/pytest -q

## bench: speed figures of the check engine and the CLI
bench: install
	$(BIN)/python bench/check_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
