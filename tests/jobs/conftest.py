import pytest

from tests.helpers.fixtures import (
	REDIS_HOST,
	REDIS_PORT,
	empty_redis_db,
	fixture_site,  # noqa: F401  (a fixture, shared with tests/cli)
)


@pytest.fixture(scope="session")
def redis_url():
	"""A Redis db of our own for this run: an empty one picked at random from 5..15, flushed at start and end."""
	conn, db = empty_redis_db()
	conn.flushdb()
	yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"
	conn.flushdb()
