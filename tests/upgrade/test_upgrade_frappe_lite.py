"""The upgrade from the original tuktuk_management, on frappe_lite's MariaDB backend: the committed dump of
an original-app site is restored into a fresh database, migrated with this checkout's app, and checked
(tests/upgrade/upgrade.py). The same checks run on a real Frappe v15 bench in tests/realbench/test_6_upgrade.py.

frappe_lite differs from Frappe's migrate in ways this dump does not depend on (docs/upgrading.md): it runs
the [pre_model_sync] patches after the sync, like the rest, and has no orphan-DocType removal and no role
fixture rename to show the original's breakages; the checks hold all the same."""

import sys

import pytest

from tests.conftest import _server_conf, create_test_site, drop_test_site, require_backend
from tests.helpers.server import FrappeServe
from tests.upgrade import http_checks
from tests.upgrade.upgrade import DUMP, encryption_key, facts, failures, http_failures, site_checks


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
	"""An original-app site restored into frappe_lite (MariaDB) and migrated once."""
	require_backend("mariadb")
	sites = tmp_path_factory.mktemp("upgrade_sites")
	site = create_test_site("mariadb", sites, apps=())
	try:
		import pymysql

		conf = _server_conf()
		name = site.db_url.rsplit("/", 1)[1]
		conn = pymysql.connect(
			host=conf["db_host"], port=conf["db_port"], user=conf["db_user"], password=conf["db_password"]
		)
		with conn.cursor() as cur:  # the dump, and nothing else, in the site's database
			cur.execute(f"drop database `{name}`")
			cur.execute(f"create database `{name}` character set utf8mb4 collate utf8mb4_unicode_ci")
		conn.close()
		site.set_config(encryption_key=encryption_key())
		site.cli("restore", DUMP)
		site.migration = site.cli("migrate", timeout=900)
		yield site
	finally:
		drop_test_site(site)


def checks(site, phase):
	return site_checks(sys.executable, phase, site.name, site.sites_path, env=site.env())


def test_migrate_runs_the_upgrade(upgraded):
	assert "Migrated" in upgraded.migration.stdout, upgraded.migration.stdout


def test_state_after_migrate(upgraded):
	out = checks(upgraded, "state")
	assert not failures(out), "\n".join(failures(out))
	assert len(out["checks"]) > 80


def test_every_original_record_saves_again(upgraded):
	out = checks(upgraded, "resave")
	assert not failures(out), "\n".join(failures(out))


def test_second_migrate_changes_nothing(upgraded):
	before = checks(upgraded, "snapshot")["snapshot"]
	upgraded.cli("migrate", timeout=900)
	after = checks(upgraded, "snapshot")["snapshot"]
	assert after == before


def test_managers_and_callbacks_over_http(upgraded):
	http = checks(upgraded, "prepare_http")["http"]
	with FrappeServe(upgraded.sites_path, upgraded.name, workers=2, env=upgraded.env()) as server:
		results = http_checks.run(server.url, upgraded.name, http, facts())
	assert not http_failures(results), "\n".join(http_failures(results))


def test_one_payment_and_one_close_keep_every_balance(upgraded):
	out = checks(upgraded, "money")
	assert not failures(out), "\n".join(failures(out))
