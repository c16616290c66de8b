"""The reconciliation endpoints over real HTTP, against a target (tests/helpers/target.py: frappe_lite on SQLite
and MariaDB, or the real bench).

Managers only; string booleans parsed; what can change a balance (a fix, reconcile-all) answers POST only
(a GET is refused 403 and changes nothing); a detection over GET keeps its audit trail (Frappe rolls a GET
back unless the code commits); the driver statement downloads as CSV whose
target_contribution total equals the balance; the baseline's dotted paths on api.tuktuk work too.
The driver is paid through the C2B callback; its balance is then corrupted by a direct database write (there
is, by design, no API that moves a balance away from its ledger).
"""

import csv
import io
from decimal import Decimal

import pytest

from tests.helpers.daraja import payload
from tests.helpers.target import C2B_SETTINGS, GUEST, money, unique

# Tests share one driver per target; each states what it needs and restores nothing it does not own.

API = "tuktuk_management.api"
CONFIRM = "/api/method/tuktuk_management.api.tuktuk.payment_confirmation"


@pytest.fixture(scope="module")
def served(target):
	with target.settings_changed(**C2B_SETTINGS):
		clerk = target.add_user(roles=())
		driver = target.make_driver()
		for amount in ("100", "45.50"):  # 50 + 22.75 to the balance
			reply = target.callback(CONFIRM, payload(driver.account, amount, unique("RECON")))
			assert reply.status_code == 200 and reply.json()["status"] == "Processed", reply.text
		target.write_sql(
			"UPDATE `tabTukTuk Driver` SET current_balance = current_balance + %s WHERE name = %s",
			("12.5", driver.name),
		)
		yield target, driver.name, clerk


def call(target, method, who="manager", http="GET", **params):
	return target.method(f"{API}.{method}", http=http, who=who, **params)


def test_non_managers_are_refused(served):
	target, driver, clerk = served
	before = target.balance(driver)
	for who in (GUEST, clerk):
		for method in ("reconciliation.reconcile_driver_balance", "tuktuk.fix_driver_balance"):
			for http in ("GET", "POST"):
				response = call(target, method, who=who, http=http, driver_name=driver, auto_fix="1")
				assert response.status_code == 403, (who, method, http, response.text)
		response = call(target, "reconciliation.download_driver_statement", who=who, driver=driver)
		assert response.status_code == 403
	assert target.balance(driver) == before


def test_a_fix_or_reconcile_all_over_get_is_refused_and_changes_nothing(served):
	target, driver, _clerk = served
	before = target.balance(driver), target.count("TukTuk Balance Reconciliation", driver=driver)
	for method, params in (
		("tuktuk.fix_driver_balance", {"driver_name": driver, "auto_fix": "1"}),
		("reconciliation.fix_driver_balance", {"driver_name": driver, "auto_fix": "1"}),
		("tuktuk.reconcile_all_drivers_balances", {"auto_fix": "1"}),
	):
		response = call(target, method, http="GET", **params)
		assert response.status_code == 403, (method, response.text)
		assert response.json().get("exc_type") == "PermissionError", response.text
	assert (target.balance(driver), target.count("TukTuk Balance Reconciliation", driver=driver)) == before


def test_detect_dry_run_then_fix(served):
	target, driver, _clerk = served
	found = call(target, "tuktuk.reconcile_driver_balance", driver_name=driver)
	assert found.status_code == 200, found.text
	result = found.json()["message"]
	assert (money(result["old_balance"]), money(result["calculated_balance"])) == (
		Decimal("85.25"),
		Decimal("72.75"),
	)
	assert money(result["discrepancy"]) == Decimal("12.50") and result["transactions_count"] == 2

	dry = call(target, "tuktuk.fix_driver_balance", http="POST", driver_name=driver, auto_fix="false")
	dry = dry.json()["message"]
	assert dry["fixed"] is False
	assert target.balance(driver) == Decimal("85.25")

	fixed = call(target, "tuktuk.fix_driver_balance", http="POST", driver_name=driver, auto_fix="true")
	fixed = fixed.json()["message"]
	assert fixed["fixed"] is True and money(fixed["new_balance"]) == Decimal("72.75")
	assert target.balance(driver) == Decimal("72.75")

	logs = {
		title: target.count("Error Log", reference_name=driver, method=title)
		for title in ("Balance Discrepancy Detected", "Balance Fixed")
	}
	records = target.count("TukTuk Balance Reconciliation", driver=driver)
	# detection (GET, kept by flags.commit) + dry run + fix each logged a discrepancy; the fix also "Balance Fixed"
	assert logs == {"Balance Discrepancy Detected": 3, "Balance Fixed": 1}
	assert records == 3


def test_reconcile_all_over_post(served):
	target, driver, _clerk = served
	before = target.balance(driver)
	response = call(target, "tuktuk.reconcile_all_drivers_balances", http="POST", auto_fix="0")
	assert response.status_code == 200, response.text
	summary = response.json()["message"]
	for key in ("total_drivers", "drivers_checked", "drivers_with_discrepancies", "drivers_fixed", "results"):
		assert key in summary
	# every driver of the site (on a shared bench: other runs' too), none fixed: auto_fix "0" is false
	assert summary["total_drivers"] == target.count("TukTuk Driver") and summary["drivers_fixed"] == 0
	ours = [r for r in summary["results"] if r["driver"] == driver]
	assert len(ours) == 1 and not ours[0]["has_discrepancy"]
	assert target.balance(driver) == before


def test_statement_csv_download(served):
	target, driver, _clerk = served
	response = call(target, "tuktuk.download_driver_statement", driver=driver)
	assert response.status_code == 200, response.text
	assert response.headers["Content-Type"].startswith("text/csv")
	assert f"statement_{driver}_" in response.headers["Content-Disposition"]
	rows = list(csv.reader(io.StringIO(response.text)))
	header, body = rows[0], rows[1 : rows.index([])]
	total = sum(money(row[header.index("target_contribution")]) for row in body)
	assert len(body) == 2
	# the ledger; equal to the balance once fixed (test_detect_dry_run_then_fix_over_get)
	assert total == Decimal("72.75")
	assert ["total_target_contribution", "72.75"] in rows
