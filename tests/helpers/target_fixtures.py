"""The ``target`` fixture of the HTTP system tests (imports pytest: tests only; tests.helpers.target says what
a target is).

``make test``: one frappe_lite site per backend (SQLite, MariaDB) for the whole run, served by
``frappe-lite serve`` with 4 workers, with a TukTuk Manager holding an API token; the HTTP modules share it as
they share a bench site (each module sets the TukTuk Settings it needs and puts them back; each test makes
its own drivers). ``TUKTUK_TARGET=realbench``: the running real bench instead, and only the tests that take
``target`` are collected from tests/system and tests/payouts (the others need frappe_lite in the test
process)."""

import contextlib
from pathlib import Path

import pytest

from tests.helpers.server import FrappeServe
from tests.helpers.target import RUN_TAG, BenchTarget, LiteTarget, report_figures, selected

TARGETS = ("realbench",) if selected() == "realbench" else ("sqlite", "mariadb")
MANAGER_USER = "system.manager@example.com"
MANAGER_KEY, MANAGER_SECRET = "sysmgrkey0001", "sysmgrsecret0001"

_bench = {}


def bench_target():
	if "target" not in _bench:
		_bench["target"] = BenchTarget.from_environment()
	return _bench["target"]


@contextlib.contextmanager
def lite_target(backend, base, workers=4):
	from tests.conftest import create_test_site, drop_test_site, require_backend

	require_backend(backend)
	site = create_test_site(backend, base)
	server = None
	try:
		site.cli(
			"add-user",
			MANAGER_USER,
			"--first-name",
			"Manager",
			"--add-role",
			"TukTuk Manager",
			"--api-key",
			MANAGER_KEY,
			"--api-secret",
			MANAGER_SECRET,
		)
		with site.connect():
			from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
				get_callback_secret,
			)

			token = get_callback_secret()
		server = FrappeServe(
			site.sites_path, site.name, workers=workers, env=site.env(), log_path=Path(base) / "serve.log"
		).start()
		yield LiteTarget(site, server, f"token {MANAGER_KEY}:{MANAGER_SECRET}", token)
	finally:
		if server is not None:
			server.stop()
		drop_test_site(site)


@pytest.fixture(scope="session", params=TARGETS)
def target(request, tmp_path_factory):
	"""A served site the tests talk to over HTTP (see the module docstring)."""
	if request.param == "realbench":
		yield bench_target()
		return
	with lite_target(request.param, tmp_path_factory.mktemp("sites")) as made:
		yield made


def deselect_lite_only(config, items, folder: Path):
	"""On the bench, keep only the tests of ``folder`` that take a target."""
	if selected() != "realbench":
		return
	folder = folder.resolve()
	drop = [
		item
		for item in items
		if folder in Path(str(item.fspath)).resolve().parents and "target" not in item.fixturenames
	]
	if drop:
		config.hook.pytest_deselected(items=drop)
		items[:] = [item for item in items if item not in drop]


def report_header():
	if selected() == "realbench":
		return f"HTTP system tests target: realbench (run tag {RUN_TAG})"
	return f"HTTP system tests target: frappe_lite sqlite + mariadb (run tag {RUN_TAG})"


def session_finish():
	if "target" in _bench:
		_bench["target"].cleanup()


__all__ = ["target", "deselect_lite_only", "report_figures", "report_header", "session_finish"]
