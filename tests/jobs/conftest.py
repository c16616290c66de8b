import os
import random

import pytest

FIXTURE_APP_PARENT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "cli", "fixture_app"))

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(scope="session")
def redis_url():
	"""A Redis db of our own for this run: an empty one picked at random from 5..15, flushed at start and end."""
	redis = pytest.importorskip("redis")
	dbs = list(range(5, 16))
	random.shuffle(dbs)
	for db in dbs:
		conn = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db)
		try:
			if conn.dbsize() == 0:
				break
		except redis.exceptions.ConnectionError:
			if os.environ.get("CI") == "true":
				raise
			pytest.skip(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}")
	else:
		pytest.skip("no empty Redis db among 5..15")
	conn.flushdb()
	yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
	conn.flushdb()


@pytest.fixture
def fixture_site(new_site):
	"""A site (SQLite or MariaDB, per the `backend` fixture) with fixture_app installed."""

	def make(**config):
		config.setdefault("job_retry_delay", 0.01)
		return new_site(apps=("fixture_app",), pythonpath=(FIXTURE_APP_PARENT,), **config)

	return make
