"""Fixtures for the going-live tests: one throwaway site per backend for the module (SQLite and MariaDB), the
Daraja simulator as its own process, and a clean slate before each test (the money tables, the inbox, the
logs and the scheduler's records emptied; settings back to a fresh site's)."""

import datetime

import pytest

from mpesa_sandbox import SandboxProcess

CONSUMER_KEY, CONSUMER_SECRET = "live-key", "live-secret"
INITIATOR, INITIATOR_PASSWORD = "live_api", "Safaricom999!*!"
PAYBILL = "600984"

TABLES = (
	"TukTuk Callback",
	"TukTuk Payout",
	"TukTuk Transaction",
	"TukTuk Balance Reconciliation",
	"TukTuk Daily Close",
	"TukTuk Driver",
	"TukTuk Vehicle",
	"Error Log",
	"Scheduled Job Log",
)


@pytest.fixture(scope="session")
def daraja():
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


@pytest.fixture(scope="module")
def live_site(module_site_factory):
	return module_site_factory()


@pytest.fixture
def site(live_site):
	"""The module's site, connected in this process as Administrator, wiped clean first."""
	with live_site.connect() as frappe:
		wipe(frappe)
		yield frappe


def wipe(frappe):
	for table in TABLES:
		frappe.db.sql(f"delete from `tab{table}`")
	frappe.db.sql(
		"update `tabScheduled Job Type` set last_execution = null, stopped = 0, creation = %s",
		(frappe.utils.now_datetime() - datetime.timedelta(minutes=1),),
	)
	frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
	frappe.db.set_single_value(
		"TukTuk Settings",
		{
			"b2c_enabled": 0,
			"mpesa_environment": "sandbox",
			"mpesa_base_url": "",
			"mpesa_consumer_key": "",
			"mpesa_paybill": PAYBILL,
			"operating_hours_start": "06:00:00",
			"operating_hours_end": "00:00:00",
		},
	)
	frappe.db.sql("delete from `__Auth` where doctype='TukTuk Settings' and fieldname like 'mpesa_%%'")
	for key in ("pause_scheduler", "maintenance_mode", "disable_scheduler", "redis_queue"):
		frappe.local.conf.pop(key, None)
	frappe.db.commit()
	from tuktuk_management.payouts import daraja

	daraja._process_tokens.clear()
