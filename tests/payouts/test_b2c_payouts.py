"""B2C payouts end to end against the Daraja simulator (a separate process), with the site served over
HTTP so M-Pesa's callbacks reach the app. Each scenario asserts, and reports, how many payments the
simulator actually made: a payout is paid exactly once, whatever fails in between."""

import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import requests
from payout_rig import INBOX, LEDGER, PAYMENTS_REPORT, PAYOUT

HERE = Path(__file__).parent


def credit(amount=300, b2c=True):
	"""A driver and one C2B payment credited through the real crediting code. Returns (driver, payout)."""
	import frappe

	from tuktuk_management.tests.utils import make_driver, make_payment

	frappe.db.set_single_value("TukTuk Settings", "b2c_enabled", 1 if b2c else 0)
	frappe.db.commit()
	driver = make_driver()
	frappe.db.commit()
	result = make_payment(driver, amount)  # commits; the payout job runs inline after the commit
	return driver, result.payout


def phone_of(driver):
	return driver.mpesa_number


def row(name, *fields):
	import frappe

	frappe.db.rollback()  # a fresh snapshot (MariaDB REPEATABLE READ)
	return frappe.db.get_value(PAYOUT, name, list(fields) or ["status"], as_dict=True)


def wait_status(name, *statuses, timeout=20):
	deadline = time.monotonic() + timeout
	while True:
		current = row(name, "status").status
		if current in statuses or time.monotonic() > deadline:
			assert current in statuses, f"payout {name} is {current}, expected {statuses}"
			return current
		time.sleep(0.05)


def run_scheduler_tick():
	"""What the scheduler's `all` event runs (hooks.py), called as the scheduler calls it."""
	import frappe

	for method in frappe.get_hooks("scheduler_events").get("all", []):
		frappe.get_attr(method)()
		frappe.db.commit()


def report(site, sandbox, scenario, payout, expected):
	paid = sandbox.client.payments_count(payout)
	PAYMENTS_REPORT.append(f"[{site.backend}] {scenario}: payments made by the simulator: {paid}")
	print(f"{scenario}: payments made by the simulator: {paid}")
	assert paid == expected, f"{scenario}: simulator paid {paid} times, expected {expected}"


def test_happy_path_paid_once_with_receipt(site, sandbox):
	import frappe

	driver, payout = credit(300)
	wait_status(payout, "Paid")
	got = row(
		payout,
		"mpesa_receipt",
		"receiver_name",
		"transaction_completed_at",
		"conversation_id",
		"originator_conversation_id",
		"attempts",
		"transaction",
		"amount",
	)
	paid = sandbox.client.ledger(payout)["payments"][0]
	assert got.mpesa_receipt == paid["transaction_id"]
	assert got.receiver_name == paid["receiver"] and got.receiver_name.startswith(phone_of(driver))
	assert got.transaction_completed_at and got.attempts == 1
	assert got.originator_conversation_id == payout and got.conversation_id == paid["conversation_id"]
	assert paid["amount"] == "150" and paid["phone"] == phone_of(driver)
	ledger = frappe.db.get_value(LEDGER, got.transaction, ["b2c_payment_sent", "payout"], as_dict=True)
	assert ledger.b2c_payment_sent == 1 and ledger.payout == payout
	assert frappe.get_all(
		INBOX, filters={"payout": payout, "callback_type": "B2C Result"}, pluck="status"
	) == ["Processed"]
	report(site, sandbox, "happy path", payout, 1)


def test_insufficient_funds_fails_visibly_and_leaves_balance(site, sandbox):
	import frappe

	from tuktuk_management.tests.utils import make_driver, make_payment

	driver = make_driver()
	frappe.db.commit()
	sandbox.client.script("insufficient_funds", phone=phone_of(driver))
	payout = make_payment(driver, 300).payout
	wait_status(payout, "Failed")
	got = row(payout, "result_code", "last_error")
	assert got.result_code == "1" and "insufficient" in got.last_error
	frappe.db.rollback()
	balance = frappe.db.get_value("TukTuk Driver", driver.name, "current_balance")
	assert Decimal(str(balance)) == Decimal("150")  # the contribution; the failed payout takes nothing back
	assert frappe.db.exists("Error Log", {"method": "B2C Payout Failed"})
	run_scheduler_tick()  # a Failed payout is not retried by the scheduler
	assert row(payout).status == "Failed"
	report(site, sandbox, "insufficient funds", payout, 0)


def test_timeout_notice_then_status_query_pays_once(site, sandbox):
	import frappe

	from tuktuk_management.tests.utils import make_driver, make_payment

	driver = make_driver()
	frappe.db.commit()
	sandbox.client.script("timeout", phone=phone_of(driver))
	payout = make_payment(driver, 300).payout
	wait_status(payout, "Unknown")
	assert sandbox.client.payments_count(payout) == 1  # M-Pesa did pay; we only got a timeout notice
	run_scheduler_tick()  # Unknown and due: a Transaction Status query, never a resend
	wait_status(payout, "Paid")
	ledger = sandbox.client.ledger(payout)
	assert len(ledger["attempts"]) == 1
	assert [q["original_conversation_id"] for q in ledger["status_queries"]] == [payout]
	assert row(payout, "mpesa_receipt").mpesa_receipt == ledger["payments"][0]["transaction_id"]
	report(site, sandbox, "timeout -> Unknown -> status query -> Paid", payout, 1)


def test_no_callback_resolved_by_scheduler(site, sandbox):
	import frappe

	from tuktuk_management.tests.utils import make_driver, make_payment

	driver = make_driver()
	frappe.db.commit()
	sandbox.client.script("no_callback", phone=phone_of(driver))
	payout = make_payment(driver, 300).payout
	assert sandbox.client.drain()
	assert row(payout).status == "Sent"
	run_scheduler_tick()
	wait_status(payout, "Paid")
	assert len(sandbox.client.ledger(payout)["attempts"]) == 1
	report(site, sandbox, "no callback -> scheduler status query -> Paid", payout, 1)


def test_duplicated_result_changes_nothing(site, sandbox):
	import frappe

	from tuktuk_management.tests.utils import make_driver, make_payment

	driver = make_driver()
	frappe.db.commit()
	sandbox.client.script("duplicate", phone=phone_of(driver))
	payout = make_payment(driver, 300).payout
	assert sandbox.client.drain()
	wait_status(payout, "Paid")
	frappe.db.rollback()
	statuses = frappe.get_all(
		INBOX,
		filters={"payout": payout, "callback_type": "B2C Result"},
		pluck="status",
		order_by="creation asc",
	)
	assert sorted(statuses) == ["Duplicate", "Processed"]
	run_scheduler_tick()
	assert row(payout).status == "Paid"
	report(site, sandbox, "duplicated result", payout, 1)


def kill_worker(site, payout, when):
	return subprocess.run(
		[sys.executable, str(HERE / "kill_worker.py"), site.name, site.sites_path, payout, when],
		capture_output=True,
		text=True,
		timeout=60,
	)


def held_then_queued(b2c_phone_script=None, sandbox=None):
	"""A payout left Queued for a worker to pick up (credited while B2C was off, then queued)."""
	import frappe

	driver, payout = credit(300, b2c=False)
	if b2c_phone_script:
		sandbox.client.script(b2c_phone_script, phone=phone_of(driver))
	frappe.db.set_single_value("TukTuk Settings", "b2c_enabled", 1)
	frappe.db.set_value(PAYOUT, payout, {"status": "Queued", "next_attempt_at": None})
	frappe.db.commit()
	return driver, payout


def test_worker_killed_after_sending_never_pays_twice(site, sandbox):
	_driver, payout = held_then_queued("no_callback", sandbox)
	died = kill_worker(site, payout, "after")
	assert died.returncode == 9, died.stderr
	assert row(payout).status == "Sent"  # claimed and committed before M-Pesa was called
	assert sandbox.client.payments_count(payout) == 1
	run_scheduler_tick()  # the retry asks M-Pesa first, and M-Pesa says: paid
	wait_status(payout, "Paid")
	run_scheduler_tick()
	assert len(sandbox.client.ledger(payout)["attempts"]) == 1
	report(site, sandbox, "worker killed after sending", payout, 1)


def test_worker_killed_before_sending_is_sent_after_status_check(site, sandbox):
	_driver, payout = held_then_queued()
	died = kill_worker(site, payout, "before")
	assert died.returncode == 9, died.stderr
	assert row(payout).status == "Sent" and sandbox.client.payments_count(payout) == 0
	run_scheduler_tick()  # status query: M-Pesa has nothing -> re-queued -> sent once
	wait_status(payout, "Paid")
	assert row(payout, "attempts").attempts == 2
	report(site, sandbox, "worker killed before sending", payout, 1)


def test_lost_reply_becomes_unknown_then_result_pays_once(site, sandbox):
	import frappe

	from tuktuk_management.tests.utils import make_driver

	frappe.db.set_single_value("TukTuk Settings", "http_timeout_seconds", 1)
	frappe.db.commit()
	driver = make_driver()
	frappe.db.commit()
	sandbox.client.script("lost_reply", phone=phone_of(driver), reply_delay=2.0, delay=2.5)
	from tuktuk_management.tests.utils import make_payment

	payout = make_payment(driver, 300).payout
	assert row(payout).status == "Unknown"
	wait_status(payout, "Paid")
	report(site, sandbox, "lost reply -> Unknown -> Result -> Paid", payout, 1)


def test_token_expiry_mid_run_refreshes_once(site, sandbox):
	_d, first = credit(300)
	wait_status(first, "Paid")
	before = sandbox.client.ledger()["stats"]
	sandbox.client.expire_tokens()
	payouts = [credit(300)[1] for _ in range(3)]
	for payout in payouts:
		wait_status(payout, "Paid")
	after = sandbox.client.ledger()["stats"]
	assert after["tokens_issued"] - before["tokens_issued"] == 1, (before, after)
	assert after["auth_rejected"] - before["auth_rejected"] == 1
	for payout in payouts:
		report(site, sandbox, "token expiry mid-run", payout, 1)


def test_b2c_disabled_holds_and_release_sends(site, sandbox):
	import frappe

	from tuktuk_management.payouts import outbox

	_driver, payout = credit(300, b2c=False)
	assert row(payout).status == "On Hold"
	run_scheduler_tick()
	assert row(payout).status == "On Hold" and sandbox.client.payments_count(payout) == 0
	frappe.db.set_single_value("TukTuk Settings", "b2c_enabled", 1)
	frappe.db.commit()
	released = outbox.release_held_payouts([payout])
	assert released["released"] == [payout]
	wait_status(payout, "Paid")
	report(site, sandbox, "B2C disabled -> On Hold -> release", payout, 1)


def test_malformed_forged_and_unmatched_results_are_kept(site, sandbox):
	import frappe

	from tuktuk_management.settings import get_callback_secret

	url = site.base_url + "/api/method/tuktuk_management.api.payouts.b2c_result"
	token = get_callback_secret()
	before = frappe.db.count(INBOX)
	forged = requests.post(url, json={"Result": {"ResultCode": 0}}, timeout=10)
	assert forged.status_code == 403
	frappe.db.rollback()
	assert frappe.db.count(INBOX) == before

	cases = {
		'{"Result": {"ResultDesc": "no code"}}': "no ResultCode",
		'{"NotResult": 1}': "no Result",
		'{"Result": {"ResultCode": 0, "ResultParameters": {"ResultParameter": "x"}}}': "not a list",
	}
	for body, reason in cases.items():
		reply = requests.post(
			url, params={"token": token}, data=body, headers={"Content-Type": "application/json"}, timeout=10
		)
		assert reply.status_code == 200, reply.text
		assert reply.json()["ResultCode"] == 0
		frappe.db.rollback()
		stored = frappe.get_all(INBOX, filters={"payload": body}, fields=["status", "error"])
		assert len(stored) >= 1 and stored[-1].status == "Failed" and reason in stored[-1].error
	text = "this is not json"
	reply = requests.post(
		url, params={"token": token}, data=text, headers={"Content-Type": "text/plain"}, timeout=10
	)
	assert reply.status_code == 200
	frappe.db.rollback()
	stored = frappe.get_all(INBOX, filters={"payload": text}, fields=["status", "error"])
	assert stored and "not JSON" in stored[-1].error

	unknown = {
		"Result": {
			"ResultType": 0,
			"ResultCode": 0,
			"ResultDesc": "ok",
			"OriginatorConversationID": "nobody-" + str(time.time()),
			"ConversationID": "AG_x",
			"TransactionID": "X1",
		}
	}
	requests.post(url, params={"token": token}, json=unknown, timeout=10)
	frappe.db.rollback()
	kept = frappe.get_all(
		INBOX,
		filters={"originator_conversation_id": unknown["Result"]["OriginatorConversationID"]},
		fields=["status", "error"],
	)
	assert kept and kept[0].status == "Uncaptured"
	PAYMENTS_REPORT.append(
		f"[{site.backend}] malformed/forged/unmatched results: payments made by the simulator: "
		f"{sandbox.client.payments_count()}"
	)
	assert sandbox.client.payments_count() == 0
