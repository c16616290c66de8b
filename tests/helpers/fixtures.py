"""Pytest fixtures and helpers shared by several test folders (imports pytest: tests only).

A conftest.py that wants one imports it by name, e.g. `from tests.helpers.fixtures import fixture_site`."""

import os
import random

import pytest

# tests/cli/fixture_app: the small app the CLI and jobs tests install (its own Frappe tests run through
# `frappe-lite run-tests`, never through pytest)
FIXTURE_APP_PARENT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "cli", "fixture_app"))

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture
def fixture_site(new_site):
	"""A site (SQLite or MariaDB, per the `backend` fixture) with fixture_app installed."""

	def make(**config):
		config.setdefault("job_retry_delay", 0.01)
		return new_site(apps=("fixture_app",), pythonpath=(FIXTURE_APP_PARENT,), **config)

	return make


def empty_redis_db():
	"""(connection, db) of an empty Redis db picked at random from 5..15, so runs never share one. Skips the
	test when Redis is not reachable (fails under CI=true) or no db is empty."""
	redis = pytest.importorskip("redis")
	for db in random.sample(range(5, 16), 11):
		conn = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db)
		try:
			if conn.dbsize() == 0:
				return conn, db
		except redis.exceptions.ConnectionError:
			if os.environ.get("CI") == "true":
				raise
			pytest.skip(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}")
	pytest.skip("no empty Redis db among 5..15")
