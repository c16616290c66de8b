"""System-test rig for B2C payouts: the Daraja simulator as its own process, and a served site it pays
through and calls back.

- test_b2c_http.py: over HTTP only, against a target (tests/helpers/target.py: frappe_lite on SQLite and
  MariaDB, or the real bench with TUKTUK_TARGET=realbench); the ``b2c`` fixture points the target's TukTuk
  Settings at the simulator and gives the simulator a Host-setting relay to call back through.
- test_b2c_payouts.py: frappe_lite only, a site (SQLite and MariaDB) served by `frappe-lite serve` plus a
  connection of the test process through which payments are credited (their payout jobs run inline after
  commit), for what needs the runtime in the test process (a worker killed mid-send, scheduler ticks, ...)."""

import json
from pathlib import Path

import pytest
from payout_rig import (
	B2C_SHORTCODE,
	CONSUMER_KEY,
	CONSUMER_SECRET,
	INITIATOR,
	INITIATOR_PASSWORD,
	PAYBILL,
	PAYMENTS_REPORT,
)

from mpesa_sandbox import SandboxProcess
from tests.helpers.fixtures import empty_redis_db
from tests.helpers.server import FrappeServe
from tests.helpers.target_fixtures import (  # noqa: F401  (target is a fixture)
	deselect_lite_only,
	report_figures,
	report_header,
	session_finish,
	target,
)


def pytest_collection_modifyitems(session, config, items):
	deselect_lite_only(config, items, Path(__file__).parent)


def pytest_report_header(config):
	return report_header()


def pytest_sessionfinish(session, exitstatus):
	session_finish()


@pytest.fixture(scope="session")
def sandbox():
	with SandboxProcess(
		"--consumer-key",
		CONSUMER_KEY,
		"--consumer-secret",
		CONSUMER_SECRET,
		"--initiator-name",
		INITIATOR,
		"--initiator-password",
		INITIATOR_PASSWORD,
		"--result-delay",
		"0.05",
	) as process:
		yield process


class PayoutSite:
	"""A TestSite (tests/conftest.py) served over HTTP, configured to pay through the simulator."""

	def __init__(self, test_site, sandbox):
		self.test_site, self.sandbox = test_site, sandbox
		self.backend, self.sites_path, self.name = test_site.backend, test_site.sites_path, test_site.name
		self.server = FrappeServe(
			self.sites_path,
			self.name,
			workers=2 if self.backend == "mariadb" else None,
			log_path=Path(self.sites_path) / "serve.log",
		)
		self.port, self.base_url = self.server.port, self.server.url

	def connect(self):
		return self.test_site.connect()

	def configure(self, **overrides):
		values = {
			"b2c_enabled": 1,
			"instant_payouts_enabled": 1,
			"mpesa_environment": "custom",
			"mpesa_base_url": self.sandbox.url,
			"mpesa_paybill": PAYBILL,
			"b2c_shortcode": B2C_SHORTCODE,
			"mpesa_consumer_key": CONSUMER_KEY,
			"mpesa_consumer_secret": CONSUMER_SECRET,
			"mpesa_initiator_name": INITIATOR,
			"mpesa_initiator_password": INITIATOR_PASSWORD,
			"mpesa_certificate": self.sandbox.client.certificate(),
			"site_url": self.base_url,
			"b2c_retry_backoff_minutes": 0,
			"b2c_max_attempts": 5,
			"http_timeout_seconds": 5,
			**overrides,
		}
		with self.connect() as frappe:
			doc = frappe.get_single("TukTuk Settings")
			doc.update(values)
			doc.save(ignore_permissions=True)
			frappe.db.commit()

	def start(self):
		self.server.start(timeout=30)

	def stop(self):
		self.server.stop()

	def server_log(self):
		return self.server.log_text()


@pytest.fixture(scope="module")
def payout_site(module_site_factory, sandbox):
	"""One site per backend for the module (tests/conftest.py makes and drops it), served over HTTP."""
	site = PayoutSite(module_site_factory(), sandbox)
	try:
		site.configure()
		site.start()
		yield site
	finally:
		site.stop()


@pytest.fixture
def site(payout_site, sandbox):
	"""The served site, connected in this process, with a fresh simulator and default settings."""
	sandbox.client.reset()
	payout_site.configure()
	with payout_site.connect():
		yield payout_site
	sandbox.client.drain()


def pytest_terminal_summary(terminalreporter):
	report_figures(terminalreporter)
	if PAYMENTS_REPORT:
		terminalreporter.write_sep("-", "B2C scenarios: payments made by the simulator")
		for line in PAYMENTS_REPORT:
			terminalreporter.write_line(line)


@pytest.fixture
def rq_site(payout_site, sandbox):
	"""The served site with `redis_queue` set for the duration of one test: payout jobs go to RQ and run in a
	separate `frappe-lite worker` process. Skipped when Redis is not reachable (mandatory under CI)."""
	conn, db = empty_redis_db()
	config_path = Path(payout_site.sites_path) / payout_site.name / "site_config.json"
	original = config_path.read_text()
	config = json.loads(original)
	config["redis_queue"] = f"redis://127.0.0.1:6379/{db}"
	config_path.write_text(json.dumps(config, indent=1))
	sandbox.client.reset()
	payout_site.configure()
	try:
		with payout_site.connect():
			yield payout_site
		sandbox.client.drain()
	finally:
		config_path.write_text(original)
		conn.flushdb()
