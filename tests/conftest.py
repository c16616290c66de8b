# Shared fixtures for the system tests: throwaway sites on SQLite and on MariaDB.
#
# Every site gets its own SQLite file or its own MariaDB database named fltest_<run>_<n>, dropped at
# teardown (and any leftover of this run dropped at session end). The MariaDB tier is mandatory when
# CI=true; elsewhere it runs when MariaDB answers and is skipped with a clear reason when it does not.
import contextlib
import os
import subprocess
import sys
import uuid

import pytest

MARIADB_URL = os.environ.get("FRAPPE_LITE_TEST_MARIADB", "mysql://root:@127.0.0.1:3306").rstrip("/")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
RUN_ID = uuid.uuid4().hex[:8]
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FRAPPE_LITE = os.path.join(os.path.dirname(sys.executable), "frappe-lite")
BACKENDS = ("sqlite", "mariadb")

_mariadb_state = {}
_counter = iter(range(1, 10**9))


def _server_conf():
	from frappe.database import parse_db_url

	return parse_db_url(MARIADB_URL + "/x")


def mariadb_reason():
	"""None if MariaDB answers, else why not (checked once per run)."""
	if "reason" not in _mariadb_state:
		try:
			import pymysql

			c = _server_conf()
			conn = pymysql.connect(
				host=c["db_host"],
				port=c["db_port"],
				user=c["db_user"],
				password=c["db_password"],
				connect_timeout=3,
			)
			conn.close()
			_mariadb_state["reason"] = None
		except Exception as e:
			_mariadb_state["reason"] = f"MariaDB at {MARIADB_URL} not reachable ({e})"
	return _mariadb_state["reason"]


def require_backend(name):
	if name == "mariadb":
		reason = mariadb_reason()
		if reason:
			if IN_CI:
				pytest.fail(f"CI requires the MariaDB tier: {reason}")
			pytest.skip(f"MariaDB tier skipped: {reason}")
	return name


def pytest_report_header(config):
	reason = mariadb_reason()
	return f"MariaDB tier: {'ON (' + MARIADB_URL + ')' if not reason else 'SKIPPED - ' + reason}"


@pytest.fixture(params=BACKENDS)
def backend(request):
	return require_backend(request.param)


@pytest.fixture(scope="module", params=BACKENDS)
def module_backend(request):
	return require_backend(request.param)


class TestSite:
	"""A throwaway site: `.cli(...)` runs frappe-lite on it in a subprocess; `.connect()` connects in-process."""

	__test__ = False

	def __init__(self, name, sites_path, backend, db_url=None, pythonpath=()):
		self.name = name
		self.sites_path = str(sites_path)
		self.backend = backend
		self.db_url = db_url
		self.pythonpath = list(pythonpath)

	def env(self, **extra):
		env = dict(os.environ)
		paths = [*self.pythonpath, env.get("PYTHONPATH", "")]
		env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
		env["FRAPPE_LITE_SITES_PATH"] = self.sites_path
		env.update({k: str(v) for k, v in extra.items()})
		return env

	def cli(self, *args, check=True, timeout=300, input=None, env=None):
		"""Run `frappe-lite --sites-path P --site S ARGS` and return the CompletedProcess."""
		cmd = [FRAPPE_LITE, "--sites-path", self.sites_path, "--site", self.name, *map(str, args)]
		proc = subprocess.run(
			cmd,
			capture_output=True,
			text=True,
			timeout=timeout,
			input=input,
			env=env or self.env(),
			check=False,
		)
		if check and proc.returncode != 0:
			raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
		return proc

	@contextlib.contextmanager
	def connect(self, user="Administrator"):
		"""frappe.init + connect to this site in this process; destroy on exit (rolling back what was not committed)."""
		import frappe

		for p in self.pythonpath:
			if p not in sys.path:
				sys.path.insert(0, p)
		frappe.init(self.name, self.sites_path, force=True)
		frappe.connect()
		if user != "Administrator":
			frappe.set_user(user)
		try:
			yield frappe
		finally:
			try:
				frappe.db.rollback()
			finally:
				frappe.destroy()

	def set_config(self, **values):
		import json

		path = os.path.join(self.sites_path, self.name, "site_config.json")
		with open(path) as f:
			config = json.load(f)
		config.update(values)
		with open(path, "w") as f:
			json.dump(config, f, indent=1)

	def __repr__(self):
		return f"<TestSite {self.name} on {self.backend}>"


def create_test_site(backend, sites_path, apps=("tuktuk_management",), pythonpath=(), **config):
	"""Create a site with `apps` installed; returns a TestSite. The caller drops it (drop_test_site)."""
	import frappe
	from frappe.installer import new_site

	for p in pythonpath:
		if p not in sys.path:
			sys.path.insert(0, p)
	n = next(_counter)
	name = f"t{RUN_ID}{n}.local"
	db_url = f"{MARIADB_URL}/fltest_{RUN_ID}_{n}" if backend == "mariadb" else None
	try:
		new_site(name, str(sites_path), db_url=db_url, install_apps=tuple(apps), extra_config=config or None)
	finally:
		frappe.destroy()
	return TestSite(name, sites_path, backend, db_url, pythonpath)


def drop_test_site(site):
	import frappe
	from frappe.installer import drop_site

	with contextlib.suppress(Exception):
		frappe.destroy()
	with contextlib.suppress(frappe.IncorrectSitePath):
		drop_site(site.name, site.sites_path, no_backup=True)


@pytest.fixture
def new_site(backend, tmp_path):
	"""Factory: new_site(apps=("tuktuk_management",), pythonpath=(), **site_config) → TestSite, dropped at teardown."""
	made = []

	def make(apps=("tuktuk_management",), pythonpath=(), **config):
		site = create_test_site(backend, tmp_path / "sites", apps=apps, pythonpath=pythonpath, **config)
		made.append(site)
		return site

	yield make
	for site in made:
		drop_test_site(site)


@pytest.fixture(scope="module")
def module_site_factory(module_backend, tmp_path_factory):
	"""Module-scoped variant of new_site (one site shared by a module's tests)."""
	made = []
	base = tmp_path_factory.mktemp("sites")

	def make(apps=("tuktuk_management",), pythonpath=(), **config):
		site = create_test_site(module_backend, base, apps=apps, pythonpath=pythonpath, **config)
		made.append(site)
		return site

	yield make
	for site in made:
		drop_test_site(site)


def drop_leftover_databases(what="test"):
	"""Drop every MariaDB database of this run (fltest_<run>_*) still there: a crash must not leak into the
	shared server. Also used by the benchmarks (what="benchmark" in the warning)."""
	if mariadb_reason():
		return
	try:
		import pymysql

		c = _server_conf()
		conn = pymysql.connect(
			host=c["db_host"], port=c["db_port"], user=c["db_user"], password=c["db_password"]
		)
		with conn.cursor() as cur:
			cur.execute(
				"select schema_name from information_schema.schemata where schema_name like %s",
				(f"fltest\\_{RUN_ID}%",),
			)
			for (name,) in cur.fetchall():
				cur.execute(f"drop database `{name}`")
		conn.close()
	except Exception as e:
		print(f"warning: could not clean up {what} databases: {e}")


def pytest_sessionfinish(session, exitstatus):
	"""Drop any database this run left behind (a crashed test must not leak into the shared server)."""
	drop_leftover_databases()
