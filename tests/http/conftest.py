"""A real HTTP server per backend: a throwaway site with the `http_fixture` app, served by
`frappe-lite serve` in its own process, plus users made with `frappe-lite add-user`."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# the fixture app is started by the tests, never collected by pytest
collect_ignore_glob = ["fixture_app/*"]

FIXTURE_APP_DIR = Path(__file__).parent / "fixture_app"
REPO_ROOT = Path(__file__).resolve().parents[2]

# the fixture app must import in this process (installer) and in every child (CLI, server)
sys.path.insert(0, str(FIXTURE_APP_DIR))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(FIXTURE_APP_DIR), os.environ.get("PYTHONPATH")]))

from http_helpers import MANAGER, PLAIN, READER  # noqa: E402

from tests.helpers.server import FRAPPE_LITE, FrappeServe  # noqa: E402


class HTTPSite:
	"""A served site: its name, sites path, URL, CLI and a second database connection."""

	def __init__(self, backend, sites_path, name, db_url):
		self.backend = backend
		self.sites_path = str(sites_path)
		self.name = name
		self.db_url = db_url
		self.port = None
		self.server = None
		self.users = {}

	@property
	def base_url(self):
		return f"http://127.0.0.1:{self.port}"

	def url(self, path):
		return self.base_url + path

	def cli(self, *args, site=True, timeout=60):
		cmd = [FRAPPE_LITE, "--sites-path", self.sites_path]
		if site:
			cmd += ["--site", self.name]
		return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout)

	@contextlib.contextmanager
	def connect(self):
		"""A connection of this test process, independent of the server's."""
		import frappe

		frappe.init(self.name, sites_path=self.sites_path, force=True)
		frappe.connect()
		try:
			yield frappe
		finally:
			frappe.destroy()

	def update_config(self, **values):
		"""Edit site_config.json as `set-config` would; None removes a key (read on every request)."""
		path = Path(self.sites_path) / self.name / "site_config.json"
		config = json.loads(path.read_text())
		for key, value in values.items():
			if value is None:
				config.pop(key, None)
			else:
				config[key] = value
		path.write_text(json.dumps(config, indent=1))

	def note_exists(self, title):
		with self.connect() as frappe:
			return bool(frappe.db.exists("HTTP Note", title))

	def start(self):
		self.server = FrappeServe(self.sites_path, self.name, log_path=Path(self.sites_path) / "serve.log")
		self.port = self.server.port
		self.server.start(timeout=30)

	def stop(self):
		if self.server:
			self.server.stop()

	def server_log(self):
		return self.server.log_text()


def add_user(site, user):
	args = [
		"add-user",
		user["email"],
		"--first-name",
		user["email"].split("@")[0].title(),
		"--password",
		user["password"],
	]
	for role in user["roles"]:
		args += ["--add-role", role]
	if user.get("api_key"):
		args += ["--api-key", user["api_key"], "--api-secret", user["api_secret"]]
	else:
		args += ["--generate-keys"]
	result = site.cli(*args)
	assert result.returncode == 0, result.stderr
	printed = json.loads(result.stdout.strip().splitlines()[-1])
	return {
		**user,
		"api_key": user.get("api_key") or printed["api_key"],
		"api_secret": user.get("api_secret") or printed["api_secret"],
	}


def shared_fixtures(config):
	"""tests/conftest.py (the lead's site helpers), looked up as the plugin pytest loaded it as."""
	return config.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))


@pytest.fixture(scope="session", params=["sqlite", "mariadb"])
def http_site(request, tmp_path_factory):
	"""One served site per backend for the whole folder (tests use unique names, never leftovers)."""
	shared = shared_fixtures(request.config)
	backend = shared.require_backend(request.param)
	sites_path = tmp_path_factory.mktemp(f"http-{backend}")
	made = shared.create_test_site(
		backend, sites_path, apps=("http_fixture",), pythonpath=(str(FIXTURE_APP_DIR),)
	)

	site = HTTPSite(backend, sites_path, made.name, made.db_url)
	try:
		for user in (MANAGER, READER, PLAIN):
			site.users[user["email"]] = add_user(site, user)
		site.start()
		yield site
	finally:
		site.stop()
		shared.drop_test_site(made)
		shutil.rmtree(sites_path, ignore_errors=True)


@pytest.fixture
def manager(http_site):
	return http_site.users[MANAGER["email"]]


@pytest.fixture
def reader(http_site):
	return http_site.users[READER["email"]]


@pytest.fixture
def plain(http_site):
	return http_site.users[PLAIN["email"]]
