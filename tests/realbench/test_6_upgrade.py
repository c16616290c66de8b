"""The upgrade from the original tuktuk_management on the REAL Frappe v15 bench, as a fleet does it: the
committed dump of an original-app site (tests/upgrade/data, made by tests/upgrade/make_dump.sh through the
original's own code paths) restored into a site of its own (``<site>-original``, database rb_<...>, made
anew for each run; no other site or database is touched), migrated with this checkout's app by
``bench migrate`` (developer mode off, as in production), then checked from inside the site
(tests/upgrade/site_checks.py, with the bench's own python) and over HTTP through the bench's gunicorn
(tests/upgrade/http_checks.py). The same checks run on frappe_lite in tests/upgrade/test_upgrade_frappe_lite.py."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.realbench.realbench import BENCH_CMD, REPORT, bench, readable
from tests.upgrade import http_checks
from tests.upgrade.upgrade import (
	DUMP,
	encryption_key,
	failures,
	http_failures,
	site_checks,
)
from tests.upgrade.upgrade import (
	facts as dump_facts,
)


def _site_name(facts) -> str:
	first, _, rest = facts["site"].partition(".")
	return f"{first}-original.{rest}" if rest else f"{first}-original"


def _db_name(site) -> str:
	return "rb_" + "".join(ch if ch.isalnum() else "_" for ch in site)


def _bench_env():
	return {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}


def _answering_root_password(*args, timeout=900):
	"""A bench command that asks for MariaDB's root password (empty on the bench's server): run without a
	terminal (setsid) so getpass reads the empty line from stdin."""
	return subprocess.run(
		["setsid", "-w", str(BENCH_CMD), *args],
		input="\n",
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
		env=_bench_env(),
		timeout=timeout,
	)


@pytest.fixture(scope="module")
def original_site(facts):
	"""The dump restored into ``<site>-original`` and migrated once with this checkout's app."""
	import pymysql

	site = _site_name(facts)
	db = _db_name(site)
	sites = Path(facts["bench_path"]) / "sites"
	if not (sites / site / "site_config.json").exists():
		made = _answering_root_password(
			"new-site",
			site,
			"--db-name",
			db,
			"--db-root-username",
			"root",
			"--no-mariadb-socket",
			"--admin-password",
			facts["admin_password"],
			"--force",
		)
		assert made.returncode == 0, readable(made.stdout)[-3000:]
	conn = pymysql.connect(
		host=os.environ.get("REALBENCH_DB_HOST", "127.0.0.1"),
		port=int(os.environ.get("REALBENCH_DB_PORT", "3306")),
		user=os.environ.get("REALBENCH_DB_ROOT_USER", "root"),
	)
	with conn.cursor() as cur:  # the dump, and nothing else, in this site's own database
		cur.execute(f"drop database if exists `{db}`")
		cur.execute(f"create database `{db}` character set utf8mb4 collate utf8mb4_unicode_ci")
	conn.close()
	bench("--site", site, "set-config", "encryption_key", encryption_key(), check=True)
	bench("--site", site, "set-config", "developer_mode", "0", "--parse", check=True)
	restored = _answering_root_password("--site", site, "restore", str(DUMP), "--db-root-username", "root")
	assert restored.returncode == 0, readable(restored.stdout)[-3000:]
	migrated = bench("--site", site, "migrate", timeout=1800)
	output = readable(migrated.stdout)
	(Path(facts["artifacts_dir"]) / "upgrade-migrate.log").write_text(output)
	assert migrated.returncode == 0, output[-5000:]
	REPORT.append(
		f"upgrade: {DUMP.name} restored into {site} and migrated (log: artifacts/upgrade-migrate.log)"
	)
	return {
		"site": site,
		"sites": sites,
		"python": Path(facts["bench_path"]) / "env" / "bin" / "python",
		"migrate": output,
	}


def checks(original_site, phase):
	return site_checks(
		original_site["python"], phase, original_site["site"], original_site["sites"], env=_bench_env()
	)


def test_6a_migrate_runs_every_upgrade_patch(original_site):
	output = original_site["migrate"]
	for patch in ("detect_original_app", "rename_manager_role", "balance_periods", "check_upgrade"):
		assert f"tuktuk_management.patches.v2_0.{patch}" in output, output[-3000:]
	assert "Orphaned DocType" not in output, output[-3000:]


def test_6b_state_after_migrate(original_site):
	out = checks(original_site, "state")
	REPORT.append(f"upgrade: {len(out['checks'])} state checks, {len(failures(out))} failed")
	assert not failures(out), "\n".join(failures(out))


def test_6c_every_original_record_saves_again(original_site):
	out = checks(original_site, "resave")
	assert not failures(out), "\n".join(failures(out))


def test_6d_second_migrate_changes_nothing(original_site):
	before = checks(original_site, "snapshot")["snapshot"]
	again = bench("--site", original_site["site"], "migrate", timeout=1800)
	assert again.returncode == 0, readable(again.stdout)[-3000:]
	after = checks(original_site, "snapshot")["snapshot"]
	assert after == before


def test_6e_managers_and_callbacks_over_http(original_site, facts):
	http = checks(original_site, "prepare_http")["http"]
	results = http_checks.run(facts["base_url"], original_site["site"], http, dump_facts())
	REPORT.append(f"upgrade: {len(results)} HTTP checks, {len(http_failures(results))} failed")
	assert not http_failures(results), "\n".join(http_failures(results))


def test_6f_one_payment_and_one_close_keep_every_balance(original_site):
	out = checks(original_site, "money")
	assert not failures(out), "\n".join(failures(out))
