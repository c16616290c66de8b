"""The reconciliation endpoints over real HTTP (``frappe-lite serve`` in its own process), SQLite and MariaDB.

Managers only; string booleans parsed; a fix made over GET is kept (Frappe rolls a GET back unless the code
commits: the fix is its own committed unit of work); the driver statement downloads as CSV whose
target_contribution total equals the balance; the baseline's dotted paths on api.tuktuk work too.
"""

import csv
import io
from decimal import Decimal

import pytest
import requests

from tests.helpers.server import FrappeServe

# Tests share one served site per backend; each states what it needs and restores nothing it does not own.

API = "/api/method/tuktuk_management.api"
MANAGER = ("recon.manager@example.com", "mgrkey0001", "mgrsecret0001")
CLERK = ("recon.clerk@example.com", "clerkkey0001", "clerksecret0001")


def money(value):
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@pytest.fixture(scope="module")
def served(module_site_factory):
	site = module_site_factory(apps=("tuktuk_management",))
	site.cli(
		"add-user",
		MANAGER[0],
		"--add-role",
		"TukTuk Manager",
		"--api-key",
		MANAGER[1],
		"--api-secret",
		MANAGER[2],
	)
	site.cli("add-user", CLERK[0], "--api-key", CLERK[1], "--api-secret", CLERK[2])
	with site.connect() as frappe:
		from tuktuk_management.tests.reconciliation_utils import corrupt_balance
		from tuktuk_management.tests.utils import make_driver, make_payment

		driver = make_driver(vehicle=None, fare_percentage=50, target_sharing_override="Disable").name
		make_payment(driver, "100")  # commits: 50 to the balance
		make_payment(driver, "45.50")  # 22.75
		corrupt_balance(driver, "12.5")
		frappe.db.commit()
	with FrappeServe(site.sites_path, site.name, env=site.env()) as server:
		yield site, server.url, driver


def call(url, method, who=MANAGER, http="GET", **params):
	headers = {"Authorization": f"token {who[1]}:{who[2]}"} if who else {}
	if http == "GET":
		return requests.get(f"{url}{API}.{method}", params=params, headers=headers, timeout=30)
	return requests.post(f"{url}{API}.{method}", json=params, headers=headers, timeout=30)


def balance(site, driver):
	with site.connect() as frappe:
		return money(frappe.db.get_value("TukTuk Driver", driver, "current_balance"))


def test_non_managers_are_refused(served):
	site, url, driver = served
	before = balance(site, driver)
	for who in (None, CLERK):
		for method in ("reconciliation.reconcile_driver_balance", "tuktuk.fix_driver_balance"):
			response = call(url, method, who=who, driver_name=driver, auto_fix="1")
			assert response.status_code == 403, (who, method, response.text)
		response = call(url, "reconciliation.download_driver_statement", who=who, driver=driver)
		assert response.status_code == 403
	assert balance(site, driver) == before


def test_detect_dry_run_then_fix_over_get(served):
	site, url, driver = served
	found = call(url, "tuktuk.reconcile_driver_balance", driver_name=driver)
	assert found.status_code == 200, found.text
	result = found.json()["message"]
	assert (money(result["old_balance"]), money(result["calculated_balance"])) == (
		Decimal("85.25"),
		Decimal("72.75"),
	)
	assert money(result["discrepancy"]) == Decimal("12.50") and result["transactions_count"] == 2

	dry = call(url, "tuktuk.fix_driver_balance", driver_name=driver, auto_fix="false").json()["message"]
	assert dry["fixed"] is False
	assert balance(site, driver) == Decimal("85.25")

	fixed = call(url, "tuktuk.fix_driver_balance", driver_name=driver, auto_fix="true").json()["message"]
	assert fixed["fixed"] is True and money(fixed["new_balance"]) == Decimal("72.75")
	assert balance(site, driver) == Decimal("72.75"), "a fix over GET must be committed, not rolled back"

	with site.connect() as frappe:
		logs = {
			title: frappe.db.count("Error Log", {"reference_name": driver, "method": title})
			for title in ("Balance Discrepancy Detected", "Balance Fixed")
		}
		records = frappe.db.count("TukTuk Balance Reconciliation", {"driver": driver})
	# detection (GET, kept by flags.commit) + dry run + fix each logged a discrepancy; the fix also "Balance Fixed"
	assert logs == {"Balance Discrepancy Detected": 3, "Balance Fixed": 1}
	assert records == 3


def test_reconcile_all_over_post(served):
	site, url, driver = served
	response = call(url, "tuktuk.reconcile_all_drivers_balances", http="POST", auto_fix="0")
	assert response.status_code == 200, response.text
	before = balance(site, driver)
	summary = response.json()["message"]
	for key in ("total_drivers", "drivers_checked", "drivers_with_discrepancies", "drivers_fixed", "results"):
		assert key in summary
	assert summary["total_drivers"] == 1 and summary["drivers_fixed"] == 0  # auto_fix "0" is false
	assert balance(site, driver) == before


def test_statement_csv_download(served):
	site, url, driver = served
	response = call(url, "tuktuk.download_driver_statement", driver=driver)
	assert response.status_code == 200, response.text
	assert response.headers["Content-Type"].startswith("text/csv")
	assert f"statement_{driver}_" in response.headers["Content-Disposition"]
	rows = list(csv.reader(io.StringIO(response.text)))
	header, body = rows[0], rows[1 : rows.index([])]
	total = sum(money(row[header.index("target_contribution")]) for row in body)
	assert len(body) == 2
	assert total == Decimal(
		"72.75"
	)  # the ledger; equal to the balance once fixed (test_detect_dry_run_then_fix)
	assert ["total_target_contribution", "72.75"] in rows
