"""Money records over HTTP, tried as an attacker holding a manager's API token (and Administrator's password)
would: no ledger, payout, inbox, reconciliation or daily-close row is created, changed or deleted through
``/api/resource`` (permissions for the manager; the controllers for Administrator, whom permissions never
stop); a driver with money records cannot be deleted (Frappe's link check); a Paid payout is never retried;
a payout no ledger row backs is never retried; corrections go in as new Adjustment rows; money-changing
methods refuse GET; replays of one callback racing each other credit it once and leave it Processed.

Runs on frappe_lite (SQLite, MariaDB) and, with TUKTUK_TARGET=realbench, on the real v15 bench
(tests/realbench/test_7_money_records.py)."""

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from tests.helpers.daraja import payload
from tests.helpers.target import C2B_SETTINGS, money, unique

API = "tuktuk_management.api.tuktuk"
CONFIRM = "/api/method/tuktuk_management.api.tuktuk.payment_confirmation"
LEDGER, PAYOUT, INBOX = "TukTuk Transaction", "TukTuk Payout", "TukTuk Callback"
RECONCILIATION, DAILY_CLOSE = "TukTuk Balance Reconciliation", "TukTuk Daily Close"
MONEY_RECORDS = (LEDGER, PAYOUT, INBOX, RECONCILIATION, DAILY_CLOSE)
# What a refusal looks like: Frappe's 403 for PermissionError (and the app's RecordProtectedError under it).
REFUSED = (403,)


@pytest.fixture(scope="module")
def paid(target):
	"""A driver paid once through the C2B callback (payouts held), with a reconciliation record."""
	with target.settings_changed(**C2B_SETTINGS):
		driver = target.make_driver()
		reply = target.callback(CONFIRM, payload(driver.account, "101", unique("SEC")))
		assert reply.status_code == 200 and reply.json()["status"] == "Processed", reply.text
		body = reply.json()
		target.write_sql(
			"UPDATE `tabTukTuk Driver` SET current_balance = current_balance + 1 WHERE name = %s",
			(driver.name,),
		)
		found = target.method(f"{API}.reconcile_driver_balance", http="GET", driver_name=driver.name)
		assert found.status_code == 200, found.text
		target.write_sql(
			"UPDATE `tabTukTuk Driver` SET current_balance = current_balance - 1 WHERE name = %s",
			(driver.name,),
		)
		records = {
			LEDGER: body["transaction"],
			PAYOUT: body["payout"],
			INBOX: body["callback"],
			RECONCILIATION: found.json()["message"]["reconciliation"],
		}
		assert all(records.values()), records
		yield target, driver, records


def snapshot(target, doctype, name):
	rows = target.sql(f"select * from `tab{doctype}` where name = %s", (name,), as_dict=True)
	return rows[0] if rows else None


def test_no_money_record_is_created_over_rest(paid):
	target, driver, records = paid
	admin = target.session()
	forged = {
		LEDGER: {
			"transaction_id": unique("FORGED"),
			"transaction_type": "Payment",
			"driver": driver.name,
			"amount": 5000,
			"driver_share": 5000,
			"target_contribution": 0,
			"payment_status": "Completed",
		},
		PAYOUT: {
			"driver": driver.name,
			"amount": 5000,
			"share": 5000,
			"phone": "254799999999",
			"status": "Queued",
		},
		INBOX: {
			"callback_type": "C2B Confirmation",
			"status": "Failed",
			"trans_id": unique("FORGED"),
			"payload": json.dumps(payload(driver.account, "5000", unique("FORGED"))),
		},
		RECONCILIATION: {"driver": driver.name, "old_balance": 0, "calculated_balance": 0, "fixed": 1},
		DAILY_CLOSE: {"driver": driver.name, "closing_balance": 99999, "target_met": 1},
	}
	for doctype, values in forged.items():
		before = target.count(doctype)
		as_manager = target.post(f"/api/resource/{doctype}", json=values)
		as_admin = admin.post(target.url + f"/api/resource/{doctype}", json=values, timeout=60)
		assert as_manager.status_code in REFUSED, (doctype, as_manager.text[:500])
		assert as_admin.status_code in REFUSED, (doctype, as_admin.text[:500])
		assert target.count(doctype) == before, doctype


def test_no_money_record_is_changed_over_rest(paid):
	target, driver, records = paid
	admin = target.session()
	changes = {
		LEDGER: {"payment_status": "Reversed", "amount": 5000, "remarks": "edited"},
		PAYOUT: {"status": "Queued", "phone": "254799999999", "amount": 5000},
		INBOX: {"status": "Failed", "error": "reset by hand"},
		RECONCILIATION: {"fixed": 1, "new_balance": 1},
	}
	for doctype, values in changes.items():
		name = records[doctype]
		before = snapshot(target, doctype, name)
		as_manager = target.put(f"/api/resource/{doctype}/{name}", json=values)
		as_admin = admin.put(target.url + f"/api/resource/{doctype}/{name}", json=values, timeout=60)
		assert as_manager.status_code in REFUSED, (doctype, as_manager.text[:500])
		assert as_admin.status_code in REFUSED, (doctype, as_admin.text[:500])
		assert snapshot(target, doctype, name) == before, doctype


def test_no_money_record_is_deleted_over_rest(paid):
	target, driver, records = paid
	admin = target.session()
	for doctype, name in records.items():
		as_manager = target.request("DELETE", f"/api/resource/{doctype}/{name}")
		as_admin = admin.delete(target.url + f"/api/resource/{doctype}/{name}", timeout=60)
		assert as_manager.status_code in REFUSED, (doctype, as_manager.text[:500])
		assert as_admin.status_code in REFUSED, (doctype, as_admin.text[:500])
		assert snapshot(target, doctype, name) is not None, doctype


def test_a_driver_with_money_records_cannot_be_deleted(paid):
	target, driver, records = paid
	admin = target.session()
	response = admin.delete(target.url + f"/api/resource/TukTuk Driver/{driver.name}", timeout=60)
	assert response.status_code == 417, response.text[:500]
	assert response.json().get("exc_type") == "LinkExistsError", response.text[:500]
	assert target.count("TukTuk Driver", name=driver.name) == 1


def test_client_set_value_cannot_change_a_payout(paid):
	target, driver, records = paid
	if target.kind == "lite":
		pytest.skip(
			"frappe_lite has no frappe.client (docs/frappe_lite.md); the document API is held in-process"
		)
	before = snapshot(target, PAYOUT, records[PAYOUT])
	for who in ("manager", "admin"):
		args = {"doctype": PAYOUT, "name": records[PAYOUT], "fieldname": "phone", "value": "254799999999"}
		if who == "admin":
			response = target.session().post(
				target.url + "/api/method/frappe.client.set_value", json=args, timeout=60
			)
		else:
			response = target.method("frappe.client.set_value", **args)
		assert response.status_code in REFUSED, (who, response.text[:500])
	assert snapshot(target, PAYOUT, records[PAYOUT]) == before


def test_retry_never_pays_a_paid_payout_nor_one_no_ledger_row_backs(paid):
	target, driver, records = paid
	name = records[PAYOUT]
	# A B2C Result marked it Paid (written here as the result handler would, the simulator is not involved).
	target.write_sql("UPDATE `tabTukTuk Payout` SET status = 'Paid' WHERE name = %s", (name,))
	response = target.method(f"{API}.retry_payout", payout=name)
	assert response.status_code == 417 and "already paid" in response.text, response.text[:500]
	assert (target.value(PAYOUT, name, "status"), target.value(PAYOUT, name, "attempts")) == ("Paid", 0)
	# A payout row posted behind every guard, with no ledger row behind it.
	forged = unique("forged").lower()
	target.write_sql(
		"""INSERT INTO `tabTukTuk Payout` (name, driver, amount, share, phone, status, attempts, creation,
		modified, owner, modified_by, docstatus, idx)
		VALUES (%s, %s, 5000, 5000, '254799999999', 'Failed', 0, now(), now(), 'Administrator', 'Administrator', 0, 0)""",
		(forged, driver.name),
	)
	response = target.method(f"{API}.retry_payout", payout=forged)
	assert response.status_code == 417 and "no ledger row" in response.text, response.text[:500]
	assert (target.value(PAYOUT, forged, "status"), target.value(PAYOUT, forged, "attempts")) == ("Failed", 0)


def test_a_correction_is_a_new_adjustment_row_over_post_only(paid):
	target, driver, records = paid
	before = target.balance(driver.name)
	rows = target.count(LEDGER, driver=driver.name)
	refused = target.method(f"{API}.add_adjustment", http="GET", driver=driver.name, amount="-5", reason="x")
	assert refused.status_code == 403, refused.text[:500]
	for bad, status in (
		({"driver": driver.name, "amount": "abc", "reason": "typo"}, 417),
		({"driver": driver.name, "amount": "5", "reason": ""}, 417),
		({"driver": "DRV-NOPE", "amount": "5", "reason": "nobody"}, 404),
	):
		response = target.method(f"{API}.add_adjustment", **bad)
		assert response.status_code == status, (bad, response.text[:500])
	assert (target.balance(driver.name), target.count(LEDGER, driver=driver.name)) == (before, rows)
	done = target.method(f"{API}.add_adjustment", driver=driver.name, amount="-5.50", reason="double fare")
	assert done.status_code == 200, done.text[:500]
	assert target.balance(driver.name) == before - Decimal("5.50")
	row = target.rows(
		LEDGER, fields=("transaction_type", "target_contribution"), name=done.json()["message"]["transaction"]
	)
	assert (
		row
		and row[0]["transaction_type"] == "Adjustment"
		and money(row[0]["target_contribution"]) == Decimal("-5.50")
	)
	check = target.method(f"{API}.reconcile_driver_balance", http="GET", driver_name=driver.name)
	assert check.status_code == 200 and not check.json()["message"]["has_discrepancy"], check.text[:500]


# Every method that can move money or change a record: POST only (Frappe answers a GET 403, PermissionError).
POST_ONLY = (
	("tuktuk_management.api.tuktuk.fix_driver_balance", {"driver_name": "x", "auto_fix": "1"}),
	("tuktuk_management.api.tuktuk.reconcile_all_drivers_balances", {"auto_fix": "1"}),
	(
		"tuktuk_management.api.tuktuk.process_uncaptured_payment",
		{
			"driver": "x",
			"tuktuk": "x",
			"transaction_id": "X1",
			"customer_phone": "1",
			"amount": "1",
			"action_type": "send_share",
		},
	),
	("tuktuk_management.api.tuktuk.add_missed_transaction", {"transaction_id": "X1", "amount": "1"}),
	("tuktuk_management.api.tuktuk.replay_callback", {"callback": "x"}),
	("tuktuk_management.api.tuktuk.release_held_payouts", {}),
	("tuktuk_management.api.tuktuk.retry_payout", {"payout": "x"}),
	("tuktuk_management.api.tuktuk.register_c2b_urls", {}),
	("tuktuk_management.api.tuktuk.add_adjustment", {"driver": "x", "amount": "1", "reason": "x"}),
	("tuktuk_management.api.upgrade.replay_refused_callback", {"callback": "x"}),
	("tuktuk_management.api.health.test_connection", {}),
)


@pytest.mark.parametrize("method,args", POST_ONLY, ids=[m.rsplit(".", 1)[1] for m, _ in POST_ONLY])
def test_money_changing_methods_refuse_get(target, method, args):
	response = target.method(method, http="GET", **args)
	assert response.status_code == 403, response.text[:500]
	assert response.json().get("exc_type") == "PermissionError", response.text[:500]


def test_concurrent_replays_of_one_callback_credit_it_once_and_leave_it_processed(target):
	with target.settings_changed(**C2B_SETTINGS):
		driver = target.make_driver()
		trans_id = unique("RACE")
		body = json.dumps(payload(driver.account, "100", trans_id))
		name = unique("cb").lower()
		# The body was stored and committed, then the worker died before crediting it: a Received inbox row.
		target.write_sql(
			"""INSERT INTO `tabTukTuk Callback` (name, callback_type, status, trans_id, payload, attempts,
			creation, modified, owner, modified_by, docstatus, idx)
			VALUES (%s, 'C2B Confirmation', 'Received', %s, %s, 0, now(), now(), 'Guest', 'Guest', 0, 0)""",
			(name, trans_id, body),
		)
		before = target.balance(driver.name)
		with ThreadPoolExecutor(6) as pool:
			replies = list(
				pool.map(lambda _i: target.method(f"{API}.replay_callback", callback=name), range(6))
			)
		statuses = sorted(r.status_code for r in replies)
		assert 200 in statuses and set(statuses) <= {200, 417}, [r.text[:300] for r in replies]
		assert target.count(LEDGER, transaction_id=trans_id) == 1
		assert target.value(INBOX, name, "status") == "Processed"
		assert target.balance(driver.name) == before + Decimal("50.00")
