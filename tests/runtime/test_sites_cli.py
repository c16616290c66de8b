"""Sites through the frappe-lite CLI: new-site, install-app, migrate, backup/restore, drop-site, bad input."""

import json
import os
import shutil
import subprocess
import uuid

import pytest

from tests.conftest import FRAPPE_LITE, MARIADB_URL, RUN_ID
from tests.runtime.conftest import FIXTURE_APP_PATH


def run(sites_path, *args, env_extra=None, check=True):
	env = dict(os.environ, PYTHONPATH=os.pathsep.join([FIXTURE_APP_PATH, os.environ.get("PYTHONPATH", "")]))
	env.update(env_extra or {})
	proc = subprocess.run(
		[FRAPPE_LITE, "--sites-path", str(sites_path), *args],
		capture_output=True,
		text=True,
		env=env,
		timeout=120,
	)
	if check and proc.returncode != 0:
		raise AssertionError(f"{args} failed ({proc.returncode}): {proc.stdout} {proc.stderr}")
	return proc


def mariadb_has(db_name):
	import pymysql

	conn = pymysql.connect(host="127.0.0.1", user="root", password="")
	with conn.cursor() as cur:
		cur.execute("select schema_name from information_schema.schemata where schema_name=%s", (db_name,))
		found = bool(cur.fetchone())
	conn.close()
	return found


def test_site_lifecycle(backend, tmp_path):
	"""new-site → install-app → migrate after a JSON change → backup → restore → drop-site."""
	sites = tmp_path / "sites"
	site = f"cli{uuid.uuid4().hex[:6]}.local"
	db_name = f"fltest_{RUN_ID}_{uuid.uuid4().hex[:6]}"
	# a private copy of the fixture app, so this test can change its DocType JSON
	app_root = tmp_path / "apps"
	shutil.copytree(FIXTURE_APP_PATH, app_root, ignore=shutil.ignore_patterns("__pycache__"))
	env = {"PYTHONPATH": str(app_root)}
	args = ["new-site", site] + (["--db-url", f"{MARIADB_URL}/{db_name}"] if backend == "mariadb" else [])
	out = run(sites, *args, env_extra=env)
	assert "created" in out.stdout
	config = json.loads((sites / site / "site_config.json").read_text())
	assert config["encryption_key"] and config["db_type"] == backend
	if backend == "sqlite":
		assert (sites / site / "db.sqlite3").exists()
	else:
		assert config["db_name"] == db_name and mariadb_has(db_name)
	# a second new-site with the same name refuses, and leaves the first one intact
	again = run(sites, *args, env_extra=env, check=False)
	assert again.returncode == 1 and "already exists" in again.stderr

	run(sites, "--site", site, "install-app", "lite_fixture", env_extra=env)
	insert = "import frappe; frappe.get_doc({'doctype': 'LF Hash', 'title': 'keep me', 'amount': 12.5}).insert(); frappe.db.commit()"
	_exec(sites, site, insert, env)

	# migrate: a new field with an index appears, existing rows are kept
	json_path = app_root / "lite_fixture" / "lite_fixture" / "doctype" / "lf_hash" / "lf_hash.json"
	meta = json.loads(json_path.read_text())
	meta["fields"].append(
		{"fieldname": "colour", "fieldtype": "Data", "label": "Colour", "search_index": 1, "default": "blue"}
	)
	json_path.write_text(json.dumps(meta))
	run(sites, "--site", site, "migrate", env_extra=env)
	rows = _exec(
		sites,
		site,
		"import frappe, json; print(json.dumps(frappe.db.sql('select title, amount, colour from `tabLF Hash`')))",
		env,
	)
	# the new column is filled with its default for existing rows (as ALTER TABLE does on both backends)
	assert json.loads(rows.strip().splitlines()[-1]) == [["keep me", 12.5, "blue"]]
	assert "lite_fixture_patch_ran" not in rows
	# backup, change, restore
	out = run(sites, "--site", site, "backup", env_extra=env)
	backup_path = out.stdout.strip().split("Backup written to ")[-1]
	assert os.path.exists(backup_path)
	_exec(sites, site, 'import frappe; frappe.db.sql("delete from `tabLF Hash`"); frappe.db.commit()', env)
	run(sites, "--site", site, "restore", backup_path, env_extra=env)
	titles = _exec(
		sites, site, "import frappe; print(frappe.db.sql('select title from `tabLF Hash`', pluck=True))", env
	)
	assert "keep me" in titles
	# drop-site removes the folder and the database
	run(sites, "drop-site", site, "--no-backup", env_extra=env)
	assert not (sites / site).exists()
	if backend == "mariadb":
		assert not mariadb_has(db_name)


def _exec(sites, site, code, env):
	"""Run Python against the site in a fresh process (what `frappe-lite console` does, minus the REPL)."""
	import sys

	script = (
		"import frappe, sys\n"
		f"frappe.init({site!r}, {str(sites)!r}); frappe.connect()\n"
		f"exec({code!r})\n"
		"frappe.destroy()\n"
	)
	full_env = dict(os.environ, **env)
	proc = subprocess.run(
		[sys.executable, "-c", script], capture_output=True, text=True, env=full_env, timeout=60
	)
	assert proc.returncode == 0, proc.stderr
	return proc.stdout


@pytest.mark.parametrize(
	"args,message",
	[
		(["--site", "nope.local", "migrate"], "does not exist"),
		(["--site", "nope.local", "install-app", "lite_fixture"], "does not exist"),
		(["new-site", "x.local", "--db-url", "postgres://u@h/db"], "Unsupported database URL"),
		(["migrate"], "Please specify --site"),
		(["drop-site", "ghost.local", "--no-backup"], "does not exist"),
		(["no-such-command"], "No such command"),
	],
)
def test_bad_cli_input_fails_with_one_clear_line(tmp_path, args, message):
	proc = run(tmp_path / "sites", *args, check=False)
	assert proc.returncode != 0
	assert message in proc.stderr
	assert "Traceback" not in proc.stderr
	assert not (tmp_path / "sites" / "x.local").exists()


def test_install_unknown_app_fails_cleanly(new_site):
	site = new_site(apps=())
	proc = site.cli("install-app", "no_such_app_here", check=False)
	assert proc.returncode == 1 and "not installed in this environment" in proc.stderr
	with site.connect() as frappe:
		assert frappe.get_installed_apps() == ["frappe"]
