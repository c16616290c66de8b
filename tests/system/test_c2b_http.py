"""The C2B webhooks over real HTTP, the server a separate process (``frappe-lite serve``), on SQLite and
MariaDB (the ``module_backend`` fixture):

- 8 client processes x 50 payments on one driver: balance = sum of ledger = expected, none lost;
- the same TransID sent 20 times concurrently: one ledger row, credited once, every call acknowledged;
- forged callbacks: 403 and nothing credited or stored;
- malformed payloads: a clear 400, the body kept in the inbox as Rejected, nothing credited;
- the validation endpoint's Daraja codes at the top level; manager-only endpoints refuse others.
Figures are printed (run pytest with -s to see them).
"""

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.helpers.daraja import amount_for, contribution, payload
from tests.helpers.server import FrappeServe

CLIENT = str(Path(__file__).with_name("c2b_client.py"))
CONFIRM = "/api/method/tuktuk_management.api.tuktuk.payment_confirmation"
VALIDATE = "/api/method/tuktuk_management.api.tuktuk.payment_validation"
CENT = Decimal("0.01")
PROCESSES, PER_PROCESS = 8, 50


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(CENT)


@pytest.fixture(scope="module")
def c2b(module_site_factory):
	site = module_site_factory()
	with site.connect():
		from tuktuk_management.tests.utils import SERVED_C2B_SETTINGS, apply_settings
		from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
			get_callback_secret,
		)

		apply_settings(SERVED_C2B_SETTINGS)
		token = get_callback_secret()
	# several worker processes on both backends, so the callbacks really race in the database
	server = FrappeServe(site.sites_path, site.name, workers=4, env=site.env()).start()
	server.site, server.token = site, token
	try:
		yield server
	finally:
		server.stop()


def make_driver(site, **fields):
	"""A driver (and vehicle) with a fixed 50% split and a target nobody reaches; returns (driver, account)."""
	with site.connect() as frappe:
		from tuktuk_management.tests.utils import account_of, make_split_driver

		driver = make_split_driver(**fields)
		account = account_of(driver)
		frappe.db.commit()
		return driver.name, account


def driver_figures(site, driver):
	"""(balance, Σ ledger contributions, ledger rows) for the driver's open period."""
	with site.connect() as frappe:
		balance = money(frappe.db.get_value("TukTuk Driver", driver, "current_balance"))
		total, rows = frappe.db.sql(
			"""select coalesce(sum(target_contribution), 0), count(*) from `tabTukTuk Transaction`
			where driver = %s and payment_status = 'Completed'""",
			(driver,),
		)[0]
		return balance, money(total), int(rows)


def inbox(site, **filters):
	with site.connect() as frappe:
		return frappe.get_all(
			"TukTuk Callback", filters=filters, fields=["name", "status", "error", "payload"]
		)


def test_concurrent_payments_on_one_driver(c2b):
	site = c2b.site
	driver, account = make_driver(site)
	prefixes = [f"R{site.backend[0].upper()}{p}X" for p in range(PROCESSES)]
	started = time.monotonic()
	clients = [
		subprocess.Popen(
			[sys.executable, CLIENT, c2b.url + CONFIRM, c2b.token, account, prefix, str(PER_PROCESS)],
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			text=True,
			cwd=str(Path(__file__).parent),
		)
		for prefix in prefixes
	]
	summaries = []
	for client in clients:
		out, err = client.communicate(timeout=600)
		assert client.returncode == 0, err[-3000:]
		summaries.append(json.loads(out.strip().splitlines()[-1]))
	elapsed = time.monotonic() - started

	sent = sum(s["sent"] for s in summaries)
	acknowledged = sum(s["http_ok"] for s in summaries)
	errors = [e for s in summaries for e in s["errors"]]
	expected = sum(contribution(amount_for(p, i)) for p in prefixes for i in range(PER_PROCESS))
	balance, ledger_total, ledger_rows = driver_figures(site, driver)
	lost = sent - ledger_rows
	print(
		f"\n[{site.backend}] C2B race: {PROCESSES} processes x {PER_PROCESS} payments on {driver}: "
		f"sent={sent} acknowledged={acknowledged} ledger_rows={ledger_rows} balance={balance} "
		f"ledger_sum={ledger_total} expected={expected} lost={lost} "
		f"deadlock_retries={sum(s['retries'] for s in summaries)} ({sent / elapsed:.0f} req/s)"
	)
	assert not errors, errors[:5]
	assert sent == acknowledged == PROCESSES * PER_PROCESS
	assert ledger_rows == sent and lost == 0
	assert balance == ledger_total == expected
	processed = inbox(site, bill_ref_number=account, status="Processed")
	assert len(processed) == sent
	with site.connect() as frappe:
		shares = frappe.get_all("TukTuk Transaction", filters={"driver": driver}, pluck="driver_share")
		payouts = frappe.get_all("TukTuk Payout", filters={"driver": driver}, pluck="amount")
		carried = money(frappe.db.get_value("TukTuk Driver", driver, "share_carry"))
	# every cent of every share is on a whole-shilling payout or carried on the driver, under the race too
	assert all(money(a) == money(a).to_integral_value() for a in payouts)
	assert sum(money(v) for v in shares) == sum(money(a) for a in payouts) + carried
	assert Decimal(0) <= carried < Decimal(1)


def test_same_trans_id_twenty_times_concurrently(c2b):
	site = c2b.site
	driver, account = make_driver(site)
	body = payload(account, "123.45", f"DUP{site.backend[0].upper()}{int(time.time() * 1000) % 10**8}")
	barrier = threading.Barrier(20)

	def send(_):
		barrier.wait()
		return requests.post(c2b.url + CONFIRM, params={"token": c2b.token}, json=body, timeout=60)

	with ThreadPoolExecutor(20) as pool:
		replies = list(pool.map(send, range(20)))
	statuses = sorted(r.json().get("status") for r in replies)
	balance, ledger_total, rows = driver_figures(site, driver)
	print(
		f"\n[{site.backend}] same TransID x20: replies={statuses.count('Processed')} Processed/"
		f"{statuses.count('Duplicate')} Duplicate, ledger_rows={rows}, balance={balance}"
	)
	assert all(r.status_code == 200 and r.json()["ResultCode"] == 0 for r in replies), [
		r.text for r in replies
	]
	assert statuses.count("Processed") == 1 and statuses.count("Duplicate") == 19, [
		statuses,
		[r.text[:300] for r in replies if r.json().get("status") not in ("Processed", "Duplicate")],
	] + [
		(row.status, row.error)
		for row in inbox(site, trans_id=body["TransID"])
		if row.status not in ("Processed", "Duplicate")
	]
	assert rows == 1
	assert balance == ledger_total == contribution("123.45")
	assert len(inbox(site, trans_id=body["TransID"])) == 20


def test_forged_callbacks_refused(c2b):
	site = c2b.site
	driver, account = make_driver(site)
	body = payload(account, "100", f"FORGE{int(time.time() * 1000) % 10**8}")
	attempts = [
		{"params": {"token": "not-the-secret"}, "json": body},
		{"params": {"token": c2b.token[:-1]}, "json": body},
		{"params": {}, "json": body},
		{"params": {}, "json": {**body, "token": c2b.token}},  # only the URL's token counts
	]
	for attempt in attempts:
		r = requests.post(c2b.url + CONFIRM, timeout=30, **attempt)
		assert r.status_code == 403, r.text
		assert "ResultCode" not in r.json()
	r = requests.post(c2b.url + VALIDATE, params={"token": "nope"}, json=body, timeout=30)
	assert r.status_code == 403
	assert driver_figures(site, driver) == (Decimal("0.00"), Decimal("0.00"), 0)
	assert inbox(site, trans_id=body["TransID"]) == []
	# the real secret works, and a GET is not accepted for a callback
	assert requests.get(c2b.url + CONFIRM, params={"token": c2b.token, **body}, timeout=30).status_code == 403
	r = requests.post(c2b.url + CONFIRM, params={"token": c2b.token}, json=body, timeout=30)
	assert r.status_code == 200 and r.json()["status"] == "Processed"


def test_wrong_shortcode_refused(c2b):
	site = c2b.site
	driver, account = make_driver(site)
	body = payload(account, "100", f"SC{int(time.time() * 1000) % 10**8}", shortcode="999999")
	r = requests.post(c2b.url + CONFIRM, params={"token": c2b.token}, json=body, timeout=30)
	assert r.status_code == 403
	assert [row.status for row in inbox(site, trans_id=body["TransID"])] == ["Rejected"]
	assert driver_figures(site, driver)[2] == 0


MALFORMED = {
	"missing TransID": ({"TransID": None}, "TransID is missing"),
	"missing TransAmount": ({"TransAmount": None}, "TransAmount is missing"),
	"missing BillRefNumber": ({"BillRefNumber": None}, "BillRefNumber is missing"),
	"non-numeric amount": ({"TransAmount": "12abc"}, "must be a number"),
	"negative amount": ({"TransAmount": "-50.00"}, "greater than zero"),
	"zero amount": ({"TransAmount": "0.00"}, "greater than zero"),
	"huge amount": ({"TransAmount": "99999999999999999999"}, "above the maximum"),
	"bad TransTime": ({"TransTime": "yesterday"}, "TransTime is invalid"),
	"impossible TransTime": ({"TransTime": "20261399256161"}, "TransTime is invalid"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_payloads(c2b, case):
	site = c2b.site
	driver, account = make_driver(site)
	override, message = MALFORMED[case]
	marker = f"M{abs(hash(case)) % 10**6}{int(time.time() * 1000) % 10**6}"
	body = {**payload(account, "100", marker), "InvoiceNumber": marker, **override}
	body = {k: v for k, v in body.items() if v is not None}
	r = requests.post(c2b.url + CONFIRM, params={"token": c2b.token}, json=body, timeout=30)
	assert r.status_code == 400, r.text
	assert message in r.json()["ResultDesc"]
	rows = [row for row in inbox(site, status="Rejected") if marker in (row.payload or "")]
	assert len(rows) == 1 and message in rows[0].error
	assert json.loads(rows[0].payload) == body
	assert driver_figures(site, driver) == (Decimal("0.00"), Decimal("0.00"), 0)


def test_non_json_body_kept(c2b):
	site = c2b.site
	marker = f"NOTJSON{int(time.time() * 1000) % 10**8}"
	r = requests.post(
		c2b.url + CONFIRM,
		params={"token": c2b.token},
		data=f"TransID={marker}&this is not json",
		headers={"Content-Type": "text/plain"},
		timeout=30,
	)
	assert r.status_code == 400
	rows = [row for row in inbox(site, status="Rejected") if marker in (row.payload or "")]
	assert len(rows) == 1 and "not valid JSON" in rows[0].error


def test_unknown_account_uncaptured_then_assigned_by_manager(c2b):
	site = c2b.site
	driver, _account = make_driver(site)
	body = payload("NO-SUCH-ACCOUNT", "100", f"UNC{int(time.time() * 1000) % 10**8}")
	r = requests.post(c2b.url + CONFIRM, params={"token": c2b.token}, json=body, timeout=30)
	assert r.status_code == 200 and r.json()["ResultCode"] == 0 and r.json()["status"] == "Uncaptured"
	assert [row.status for row in inbox(site, trans_id=body["TransID"])] == ["Uncaptured"]

	method = "/api/method/tuktuk_management.api.tuktuk.process_uncaptured_payment"
	args = {
		"driver": driver,
		"tuktuk": "",
		"transaction_id": body["TransID"],
		"customer_phone": body["MSISDN"],
		"amount": "100",
		"action_type": "send_share",
	}
	assert requests.post(c2b.url + method, json=args, timeout=30).status_code == 403  # guest
	plain = add_user(site, roles=())
	assert requests.post(c2b.url + method, json=args, headers=plain, timeout=30).status_code == 403
	assert driver_figures(site, driver)[2] == 0
	manager = add_user(site, roles=("TukTuk Manager",))
	r = requests.post(c2b.url + method, json=args, headers=manager, timeout=30)
	assert r.status_code == 200, r.text
	assert r.json()["message"]["status"] == "Processed"
	assert driver_figures(site, driver) == (contribution(100), contribution(100), 1)
	# replaying the same assignment credits nothing more
	r = requests.post(c2b.url + method, json=args, headers=manager, timeout=30)
	assert r.json()["message"]["status"] == "Duplicate"
	assert driver_figures(site, driver)[2] == 1


def test_validation_codes_at_top_level(c2b):
	site = c2b.site
	_driver, account = make_driver(site)
	cases = [
		({}, "0"),
		({"BillRefNumber": "NO-SUCH-ACCOUNT"}, "C2B00012"),
		({"TransAmount": "-1"}, "C2B00013"),
		({"MSISDN": "12"}, "C2B00011"),
	]
	for override, code in cases:
		body = {**payload(account, "100", f"V{int(time.time() * 1000) % 10**8}"), **override}
		r = requests.post(c2b.url + VALIDATE, params={"token": c2b.token}, json=body, timeout=30)
		assert r.status_code == 200, r.text
		assert r.json()["ResultCode"] == code and "message" not in r.json(), r.json()


_users = iter(range(1, 10**6))


def add_user(site, roles):
	email = f"c2b{os.getpid()}u{next(_users)}@example.com"
	args = ["add-user", email, "--first-name", "C2B", "--password", "Secret-pass-123", "--generate-keys"]
	for role in roles:
		args += ["--add-role", role]
	result = site.cli(*args)
	keys = json.loads(result.stdout.strip().splitlines()[-1])
	return {"Authorization": f"token {keys['api_key']}:{keys['api_secret']}"}


def test_ip_allowlist_and_documented_names(c2b):
	site = c2b.site
	driver, account = make_driver(site)

	def set_allowlist(value):
		with site.connect() as frappe:
			frappe.db.set_single_value("TukTuk Settings", "allowed_callback_ips", value)
			frappe.db.commit()

	body = payload(account, "100", f"IP{int(time.time() * 1000) % 10**8}")
	documented = "/api/method/tuktuk_management.api.tuktuk.mpesa_confirmation"
	set_allowlist("196.201.214.0/24")
	try:
		r = requests.post(c2b.url + documented, params={"token": c2b.token}, json=body, timeout=30)
		assert r.status_code == 403
		assert driver_figures(site, driver)[2] == 0
		set_allowlist("196.201.214.0/24\n127.0.0.1")
		r = requests.post(c2b.url + documented, params={"token": c2b.token}, json=body, timeout=30)
		assert r.status_code == 200 and r.json()["status"] == "Processed", r.text
	finally:
		set_allowlist("")
	r = requests.post(
		c2b.url + "/api/method/tuktuk_management.api.tuktuk.mpesa_validation",
		params={"token": c2b.token},
		json=payload(account, "100", "VALIDATE1"),
		timeout=30,
	)
	assert r.json()["ResultCode"] == "0"
	assert driver_figures(site, driver) == (contribution(100), contribution(100), 1)


def test_form_save_over_rest_cannot_write_a_balance(c2b):
	"""A PUT of the driver document (what a Desk form save sends) changes the driver, never the balance."""
	site = c2b.site
	driver, account = make_driver(site)
	body = payload(account, "100", f"REST{int(time.time() * 1000) % 10**8}")
	assert (
		requests.post(c2b.url + CONFIRM, params={"token": c2b.token}, json=body, timeout=30).status_code
		== 200
	)
	manager = add_user(site, roles=("TukTuk Manager",))
	r = requests.put(
		c2b.url + f"/api/resource/TukTuk Driver/{driver}",
		json={
			"current_balance": 0,
			"left_to_target": 0,
			"consecutive_misses": 9,
			"driver_national_id": "30111222",
		},
		headers=manager,
		timeout=30,
	)
	assert r.status_code == 200, r.text
	assert money(r.json()["data"]["current_balance"]) == contribution(100)
	with site.connect() as frappe:
		row = frappe.db.get_value(
			"TukTuk Driver",
			driver,
			["current_balance", "consecutive_misses", "driver_national_id"],
			as_dict=True,
		)
	assert (money(row.current_balance), row.consecutive_misses, row.driver_national_id) == (
		contribution(100),
		0,
		"30111222",
	)
