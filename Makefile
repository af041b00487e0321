# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@ $(VENV)/.base-installed

run: $(VENV)/.base-installed
	bash scripts/run-local.sh

test: $(VENV)/.dev-installed
	bash scripts/test.sh

bench: $(VENV)/.dev-installed
	bash bench/run

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

clean:
	rm -rf var
