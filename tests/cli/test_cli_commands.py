"""execute, console, set-config, list-apps, enable/disable-scheduler and run-tests end to end, as separate
`frappe-lite` processes, including bad arguments; on SQLite and MariaDB."""

import copy
import json
import os

import frappe

JOBS = "fixture_app.jobs"


def cli(site, *args, site_name=None, input=None, **env):
	"""Run frappe-lite on the site (or on `site_name`) without failing on a non-zero exit."""
	if site_name:
		site = copy.copy(site)
		site.name = site_name
	return site.cli(*args, check=False, input=input, env=site.env(**env))


def one_error_line(result):
	assert result.returncode != 0, result
	lines = result.stderr.strip().splitlines()
	assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
	return lines[0]


def test_execute(fixture_site):
	site = fixture_site()
	result = cli(site, "execute", f"{JOBS}.echo", "--args", "(1, 'a')", "--kwargs", "{'k': [2]}")
	assert result.returncode == 0, result.stderr
	assert json.loads(result.stdout) == {"args": [1, "a"], "kwargs": {"k": [2]}, "user": "Administrator"}

	# commits, prints nothing for a falsy result... and a bare string argument is one positional arg
	assert cli(site, "execute", f"{JOBS}.write_note", "--args", "committed").stdout.strip() == '"committed"'
	with site.connect():
		assert frappe.db.count("Fixture Note", {"title": "committed"}) == 1
	result = cli(site, "execute", "frappe.db.get_value", "--args", "('Fixture Note', {'title': 'nothing'})")
	assert result.returncode == 0 and result.stdout == ""

	assert "Cannot find method" in one_error_line(cli(site, "execute", "fixture_app.jobs.no_such_function"))
	assert "Cannot find method" in one_error_line(cli(site, "execute", "no_such_module.fn"))
	assert "invalid --kwargs" in one_error_line(cli(site, "execute", f"{JOBS}.echo", "--kwargs", "{'a': "))
	assert "invalid --kwargs" in one_error_line(cli(site, "execute", f"{JOBS}.echo", "--kwargs", "[1]"))
	line = one_error_line(cli(site, "execute", f"{JOBS}.write_then_fail", "--args", "'rolled back'"))
	assert "ValueError" in line
	with site.connect():
		assert frappe.db.count("Fixture Note", {"title": "rolled back"}) == 0


def test_unknown_site(fixture_site):
	site = fixture_site()
	for args in (
		("execute", f"{JOBS}.echo"),
		("console",),
		("list-apps",),
		("set-config", "a", "b"),
		("run-due-jobs",),
		("trigger-scheduler-event", "daily"),
		("run-tests",),
		("enable-scheduler",),
		("disable-scheduler",),
		("schedule",),
		("worker", "--burst"),
	):
		result = cli(site, *args, site_name="no-such-site.local")
		assert "Site no-such-site.local does not exist" in one_error_line(result), args


def test_console_with_piped_stdin(fixture_site):
	site = fixture_site()
	script = (
		"print(frappe.session.user, frappe.local.site)\n"
		f"frappe.get_attr('{JOBS}.write_note')('from console')\n"
		"frappe.db.commit()\n"
		f"frappe.get_attr('{JOBS}.write_note')('not committed')\n"
		"print('apps', sorted(a for a in frappe.get_installed_apps() if a != 'frappe'), fixture_app.__version__)\n"
	)
	result = cli(site, "console", input=script)
	assert result.returncode == 0, result.stderr
	assert f"Administrator {site.name}" in result.stdout
	assert "apps ['fixture_app'] 0.0.1" in result.stdout
	with site.connect():
		assert frappe.db.count("Fixture Note", {"title": "from console"}) == 1
		assert frappe.db.count("Fixture Note", {"title": "not committed"}) == 0

	result = cli(site, "console", input="1/0\n")
	assert result.returncode == 1 and "ZeroDivisionError" in result.stderr


def test_set_config_and_list_apps(fixture_site):
	site = fixture_site()
	config_path = os.path.join(site.sites_path, site.name, "site_config.json")
	assert cli(site, "set-config", "some_key", "some value").returncode == 0
	assert cli(site, "set-config", "workers", "{'fast': {'timeout': 5}}", "--as-dict").returncode == 0
	assert cli(site, "set-config", "--parse", "answer", "42").returncode == 0
	assert cli(site, "set-config", "-g", "common_key", "1").returncode == 0
	config = json.load(open(config_path))
	assert config["some_key"] == "some value" and config["workers"] == {"fast": {"timeout": 5}}
	assert config["answer"] == 42
	assert json.load(open(os.path.join(site.sites_path, "common_site_config.json")))["common_key"] == "1"
	with site.connect():
		assert frappe.conf.some_key == "some value" and frappe.conf.common_key == "1"

	assert "cannot parse" in one_error_line(cli(site, "set-config", "bad", "{'a':", "--parse"))
	assert cli(site, "set-config", "only_key").returncode != 0

	result = cli(site, "list-apps")
	assert result.returncode == 0 and "fixture_app 0.0.1" in result.stdout.splitlines()
	assert "fixture_app" in json.loads(cli(site, "list-apps", "--format", "json").stdout)[site.name]


def test_enable_disable_scheduler(fixture_site):
	site = fixture_site()
	assert cli(site, "enable-scheduler").stdout.strip() == f"Enabled for {site.name}"
	with site.connect():
		assert frappe.db.get_single_value("System Settings", "enable_scheduler") == 1
	assert cli(site, "disable-scheduler").stdout.strip() == f"Disabled for {site.name}"
	with site.connect():
		assert not frappe.db.get_single_value("System Settings", "enable_scheduler")


def test_run_tests_on_a_throwaway_site(fixture_site):
	site = fixture_site()
	result = cli(site, "run-tests", "--app", "fixture_app")
	assert result.returncode == 0, result.stdout + result.stderr
	assert "Ran 4 tests" in result.stderr and "OK" in result.stderr

	result = cli(site, "run-tests", "--app", "fixture_app", FIXTURE_APP_FAIL="1")
	assert result.returncode == 1
	assert "failing as asked by FIXTURE_APP_FAIL" in result.stderr and "FAILED (failures=1)" in result.stderr

	result = cli(
		site,
		"run-tests",
		"--doctype",
		"Fixture Note",
		"--test",
		"test_insert",
		"--test",
		"test_change_settings",
	)
	assert result.returncode == 0 and "Ran 2 tests" in result.stderr, result.stdout + result.stderr

	result = cli(
		site,
		"run-tests",
		"--module",
		"fixture_app.fixture_module.doctype.fixture_note.test_fixture_note",
		"--failfast",
		FIXTURE_APP_FAIL="1",
	)
	assert result.returncode == 1

	# the tests ran on a throwaway site: nothing of theirs is on the real one
	with site.connect():
		assert frappe.db.count("Fixture Note") == 0

	assert "Invalid doctype" in one_error_line(cli(site, "run-tests", "--doctype", "No Such Doctype"))
