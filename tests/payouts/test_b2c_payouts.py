"""B2C payouts against the Daraja simulator (a separate process), with the site served over HTTP so M-Pesa's
callbacks reach the app, for what needs frappe_lite in the test process: scheduler ticks, workers killed
mid-send, concurrent workers on one payout, token refreshes, RQ. Each scenario asserts, and reports, how many
payments the simulator actually made: a payout is paid exactly once, whatever fails in between.
(The scenarios that need only HTTP — happy path, duplicated result, manager retry/check/release, C2B through
the simulator, malformed results — run on every target, the real bench included: test_b2c_http.py.)"""

import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from payout_rig import PAYMENTS_REPORT, PAYOUT

HERE = Path(__file__).parent


def credit(amount=300, b2c=True, sandbox=None, outcome=None, **script):
	"""A driver and one C2B payment credited through the real crediting code. Returns (driver, payout).

	With `outcome`, the simulator is first scripted to answer this driver's payout so (`script`: its options)."""
	import frappe

	from tuktuk_management.tests.utils import make_driver, make_payment

	frappe.db.set_single_value("TukTuk Settings", "b2c_enabled", 1 if b2c else 0)
	frappe.db.commit()
	driver = make_driver()
	frappe.db.commit()
	if outcome:
		sandbox.client.script(outcome, phone=phone_of(driver), **script)
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


def age(payout, minutes=10):
	"""Move a payout's last request `minutes` into the past (past the in-doubt grace window), so the next
	scheduler tick may check on it: time travel instead of waiting."""
	import frappe
	from frappe.utils import add_to_date, now_datetime

	past = add_to_date(now_datetime(), minutes=-minutes)
	frappe.db.set_value(
		PAYOUT, payout, {"last_attempt_at": past, "next_attempt_at": past}, update_modified=False
	)
	frappe.db.commit()


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


def test_insufficient_funds_fails_visibly_and_leaves_balance(site, sandbox):
	import frappe

	driver, payout = credit(300, sandbox=sandbox, outcome="insufficient_funds")
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
	_driver, payout = credit(300, sandbox=sandbox, outcome="timeout")
	wait_status(payout, "Unknown")
	assert sandbox.client.payments_count(payout) == 1  # M-Pesa did pay; we only got a timeout notice
	run_scheduler_tick()  # too soon: M-Pesa may still be working on it, nothing is asked yet
	assert sandbox.client.ledger(payout)["status_queries"] == []
	age(payout)
	run_scheduler_tick()  # Unknown and due: a Transaction Status query, never a resend
	wait_status(payout, "Paid")
	ledger = sandbox.client.ledger(payout)
	assert len(ledger["attempts"]) == 1
	assert [q["original_conversation_id"] for q in ledger["status_queries"]] == [payout]
	assert row(payout, "mpesa_receipt").mpesa_receipt == ledger["payments"][0]["transaction_id"]
	report(site, sandbox, "timeout -> Unknown -> status query -> Paid", payout, 1)


def test_no_callback_resolved_by_scheduler(site, sandbox):
	_driver, payout = credit(300, sandbox=sandbox, outcome="no_callback")
	assert sandbox.client.drain()
	assert row(payout).status == "Sent"
	age(payout)
	run_scheduler_tick()
	wait_status(payout, "Paid")
	assert len(sandbox.client.ledger(payout)["attempts"]) == 1
	report(site, sandbox, "no callback -> scheduler status query -> Paid", payout, 1)


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
	age(payout)
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
	age(payout)
	run_scheduler_tick()  # status query: M-Pesa has nothing -> re-queued -> sent once
	wait_status(payout, "Paid")
	assert row(payout, "attempts").attempts == 2
	report(site, sandbox, "worker killed before sending", payout, 1)


def test_lost_reply_becomes_unknown_then_result_pays_once(site, sandbox):
	import frappe

	frappe.db.set_single_value("TukTuk Settings", "http_timeout_seconds", 1)
	frappe.db.commit()
	_driver, payout = credit(300, sandbox=sandbox, outcome="lost_reply", reply_delay=2.0, delay=2.5)
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


def test_concurrent_workers_send_a_payout_once(site, sandbox):
	"""Four workers pick up the same Queued payout at once: the row lock lets exactly one send it."""
	_driver, payout = held_then_queued()
	code = (
		"import sys, frappe; frappe.init(sys.argv[1], sites_path=sys.argv[2]); frappe.connect();"
		"from tuktuk_management.payouts import outbox; print(outbox.send_payout(sys.argv[3]))"
	)
	workers = [
		subprocess.Popen(
			[sys.executable, "-c", code, site.name, site.sites_path, payout],
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			text=True,
		)
		for _ in range(4)
	]
	outputs = [w.communicate(timeout=60) for w in workers]
	actions = [(out.strip().splitlines() or [""])[-1] for out, _err in outputs]
	assert actions.count("send") == 1, outputs
	wait_status(payout, "Paid")
	assert len(sandbox.client.ledger(payout)["attempts"]) == 1
	report(site, sandbox, "4 concurrent workers on one payout", payout, 1)


def test_payout_jobs_through_an_rq_worker(rq_site, sandbox):
	"""With Redis configured, crediting only enqueues the payout; a separate RQ worker process sends it, and
	a payout M-Pesa never paid is re-queued by the status result and sent by the worker: still once."""
	_driver, payout = credit(300)
	assert row(payout).status == "Queued" and sandbox.client.ledger(payout)["attempts"] == []
	worker = rq_site_cli(rq_site, "worker", "--burst", "--queue", "short")
	assert worker.returncode == 0, worker.stderr
	wait_status(payout, "Paid")

	_driver, lost = held_then_queued()
	died = kill_worker(rq_site, lost, "before")
	assert died.returncode == 9
	age(lost)
	run_scheduler_tick()  # status query; the answer (not found) re-queues it on RQ
	assert sandbox.client.drain()
	wait_status(lost, "Queued")
	worker = rq_site_cli(rq_site, "worker", "--burst", "--queue", "short")
	assert worker.returncode == 0, worker.stderr
	wait_status(lost, "Paid")
	report(rq_site, sandbox, "RQ worker: credited payout", payout, 1)
	report(rq_site, sandbox, "RQ worker: claimed, died before sending, re-queued", lost, 1)


def rq_site_cli(site, *args):
	return subprocess.run(
		[
			str(Path(sys.executable).parent / "frappe-lite"),
			"--sites-path",
			site.sites_path,
			"--site",
			site.name,
			*args,
		],
		capture_output=True,
		text=True,
		timeout=120,
	)


def test_retries_back_off_and_exhausted_payouts_fail_visibly(site, sandbox):
	"""OAuth refused (a wrong consumer secret): nothing is sent, the payout waits with backoff and the
	error visible; after b2c_max_attempts it is Failed with the reason and an Error Log."""
	import frappe

	frappe.db.set_single_value("TukTuk Settings", "b2c_max_attempts", 2)
	doc = frappe.get_single("TukTuk Settings")
	doc.mpesa_consumer_secret = "wrong-secret"
	doc.save(ignore_permissions=True)
	frappe.db.commit()
	_driver, payout = credit(300)
	got = row(payout, "status", "attempts", "last_error", "next_attempt_at")
	assert (got.status, got.attempts) == ("Queued", 1)
	assert "Invalid Authentication passed" in got.last_error and got.next_attempt_at
	age(payout)
	run_scheduler_tick()
	assert row(payout, "attempts").attempts == 2
	age(payout)
	run_scheduler_tick()
	got = row(payout, "status", "last_error")
	assert got.status == "Failed" and "Gave up after 2 attempts" in got.last_error
	assert frappe.db.exists("Error Log", {"method": "B2C Payout Failed"})
	report(site, sandbox, "OAuth refused -> backoff -> exhausted -> Failed", payout, 0)


def test_concurrent_workers_share_one_token_refresh(site, sandbox):
	"""Four workers find the shared token stale at once: one fetches a new token, the others wait for it."""
	import json as _json

	import frappe
	from frappe.utils.password import set_encrypted_password

	set_encrypted_password(
		"TukTuk Settings",
		"TukTuk Settings",
		_json.dumps({"token": "old", "renew_at": 0}),
		"mpesa_access_token",
	)
	frappe.db.commit()
	before = sandbox.client.ledger()["stats"]["tokens_issued"]
	code = (
		"import sys, frappe; frappe.init(sys.argv[1], sites_path=sys.argv[2]); frappe.connect();"
		"from tuktuk_management.payouts import daraja; print(daraja.get_access_token())"
	)
	workers = [
		subprocess.Popen(
			[sys.executable, "-c", code, site.name, site.sites_path],
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			text=True,
		)
		for _ in range(4)
	]
	outputs = [w.communicate(timeout=60) for w in workers]
	tokens = {(out.strip().splitlines() or [""])[-1] for out, _err in outputs}
	assert len(tokens) == 1 and "" not in tokens and "old" not in tokens, outputs
	assert sandbox.client.ledger()["stats"]["tokens_issued"] - before == 1


def test_first_token_race_ends_with_one_token(site, sandbox):
	"""No shared token record yet: workers that lock the missing row all take gap locks and then insert it,
	which InnoDB answers with a deadlock for all but one. Each must look again (nothing was sent), never fail
	the payout with "request not prepared" and wait for the scheduler's backoff."""
	import frappe

	# Each worker is connected and imported before the go file appears, so all lock the missing row at once.
	code = (
		"import os, sys, time, frappe; frappe.init(sys.argv[1], sites_path=sys.argv[2]); frappe.connect();"
		"from tuktuk_management.payouts import daraja; frappe.db.sql('select 1');"
		"exec('while not os.path.exists(sys.argv[3]): time.sleep(0.002)');"
		"print(daraja.get_access_token())"
	)
	go = Path(site.sites_path) / "first-token-go"
	for _round in range(4):
		frappe.db.sql(
			"delete from `__Auth` where `doctype`=%s and `fieldname`=%s",
			("TukTuk Settings", "mpesa_access_token"),
		)
		frappe.db.commit()
		go.unlink(missing_ok=True)
		workers = [
			subprocess.Popen(
				[sys.executable, "-c", code, site.name, site.sites_path, str(go)],
				stdout=subprocess.PIPE,
				stderr=subprocess.PIPE,
				text=True,
			)
			for _ in range(8)
		]
		time.sleep(3)  # every worker connected and waiting
		go.touch()
		outputs = [(w.communicate(timeout=60), w.returncode) for w in workers]
		assert all(rc == 0 for _out, rc in outputs), outputs
		tokens = {(out.strip().splitlines() or [""])[-1] for (out, _err), _rc in outputs}
		assert len(tokens) == 1 and "" not in tokens, outputs
