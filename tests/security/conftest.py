"""tests/security: the money records and the managers' doors tried as an attacker would, over HTTP against a
target (tests/helpers/target_fixtures.py: frappe_lite on SQLite and MariaDB; the real bench with
TUKTUK_TARGET=realbench, where only the tests that take ``target`` are collected)."""

from pathlib import Path

from tests.helpers.target_fixtures import (  # noqa: F401  (target is a fixture)
	deselect_lite_only,
	report_header,
	session_finish,
	target,
)


def pytest_collection_modifyitems(session, config, items):
	deselect_lite_only(config, items, Path(__file__).parent)


def pytest_report_header(config):
	return report_header()


def pytest_sessionfinish(session, exitstatus):
	session_finish()
