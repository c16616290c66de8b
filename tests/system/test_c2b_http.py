"""The C2B webhooks over real HTTP, against a target (tests/helpers/target.py): a frappe_lite server in its own
process on SQLite and MariaDB (``make test``), or a running real Frappe v15 bench (``TUKTUK_TARGET=realbench``,
run by tests/realbench/test_2_http_system.py):

- 8 client processes x 50 payments on one driver (x 25 on the bench): balance = sum of ledger = expected,
  none lost;
- the same TransID sent 20 times concurrently: one ledger row, credited once, every call acknowledged;
- forged callbacks: 403, kept as Refused for review, nothing credited;
- malformed payloads: a clear 400, the body kept in the inbox as Rejected, nothing credited;
- the validation endpoint's Daraja codes at the top level; manager-only endpoints refuse others.
Figures are printed (run pytest with -s to see them) and summed per target at the end of the run.
"""

import json
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers.daraja import amount_for, contribution, payload
from tests.helpers.target import C2B_SETTINGS, GUEST, RUN_TAG, money, record, unique

CLIENT = str(Path(__file__).with_name("c2b_client.py"))
CONFIRM = "/api/method/tuktuk_management.api.tuktuk.payment_confirmation"
VALIDATE = "/api/method/tuktuk_management.api.tuktuk.payment_validation"
PROCESSES, PER_PROCESS = 8, 50


@pytest.fixture(scope="module")
def c2b(target):
	with target.settings_changed(**C2B_SETTINGS):
		yield target


def test_concurrent_payments_on_one_driver(c2b):
	per_process = c2b.scale("race_per_process", PER_PROCESS)
	driver = c2b.make_driver()
	prefixes = [f"R{RUN_TAG}{c2b.label[0].upper()}{p}X" for p in range(PROCESSES)]
	spec = json.dumps(c2b.spec())
	started = time.monotonic()
	clients = [
		subprocess.Popen(
			[sys.executable, CLIENT, spec, driver.account, prefix, str(per_process)],
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			text=True,
			cwd=str(Path(__file__).parent),
		)
		for prefix in prefixes
	]
	summaries = []
	for client in clients:
		out, err = client.communicate(timeout=900)
		assert client.returncode == 0, err[-3000:]
		summaries.append(json.loads(out.strip().splitlines()[-1]))
	elapsed = time.monotonic() - started

	sent = sum(s["sent"] for s in summaries)
	acknowledged = sum(s["http_ok"] for s in summaries)
	errors = [e for s in summaries for e in s["errors"]]
	expected = sum(contribution(amount_for(p, i)) for p in prefixes for i in range(per_process))
	balance, ledger_total, ledger_rows = c2b.driver_figures(driver.name)
	lost = sent - ledger_rows
	print(
		f"\n[{c2b.label}] C2B race: {PROCESSES} processes x {per_process} payments on {driver.name}: "
		f"sent={sent} acknowledged={acknowledged} ledger_rows={ledger_rows} balance={balance} "
		f"ledger_sum={ledger_total} expected={expected} lost={lost} "
		f"deadlock_retries={sum(s['retries'] for s in summaries)} ({sent / elapsed:.0f} req/s, {elapsed:.1f} s)"
	)
	record(c2b, "8-process C2B race on one driver", sent=sent, credited=ledger_rows, lost=lost)
	assert not errors, errors[:5]
	assert sent == acknowledged == PROCESSES * per_process
	assert ledger_rows == sent and lost == 0
	assert balance == ledger_total == expected
	assert c2b.count("TukTuk Callback", bill_ref_number=driver.account, status="Processed") == sent
	shares = [
		r["driver_share"] for r in c2b.rows("TukTuk Transaction", ("driver_share",), driver=driver.name)
	]
	payouts = [r["amount"] for r in c2b.rows("TukTuk Payout", ("amount",), driver=driver.name)]
	carried = money(c2b.value("TukTuk Driver", driver.name, "share_carry"))
	# every cent of every share is on a whole-shilling payout or carried on the driver, under the race too
	assert all(money(a) == money(a).to_integral_value() for a in payouts)
	assert sum(money(v) for v in shares) == sum(money(a) for a in payouts) + carried
	assert Decimal(0) <= carried < Decimal(1)


def test_same_trans_id_twenty_times_concurrently(c2b):
	driver = c2b.make_driver()
	body = payload(driver.account, "123.45", unique("DUP"))
	barrier = threading.Barrier(20)

	def send(_):
		barrier.wait()
		return c2b.callback(CONFIRM, body)

	with ThreadPoolExecutor(20) as pool:
		replies = list(pool.map(send, range(20)))
	statuses = sorted(r.json().get("status") for r in replies)
	balance, ledger_total, rows = c2b.driver_figures(driver.name)
	print(
		f"\n[{c2b.label}] same TransID x20: replies={statuses.count('Processed')} Processed/"
		f"{statuses.count('Duplicate')} Duplicate, ledger_rows={rows}, balance={balance}"
	)
	record(
		c2b,
		"one TransID delivered 20 times at once",
		sent=1,
		credited=rows,
		lost=1 - rows,
		duplicates=statuses.count("Duplicate"),
	)
	assert all(r.status_code == 200 and r.json()["ResultCode"] == 0 for r in replies), [
		r.text for r in replies
	]
	assert statuses.count("Processed") == 1 and statuses.count("Duplicate") == 19, [
		statuses,
		[r.text[:300] for r in replies if r.json().get("status") not in ("Processed", "Duplicate")],
	] + [
		(row["status"], row["error"])
		for row in c2b.inbox(trans_id=body["TransID"])
		if row["status"] not in ("Processed", "Duplicate")
	]
	assert rows == 1
	assert balance == ledger_total == contribution("123.45")
	assert len(c2b.inbox(trans_id=body["TransID"])) == 20


def test_forged_callbacks_refused(c2b):
	driver = c2b.make_driver()
	body = payload(driver.account, "100", unique("FORGE"))
	token = c2b.callback_token
	attempts = [
		{"token": "not-the-secret", "json": body},
		{"token": token[:-1], "json": body},
		{"token": False, "json": body},
		{"token": False, "json": {**body, "token": token}},  # only the URL's token counts
	]
	for attempt in attempts:
		r = c2b.callback(CONFIRM, attempt["json"], token=attempt["token"])
		assert r.status_code == 403, r.text
		assert "ResultCode" not in r.json()
	r = c2b.callback(VALIDATE, body, token="nope")
	assert r.status_code == 403
	assert c2b.driver_figures(driver.name) == (Decimal("0.00"), Decimal("0.00"), 0)
	# kept for review (identical bodies counted on one row per type), never credited
	kept = c2b.rows(
		"TukTuk Callback", fields=("callback_type", "status", "payload", "error"), trans_id=body["TransID"]
	)
	assert sorted((r["callback_type"], r["status"]) for r in kept) == [
		("C2B Confirmation", "Refused"),  # the three identical bodies, counted on one row
		("C2B Confirmation", "Refused"),  # the body carrying the secret, kept without it
		("C2B Validation", "Refused"),
	]
	assert not any(token in str(r) for r in kept)
	# a GET is not accepted for a callback, even with the secret; the real secret works
	assert c2b.get(CONFIRM, who=GUEST, params={"token": token, **body}).status_code == 403
	r = c2b.callback(CONFIRM, body)
	assert r.status_code == 200 and r.json()["status"] == "Processed"


def test_wrong_shortcode_refused(c2b):
	driver = c2b.make_driver()
	body = payload(driver.account, "100", unique("SC"), shortcode="999999")
	r = c2b.callback(CONFIRM, body)
	assert r.status_code == 403
	assert [row["status"] for row in c2b.inbox(trans_id=body["TransID"])] == ["Rejected"]
	assert c2b.driver_figures(driver.name)[2] == 0


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
	driver = c2b.make_driver()
	override, message = MALFORMED[case]
	marker = unique("M")
	body = {**payload(driver.account, "100", marker), "InvoiceNumber": marker, **override}
	body = {k: v for k, v in body.items() if v is not None}
	r = c2b.callback(CONFIRM, body)
	assert r.status_code == 400, r.text
	assert message in r.json()["ResultDesc"]
	rows = c2b.inbox(status="Rejected", payload=("like", f"%{marker}%"))
	assert len(rows) == 1 and message in rows[0]["error"]
	assert json.loads(rows[0]["payload"]) == body
	assert c2b.driver_figures(driver.name) == (Decimal("0.00"), Decimal("0.00"), 0)


def test_non_json_body_kept(c2b):
	marker = unique("NOTJSON")
	r = c2b.callback(
		CONFIRM, data=f"TransID={marker}&this is not json", headers={"Content-Type": "text/plain"}
	)
	assert r.status_code == 400
	rows = c2b.inbox(status="Rejected", payload=("like", f"%{marker}%"))
	assert len(rows) == 1 and "not valid JSON" in rows[0]["error"]


def test_unknown_account_uncaptured_then_assigned_by_manager(c2b):
	driver = c2b.make_driver()
	body = payload(unique("NOACCOUNT"), "100", unique("UNC"))
	r = c2b.callback(CONFIRM, body)
	assert r.status_code == 200 and r.json()["ResultCode"] == 0 and r.json()["status"] == "Uncaptured"
	assert [row["status"] for row in c2b.inbox(trans_id=body["TransID"])] == ["Uncaptured"]

	method = "/api/method/tuktuk_management.api.tuktuk.process_uncaptured_payment"
	args = {
		"driver": driver.name,
		"tuktuk": "",
		"transaction_id": body["TransID"],
		"customer_phone": body["MSISDN"],
		"amount": "100",
		"action_type": "send_share",
	}
	assert c2b.post(method, who=GUEST, json=args).status_code == 403
	plain = c2b.add_user(roles=())
	assert c2b.post(method, who=plain, json=args).status_code == 403
	assert c2b.driver_figures(driver.name)[2] == 0
	manager = c2b.add_user(roles=("TukTuk Manager",))
	r = c2b.post(method, who=manager, json=args)
	assert r.status_code == 200, r.text
	assert r.json()["message"]["status"] == "Processed"
	assert c2b.driver_figures(driver.name) == (contribution(100), contribution(100), 1)
	# replaying the same assignment credits nothing more
	r = c2b.post(method, who=manager, json=args)
	assert r.json()["message"]["status"] == "Duplicate"
	assert c2b.driver_figures(driver.name)[2] == 1


def test_validation_codes_at_top_level(c2b):
	driver = c2b.make_driver()
	cases = [
		({}, "0"),
		({"BillRefNumber": unique("NOACCOUNT")}, "C2B00012"),
		({"TransAmount": "-1"}, "C2B00013"),
		({"MSISDN": "12"}, "C2B00011"),
	]
	for override, code in cases:
		body = {**payload(driver.account, "100", unique("V")), **override}
		r = c2b.callback(VALIDATE, body)
		assert r.status_code == 200, r.text
		assert r.json()["ResultCode"] == code and "message" not in r.json(), r.json()


def test_ip_allowlist_and_documented_names(c2b):
	driver = c2b.make_driver()
	body = payload(driver.account, "100", unique("IP"))
	documented = "/api/method/tuktuk_management.api.tuktuk.mpesa_confirmation"
	with c2b.settings_changed(allowed_callback_ips="196.201.214.0/24"):
		r = c2b.callback(documented, body)
		assert r.status_code == 403
		assert c2b.driver_figures(driver.name)[2] == 0
		c2b.set_settings(allowed_callback_ips="196.201.214.0/24\n127.0.0.1")
		r = c2b.callback(documented, body)
		assert r.status_code == 200 and r.json()["status"] == "Processed", r.text
	r = c2b.callback(
		"/api/method/tuktuk_management.api.tuktuk.mpesa_validation",
		payload(driver.account, "100", unique("VAL")),
	)
	assert r.json()["ResultCode"] == "0"
	assert c2b.driver_figures(driver.name) == (contribution(100), contribution(100), 1)


def test_form_save_over_rest_cannot_write_a_balance(c2b):
	"""A PUT of the driver document (what a Desk form save sends) changes the driver, never the balance."""
	driver = c2b.make_driver()
	# unique per run: national IDs are unique and a bench site keeps earlier runs' drivers
	national_id = str(random.randint(10_000_000, 99_999_999))
	assert c2b.callback(CONFIRM, payload(driver.account, "100", unique("REST"))).status_code == 200
	r = c2b.put(
		f"/api/resource/TukTuk Driver/{driver.name}",
		json={
			"current_balance": 0,
			"left_to_target": 0,
			"consecutive_misses": 9,
			"driver_national_id": national_id,
		},
	)
	assert r.status_code == 200, r.text
	assert money(r.json()["data"]["current_balance"]) == contribution(100)
	row = c2b.rows(
		"TukTuk Driver", ("current_balance", "consecutive_misses", "driver_national_id"), name=driver.name
	)[0]
	assert (money(row["current_balance"]), row["consecutive_misses"], row["driver_national_id"]) == (
		contribution(100),
		0,
		national_id,
	)
