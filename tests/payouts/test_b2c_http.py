"""B2C payouts end to end over HTTP only, against a target (tests/helpers/target.py): frappe_lite on SQLite and
MariaDB (payout jobs run in the server process right after the crediting commit), or a real Frappe v15 bench
(TUKTUK_TARGET=realbench: the bench's RQ worker sends the B2C requests, its gunicorn takes the results).

The target's TukTuk Settings point at the Daraja simulator (a separate process); the simulator calls the app
back through a relay that sets the site's Host header (tests/helpers/hostproxy.py). Payments arrive as C2B
confirmations; managers act over HTTP (retry, release, register URLs). The simulator's own ledger is the
witness: every payout a scenario expects paid is paid exactly once, whatever fails in between.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from payout_rig import (
	B2C_SHORTCODE,
	CONSUMER_KEY,
	CONSUMER_SECRET,
	INBOX,
	INITIATOR,
	INITIATOR_PASSWORD,
	LEDGER,
	PAYBILL,
	PAYMENTS_REPORT,
	PAYOUT,
)

from tests.helpers.daraja import payload
from tests.helpers.hostproxy import HostProxy
from tests.helpers.target import GUEST, MANAGER, money, record, unique, wait_until

CONFIRM = "/api/method/tuktuk_management.api.tuktuk.payment_confirmation"
API = "tuktuk_management.api.payouts"
B2C_RESULT = "/api/method/tuktuk_management.api.payouts.b2c_result"
WAIT = 90  # seconds a payout may take to settle (the bench's worker and a loaded machine)


class B2C:
	"""The target, paying through the simulator."""

	def __init__(self, target, sandbox, public_url):
		self.target, self.sandbox, self.public_url = target, sandbox, public_url
		self.label = target.label

	def pay(self, driver, amount="300", trans_id=None):
		"""A C2B confirmation of ``amount`` to the driver's account; returns its TransID."""
		trans_id = trans_id or unique("B2C")
		reply = self.target.callback(CONFIRM, payload(driver.account, amount, trans_id, shortcode=PAYBILL))
		assert reply.status_code == 200 and reply.json()["status"] == "Processed", reply.text[:1000]
		return trans_id

	def payout_of(self, trans_id):
		"""The payout of the ledger row of ``trans_id`` (created in the crediting commit)."""
		rows = self.target.rows(LEDGER, ("payout",), transaction_id=trans_id)
		assert rows and rows[0]["payout"], f"no payout for {trans_id}"
		return rows[0]["payout"]

	def row(self, payout, *fields):
		return self.target.rows(PAYOUT, fields or ("status",), name=payout)[0]

	def wait_status(self, payout, *statuses, timeout=WAIT):
		seen = {}

		def settled():
			seen["status"] = self.row(payout)["status"]
			return seen["status"] in statuses

		try:
			wait_until(settled, timeout=timeout, interval=0.2, what=f"payout {payout} to be {statuses}")
		except AssertionError:
			raise AssertionError(
				f"payout {payout} is {seen.get('status')}, expected {statuses} within {timeout} s; "
				f"{self.row(payout, 'status', 'attempts', 'last_error', 'result_code')}; "
				f"simulator deliveries: {[d for d in self.sandbox.client.callbacks() if payout in str(d)][-3:]}"
			) from None
		return seen["status"]

	def report(self, scenario, payouts, expected=1):
		"""The witness: how often the simulator paid each payout; asserted ``expected`` each."""
		ledger = self.sandbox.client.ledger()
		paid = {p: ledger["by_originator"].get(p, 0) for p in payouts}
		twice = sum(n > 1 for n in paid.values())
		PAYMENTS_REPORT.append(
			f"[{self.label}] {scenario}: payments made by the simulator: {sum(paid.values())} "
			f"for {len(payouts)} payout(s)"
		)
		record(
			self.target,
			f"B2C: {scenario}",
			payouts=len(payouts) if expected else 0,
			paid=sum(paid.values()),
			paid_twice=twice,
		)
		assert all(n == expected for n in paid.values()), (
			f"{scenario}: simulator paid {paid}, expected {expected} each"
		)


def settings_for(sandbox, public_url):
	return {
		"b2c_enabled": 1,
		"instant_payouts_enabled": 1,
		"mpesa_environment": "custom",
		"mpesa_base_url": sandbox.url,
		"mpesa_paybill": PAYBILL,
		"b2c_shortcode": B2C_SHORTCODE,
		"mpesa_consumer_key": CONSUMER_KEY,
		"mpesa_consumer_secret": CONSUMER_SECRET,
		"mpesa_initiator_name": INITIATOR,
		"mpesa_initiator_password": INITIATOR_PASSWORD,
		"mpesa_certificate": sandbox.client.certificate(),
		"site_url": public_url,
		"b2c_retry_backoff_minutes": 0,
		"b2c_max_attempts": 5,
		"http_timeout_seconds": 5,
		"allowed_callback_ips": "",
		"global_fare_percentage": 50,
	}


@pytest.fixture(scope="module")
def b2c_target(target, sandbox):
	"""The target paying through the simulator, for the module; its settings put back afterwards."""
	with HostProxy(target.url, target.host) as relay:
		with target.settings_changed(**settings_for(sandbox, relay.url)):
			yield B2C(target, sandbox, relay.url)


@pytest.fixture
def b2c(b2c_target, sandbox):
	"""A fresh simulator (no scripts, an empty ledger) for each test; every callback delivered after it."""
	sandbox.client.reset()
	yield b2c_target
	sandbox.client.drain()


def test_payments_paid_exactly_once(b2c):
	"""Twenty payments to four drivers at once: each payout paid once, for the driver's share, with the
	receipt M-Pesa gave recorded; the ledger row knows its payout went out."""
	drivers = [b2c.target.make_driver() for _ in range(4)]
	jobs = [(d, str(100 + 7 * i)) for i, d in enumerate(drivers * 5)]
	with ThreadPoolExecutor(4) as pool:
		trans_ids = list(pool.map(lambda job: b2c.pay(*job), jobs))
	payouts = [b2c.payout_of(t) for t in trans_ids]
	assert len(set(payouts)) == len(payouts)
	for payout in payouts:
		b2c.wait_status(payout, "Paid")
	assert b2c.sandbox.client.drain()

	ledger = b2c.sandbox.client.ledger()
	by_payout = {p["originator_conversation_id"]: p for p in ledger["payments"]}
	rows = {
		r["name"]: r
		for r in b2c.target.rows(
			PAYOUT,
			(
				"name",
				"amount",
				"phone",
				"mpesa_receipt",
				"receiver_name",
				"attempts",
				"conversation_id",
				"originator_conversation_id",
				"transaction_completed_at",
				"transaction",
			),
			name=payouts,
		)
	}
	for payout in payouts:
		got, paid = rows[payout], by_payout[payout]
		assert got["mpesa_receipt"] == paid["transaction_id"]
		assert money(paid["amount"]) == money(got["amount"]) and paid["phone"] == got["phone"]
		assert got["receiver_name"] == paid["receiver"] and got["receiver_name"].startswith(got["phone"])
		assert got["transaction_completed_at"] and got["attempts"] == 1
		assert (
			got["originator_conversation_id"] == payout and got["conversation_id"] == paid["conversation_id"]
		)
	# every shilling of every driver's share paid, the cents carried on the driver
	for driver in drivers:
		shares = sum(
			money(r["driver_share"]) for r in b2c.target.rows(LEDGER, ("driver_share",), driver=driver.name)
		)
		paid = sum(money(rows[p]["amount"]) for p in payouts if rows[p]["phone"] == driver.phone)
		carry = money(b2c.target.value("TukTuk Driver", driver.name, "share_carry"))
		assert shares == paid + carry and Decimal(0) <= carry < 1
	first = payouts[0]
	ledger_row = b2c.target.rows(LEDGER, ("b2c_payment_sent", "payout"), name=rows[first]["transaction"])[0]
	assert ledger_row["b2c_payment_sent"] == 1 and ledger_row["payout"] == first
	statuses = [
		r["status"] for r in b2c.target.rows(INBOX, ("status",), payout=first, callback_type="B2C Result")
	]
	assert statuses == ["Processed"]
	record(
		b2c.target,
		"B2C: C2B payments credited",
		sent=len(jobs),
		credited=len(payouts),
		lost=len(jobs) - len(payouts),
	)
	b2c.report(f"{len(jobs)} payments from 4 drivers at once", payouts)


def test_duplicated_result_changes_nothing(b2c):
	driver = b2c.target.make_driver()
	b2c.sandbox.client.script("duplicate", phone=driver.phone)
	payout = b2c.payout_of(b2c.pay(driver))
	b2c.wait_status(payout, "Paid")
	assert b2c.sandbox.client.drain()
	statuses = sorted(
		r["status"] for r in b2c.target.rows(INBOX, ("status",), payout=payout, callback_type="B2C Result")
	)
	assert statuses == ["Duplicate", "Processed"]
	assert b2c.row(payout)["status"] == "Paid"
	b2c.report("duplicated result", [payout])


def test_timeout_notice_then_manager_check_pays_once(b2c):
	"""A timeout notice is not a failure: the payout is Unknown (M-Pesa did pay). The manager's retry only
	asks M-Pesa (a Transaction Status query), never resends: Paid, one B2C request."""
	driver = b2c.target.make_driver()
	b2c.sandbox.client.script("timeout", phone=driver.phone)
	payout = b2c.payout_of(b2c.pay(driver))
	b2c.wait_status(payout, "Unknown")
	assert b2c.sandbox.client.payments_count(payout) == 1
	checked = b2c.target.method(f"{API}.retry_payout", payout=payout)
	assert checked.status_code == 200, checked.text
	assert checked.json()["message"]["action"] == "check"
	b2c.wait_status(payout, "Paid")
	ledger = b2c.sandbox.client.ledger(payout)
	assert len(ledger["attempts"]) == 1
	assert payout in [q["original_conversation_id"] for q in ledger["status_queries"]]
	assert b2c.row(payout, "mpesa_receipt")["mpesa_receipt"] == ledger["payments"][0]["transaction_id"]
	b2c.report("timeout -> Unknown -> manager check -> Paid", [payout])


def test_no_callback_then_manager_check_pays_once(b2c):
	driver = b2c.target.make_driver()
	b2c.sandbox.client.script("no_callback", phone=driver.phone)
	payout = b2c.payout_of(b2c.pay(driver))
	wait_until(lambda: b2c.sandbox.client.payments_count(payout), timeout=WAIT, what="the B2C request")
	assert b2c.sandbox.client.drain()
	assert b2c.row(payout)["status"] == "Sent"
	checked = b2c.target.method(f"{API}.retry_payout", payout=payout)
	assert checked.status_code == 200 and checked.json()["message"]["action"] == "check", checked.text
	b2c.wait_status(payout, "Paid")
	assert len(b2c.sandbox.client.ledger(payout)["attempts"]) == 1
	b2c.report("no callback -> manager check -> Paid", [payout])


def test_insufficient_funds_fails_then_manager_retry_pays_once(b2c):
	driver = b2c.target.make_driver()
	b2c.sandbox.client.script("insufficient_funds", phone=driver.phone)
	payout = b2c.payout_of(b2c.pay(driver, "300"))
	b2c.wait_status(payout, "Failed")
	got = b2c.row(payout, "result_code", "last_error")
	assert got["result_code"] == "1" and "insufficient" in got["last_error"]
	assert b2c.target.balance(driver.name) == Decimal("150")  # the contribution; nothing taken back
	assert b2c.target.count("Error Log", method="B2C Payout Failed", error=("like", f"%{payout}%")) >= 1
	assert b2c.sandbox.client.payments_count(payout) == 0

	url = f"{API}.retry_payout"
	assert b2c.target.method(url, who=GUEST, payout=payout).status_code == 403
	retried = b2c.target.method(url, payout=payout)
	assert retried.status_code == 200, retried.text
	b2c.wait_status(payout, "Paid")
	again = b2c.target.method(url, payout=payout)
	assert again.status_code >= 400  # already paid: refused
	b2c.report("insufficient funds -> Failed -> manager retry -> Paid", [payout])


def test_b2c_disabled_holds_and_manager_release_sends(b2c):
	driver = b2c.target.make_driver()
	b2c.target.set_settings(b2c_enabled=0)
	try:
		payout = b2c.payout_of(b2c.pay(driver))
		assert b2c.row(payout)["status"] == "On Hold"
	finally:
		b2c.target.set_settings(b2c_enabled=1)
	assert b2c.sandbox.client.payments_count(payout) == 0
	release = f"{API}.release_held_payouts"
	assert b2c.target.method(release, who=GUEST, payouts=[payout]).status_code == 403
	released = b2c.target.method(release, payouts=[payout])
	assert released.status_code == 200, released.text
	assert released.json()["message"]["released"] == [payout]
	b2c.wait_status(payout, "Paid")
	b2c.report("B2C disabled -> On Hold -> manager release -> Paid", [payout])


def test_c2b_through_the_simulator_to_b2c_payout(b2c):
	"""The manager registers the C2B URLs (the site's public URL, no "mpesa" in it); a customer pays through
	the simulator, which calls the app's validation and confirmation URLs; the app credits the driver and pays
	the share: the whole loop, one payment out."""
	registered = b2c.target.method(f"{API}.register_c2b_urls")
	assert registered.status_code == 200, registered.text
	registration = b2c.sandbox.client.ledger()["registrations"][PAYBILL]
	assert registration["confirmation_url"].startswith(b2c.public_url)
	assert "payment_confirmation" in registration["confirmation_url"]
	assert "mpesa" not in registration["confirmation_url"].lower()

	driver = b2c.target.make_driver()
	auth = requests.get(
		b2c.sandbox.url + "/oauth/v1/generate",
		params={"grant_type": "client_credentials"},
		auth=(CONSUMER_KEY, CONSUMER_SECRET),
		timeout=10,
	).json()["access_token"]
	simulated = requests.post(
		b2c.sandbox.url + "/mpesa/c2b/v1/simulate",
		headers={"Authorization": f"Bearer {auth}"},
		json={
			"ShortCode": PAYBILL,
			"CommandID": "CustomerPayBillOnline",
			"Amount": "300",
			"Msisdn": "254708374149",
			"BillRefNumber": driver.account,
		},
		timeout=10,
	)
	assert simulated.status_code == 200, simulated.text
	assert b2c.sandbox.client.drain()
	trans_id = b2c.sandbox.client.ledger()["c2b"][-1]["trans_id"]
	payout = wait_until(
		lambda: (b2c.target.rows(LEDGER, ("payout",), transaction_id=trans_id) or [{}])[0].get("payout"),
		timeout=WAIT,
		what=f"the ledger row of {trans_id}",
	)
	b2c.wait_status(payout, "Paid")
	assert b2c.target.rows(LEDGER, ("b2c_payment_sent",), transaction_id=trans_id)[0]["b2c_payment_sent"] == 1
	record(b2c.target, "B2C: C2B through the simulator", sent=1, credited=1, lost=0)
	b2c.report("C2B through the simulator -> credit -> B2C payout", [payout])


def test_malformed_forged_and_unmatched_results_are_kept(b2c):
	target = b2c.target
	forged_marker = unique("FORGED")
	forged = target.callback(
		B2C_RESULT, {"Result": {"ResultCode": 0, "ResultDesc": forged_marker}}, token=False
	)
	assert forged.status_code == 403
	# kept for review as Refused, applied to nothing
	assert target.count(INBOX, payload=("like", f"%{forged_marker}%"), status="Refused") == 1

	marker = unique("BAD")
	cases = {
		f'{{"Result": {{"ResultDesc": "no code {marker}"}}}}': "no ResultCode",
		f'{{"NotResult": "{marker}"}}': "no Result",
		f'{{"Result": {{"ResultCode": 0, "ResultDesc": "{marker}", "ResultParameters": {{"ResultParameter": "x"}}}}}}': "not a list",
	}
	for body, reason in cases.items():
		reply = target.callback(B2C_RESULT, data=body, headers={"Content-Type": "application/json"})
		assert reply.status_code == 200, reply.text
		assert reply.json()["ResultCode"] == 0
		stored = target.rows(INBOX, ("status", "error"), payload=body)
		assert len(stored) == 1 and stored[0]["status"] == "Failed" and reason in stored[0]["error"], stored
	text = f"this is not json {marker}"
	reply = target.callback(B2C_RESULT, data=text, headers={"Content-Type": "text/plain"})
	assert reply.status_code == 200
	stored = target.rows(INBOX, ("status", "error"), payload=text)
	assert stored and "not JSON" in stored[-1]["error"]

	unknown = {
		"Result": {
			"ResultType": 0,
			"ResultCode": 0,
			"ResultDesc": "ok",
			"OriginatorConversationID": unique("nobody-"),
			"ConversationID": "AG_x",
			"TransactionID": unique("X"),
		}
	}
	target.callback(B2C_RESULT, unknown)
	kept = target.rows(
		INBOX, ("status", "error"), originator_conversation_id=unknown["Result"]["OriginatorConversationID"]
	)
	assert kept and kept[0]["status"] == "Uncaptured"
	assert target.count(PAYOUT, mpesa_receipt=unknown["Result"]["TransactionID"]) == 0
	PAYMENTS_REPORT.append(f"[{b2c.label}] malformed/forged/unmatched results: no payout touched")


def test_many_payouts_racing_results_and_retries(b2c):
	"""Managers press retry on payouts while their results arrive: a retry of an in-flight payout only checks
	it, a retry of a paid one is refused; each payout still paid once."""
	drivers = [b2c.target.make_driver() for _ in range(3)]
	payouts = [b2c.payout_of(b2c.pay(d)) for d in drivers for _ in range(2)]
	stop = threading.Event()
	replies = []

	def press():
		while not stop.is_set():
			for payout in payouts:
				replies.append(
					b2c.target.method(f"{API}.retry_payout", who=MANAGER, payout=payout).status_code
				)
			time.sleep(0.05)

	presser = threading.Thread(target=press)
	presser.start()
	try:
		for payout in payouts:
			b2c.wait_status(payout, "Paid")
	finally:
		stop.set()
		presser.join()
	assert b2c.sandbox.client.drain()
	for payout in payouts:
		assert b2c.row(payout)["status"] == "Paid"
	assert replies and all(code in (200, 417) or code >= 400 for code in replies)
	b2c.report(f"{len(payouts)} payouts with a manager pressing retry", payouts)
