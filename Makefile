# One entry point for a fresh machine: every target installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-runtime lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml setup.py frappe_lite/pyproject.toml mpesa_sandbox/pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --config-settings editable_mode=compat -e ./frappe_lite -e ./mpesa_sandbox -e . -r requirements-dev.txt
	touch $(STAMP)

# The main job on SQLite, no server needed.
demo: setup
	$(BIN)/python demo/run.py

# The whole test suite (SQLite always; MariaDB when reachable, mandatory when CI=true).
# bin/pytest, not `python -m pytest`: that puts the repo root first on sys.path, where the mpesa_sandbox/
# project folder would shadow the mpesa_sandbox package as an empty namespace package.
test: setup
	$(BIN)/pytest tests -q $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check frappe_lite tuktuk_management mpesa_sandbox tests benchmarks

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) sites
