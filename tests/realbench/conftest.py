"""The real-bench tier: tests against a REAL Frappe v15 bench built by `make realbench` (docs/realbench.md).

Collected only when asked for (`make test-realbench`, or tests/realbench named on the command line), never by
`make test`. Without a running bench every test but one is deselected and that one is skipped with the single
line `real-bench tier skipped: <reason>`."""

import os
from pathlib import Path

import pytest

from tests.realbench.realbench import REPO, REPORT, load_facts, unavailable_reason

HERE = Path(__file__).resolve().parent


def _asked_for(config) -> bool:
	if os.environ.get("REALBENCH_TIER"):
		return True
	for arg in config.args:
		path = Path(arg.split("::")[0])
		path = (Path(config.invocation_params.dir) / path).resolve()
		if path == HERE or HERE in path.parents:
			return True
	return False


def pytest_ignore_collect(collection_path, config):
	if not _asked_for(config):
		return True
	return None


_state = {}


def reason():
	if "reason" not in _state:
		_state["reason"] = unavailable_reason()
	return _state["reason"]


def pytest_collection_modifyitems(session, config, items):
	ours = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
	if not ours or reason() is None:
		return
	keep = ours[0]
	keep.add_marker(pytest.mark.skip(reason=f"real-bench tier skipped: {reason()}"))
	deselected = [item for item in ours if item is not keep]
	config.hook.pytest_deselected(items=deselected)
	items[:] = [item for item in items if item not in deselected]


def pytest_report_header(config):
	if _asked_for(config):
		r = reason()
		return "real-bench tier: " + ("ON" if r is None else f"skipped: {r}")
	return None


@pytest.fixture(scope="session")
def facts():
	"""The bench's facts; the bench must run THIS checkout's app (else re-sync it: make realbench)."""
	facts = load_facts()
	link = Path(facts["bench_path"]) / "apps" / "tuktuk_management"
	if link.resolve() != REPO or Path(facts["checkout"]).resolve() != REPO:
		pytest.fail(
			f"the bench at {facts['bench_path']} runs the app from {link.resolve()}, not this checkout ({REPO}): "
			"re-sync it with `make realbench` (then `make realbench-start`)"
		)
	return facts


def pytest_terminal_summary(terminalreporter):
	if REPORT:
		terminalreporter.section("real-bench tier")
		for line in REPORT:
			terminalreporter.write_line(line)
