# One entry point for a fresh machine: every target installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-runtime lint bench bench-reconcile bench-topics clean realbench realbench-start realbench-stop test-realbench realbench-browser

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

# The side-by-side benchmark (benchmarks/README.md): writes benchmarks/RESULTS.md and benchmarks/plots/*.png.
# BENCH_MODE=quick (default, < 10 min on 2 cores) or full; the real bench rows need REALBENCH_* as for realbench.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) benchmarks/requirements.txt
	$(BIN)/python -m pip install -q -r benchmarks/requirements.txt
	touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.side_by_side

# Reconciliation at scale (10,000 drivers x 1,000,000 ledger rows on MariaDB; BENCH_LEDGER_ROWS to change).
bench-reconcile: setup $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.reconcile_at_scale

# The older per-topic benchmarks (crediting contention, reconcile loop vs set-based, HTTP, money triggers).
bench-topics: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) sites

# ---- The real-bench tier (optional): a REAL Frappe v15 bench running this checkout (docs/realbench.md) ----
# REALBENCH_DIR (default /srv/tuktuk-realbench as root, else ~/tuktuk-realbench) and FRAPPE_SRC (a local
# Frappe checkout, or the upstream URL), AIR_DATEPICKER_SRC: see docs/realbench.md. Built once, re-synced
# to this checkout (symlink + pip install -e + migrate) on every later run.
realbench:
	realbench/build.sh

realbench-start:
	realbench/start.sh

realbench-stop:
	realbench/stop.sh

# Debian's chromium and chromium-driver for the browser smoke (installed only when missing).
realbench-browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	else apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; fi

REALBENCH_STAMP := $(VENV)/.realbench-installed
$(REALBENCH_STAMP): $(STAMP) tests/realbench/requirements.txt
	$(BIN)/python -m pip install -q -r tests/realbench/requirements.txt
	touch $(REALBENCH_STAMP)

# The tier: skipped with one line when no bench is built; its failures fail the run when it runs.
test-realbench: setup $(REALBENCH_STAMP) realbench-browser
	$(BIN)/pytest tests/realbench -v -p no:cacheprovider $(PYTEST_ARGS)
