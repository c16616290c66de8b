"""tests/system: the ``target`` fixture (tests/helpers/target_fixtures.py) and, on the real bench
(TUKTUK_TARGET=realbench), only the tests that take it."""

from pathlib import Path

from tests.helpers.target_fixtures import (  # noqa: F401  (target is a fixture)
	deselect_lite_only,
	report_figures,
	report_header,
	session_finish,
	target,
)


def pytest_collection_modifyitems(session, config, items):
	deselect_lite_only(config, items, Path(__file__).parent)


def pytest_report_header(config):
	return report_header()


def pytest_terminal_summary(terminalreporter):
	report_figures(terminalreporter)


def pytest_sessionfinish(session, exitstatus):
	session_finish()
