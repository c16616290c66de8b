"""frappe.cache as on a bench (frappe/utils/redis_wrapper.py): Redis when `redis_cache` is configured, an
in-process stand-in otherwise; keys prefixed with the site's db_name; frappe.clear_cache drops the site's keys."""

import pickle
import time

import pytest

from tests.helpers.fixtures import empty_redis_db


@pytest.fixture(scope="module")
def other_site(module_site_factory):
	"""A second site in the same process: its keys must never mix with the first one's."""
	from tests.runtime.conftest import FIXTURE_APP_PATH

	return module_site_factory(apps=("lite_fixture",), pythonpath=(FIXTURE_APP_PATH,))


@pytest.fixture
def redis_site(lite_site):
	"""lite_site with `redis_cache` pointing at an empty Redis db (5..15); the db is flushed afterwards."""
	conn, db = empty_redis_db()
	lite_site.set_config(redis_cache=f"redis://127.0.0.1:6379/{db}")
	try:
		yield lite_site, conn
	finally:
		lite_site.set_config(redis_cache=None)
		conn.flushdb()


def exercise(frappe):
	"""The methods app code uses on v15, the same on both implementations."""
	cache = frappe.cache
	assert frappe.cache() is frappe.cache() and frappe.cache().make_key("k") == cache.make_key("k")
	assert cache.make_key("k") == f"{frappe.conf.db_name}|k".encode()

	cache.set_value("k", {"a": [1, 2]})
	got = cache.get_value("k")
	assert got == {"a": [1, 2]}
	assert cache.get_value("missing") is None
	assert cache.get_value("generated", generator=lambda: 42) == 42
	assert cache.get_value("generated") == 42

	cache.set_value("short", "soon gone", expires_in_sec=1)
	assert cache.get_value("short", expires=True) == "soon gone"

	cache.delete_value("k")
	assert cache.get_value("k") is None
	cache.set_value("k2", 2)
	cache.delete_key("k2")
	assert cache.get_value("k2") is None

	cache.hset("h", "x", 1)
	cache.hset("h", "y", [2])
	assert cache.hget("h", "x") == 1 and cache.hget("h", "y") == [2]
	assert cache.hget("h", "z") is None
	assert cache.hget("h", "z", generator=lambda: "made") == "made"
	cache.hdel("h", "x")
	assert cache.hget("h", "x") is None and cache.hget("h", "y") == [2]


def test_in_process_cache_without_redis(lite_site, other_site):
	with lite_site.connect() as frappe:
		assert not frappe.conf.redis_cache
		assert type(frappe.cache()).__name__ == "ProcessCache"
		exercise(frappe)
		time.sleep(1.1)
		assert frappe.cache.get_value("short", expires=True) is None
		frappe.cache.set_value("shared_name", "first site")
		with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
			frappe.cache.set_value("unpicklable", lambda: 1)  # would fail on Redis too
	with other_site.connect() as frappe:
		assert frappe.cache.get_value("shared_name") is None  # keys are per site
		frappe.cache.set_value("shared_name", "second site")
	with lite_site.connect() as frappe:
		assert frappe.cache.get_value("shared_name") == "first site"
		frappe.clear_cache()
		assert frappe.cache.get_value("shared_name") is None
		assert frappe.cache.hget("h", "y") is None
	with other_site.connect() as frappe:
		assert frappe.cache.get_value("shared_name") == "second site"  # another site's keys survive
		frappe.clear_cache()


def test_redis_cache_when_configured(redis_site):
	site, conn = redis_site
	with site.connect() as frappe:
		assert type(frappe.cache()).__name__ == "RedisWrapper"
		exercise(frappe)
		prefix = f"{frappe.conf.db_name}|"
		# what is in Redis is what Frappe writes: pickled values under "<db_name>|<key>"
		frappe.cache.set_value("k", {"v": 1})
		assert pickle.loads(conn.get(prefix + "k")) == {"v": 1}
		assert 0 < conn.ttl(prefix + "short") <= 1
		assert pickle.loads(conn.hget(prefix + "h", "y")) == [2]
		conn.set("otherdb|k", pickle.dumps("other site"))
	# a new request (and process-level state) sees what an earlier one wrote
	with site.connect() as frappe:
		assert frappe.cache.get_value("k") == {"v": 1}
		frappe.clear_cache()
		assert conn.get(prefix + "k") is None and conn.get(prefix + "h") is None
		assert conn.get("otherdb|k") is not None  # clear_cache only drops this site's keys
		assert frappe.cache.get_value("k") is None


def test_clear_cache_for_a_doctype_drops_its_cached_documents(fl):
	frappe = fl
	item = frappe.get_doc({"doctype": "LF Item", "title": "cached"}).insert()
	assert frappe.get_cached_doc("LF Item", item.name).title == "cached"
	frappe.db.sql("update `tabLF Item` set `title`='changed' where `name`=%s", (item.name,))
	assert frappe.get_cached_doc("LF Item", item.name).title == "cached"  # raw SQL does not clear it
	frappe.clear_cache(doctype="LF Item")
	assert frappe.get_cached_doc("LF Item", item.name).title == "changed"
