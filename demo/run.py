"""`make demo`: the main job end to end on SQLite, with no database server.

1. A fresh site `demo.local` under ./sites (SQLite; a previous demo site is replaced) with tuktuk_management.
2. The M-Pesa sandbox (`python -m mpesa_sandbox`) and `frappe-lite serve` as child processes (always stopped);
   TukTuk Settings pointed at the sandbox; 3 tuktuks and 3 drivers; the C2B URLs registered by the app.
3. 60 passengers pay through the sandbox's C2B simulate, from several threads at once; Safaricom delivers
   one confirmation twice (same TransID); a payment to an unknown account is refused at validation, and
   another one, on a paybill without external validation, is held as Uncaptured.
4. The drivers' shares go out by B2C (the payout jobs run inline after commit: no Redis configured); the
   demo waits, bounded, until every payout is final.
5. A report: per driver, the sandbox's own ledger of what M-Pesa paid, the inbox, and the reconciliation;
   then one verdict line. Exit 0 only if every invariant holds.
"""

import json
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import requests
from fleet import (
	ADMIN_PASSWORD,
	B2C_SHORTCODE,
	CONSUMER_KEY,
	CONSUMER_SECRET,
	FLEET,
	INITIATOR_NAME,
	INITIATOR_PASSWORD,
	PAYBILL,
	SITE,
	UNKNOWN_ACCOUNT,
	passengers,
)
from processes import DemoError, FrappeServe, Service, Services, free_port

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "sites"
BIN = Path(sys.executable).parent
PAYMENTS = 60
PASSENGER_THREADS = 8
DUPLICATE_AT = 7  # Safaricom delivers this payment's confirmation twice
WAIT_SECONDS = 45  # for every callback and payout to settle
API = "/api/method/tuktuk_management.api.tuktuk."
ZERO = Decimal("0")
CENT = Decimal("0.01")

T0 = time.monotonic()


def step(message: str):
	print(f"[{time.monotonic() - T0:5.1f}s] {message}", flush=True)


def money(value) -> Decimal:
	return Decimal(str(value or 0)).quantize(CENT)


def kes(value) -> str:
	return f"{money(value):,.2f}"


# -- 1. the site ------------------------------------------------------------------------------------------


def create_site():
	cli = BIN / "frappe-lite"
	if not cli.exists():
		raise DemoError(f"{cli} is missing: run `make setup` (frappe_lite is not installed in this venv)")
	SITES.mkdir(exist_ok=True)
	args = [cli, "--sites-path", SITES, "new-site", SITE, "--admin-password", ADMIN_PASSWORD]
	args += ["--install-app", "tuktuk_management", "--force"]
	done = subprocess.run([str(a) for a in args], cwd=SITES, capture_output=True, text=True, timeout=180)
	if done.returncode != 0:
		raise DemoError(
			f"`frappe-lite new-site {SITE} --install-app tuktuk_management` failed (exit {done.returncode}):\n"
			f"{done.stdout}{done.stderr}"
		)
	(SITES / SITE / "logs").mkdir(exist_ok=True)


def connect():
	import frappe

	frappe.init(SITE, sites_path=str(SITES))
	frappe.connect()
	return frappe


# -- 2. services, settings, fleet, C2B registration -----------------------------------------------------------


def start_services(services: Services):
	logs = SITES / SITE / "logs"
	sandbox_port, site_port = free_port(), free_port()
	sandbox = Service(
		"M-Pesa sandbox",
		[sys.executable, "-u", "-m", "mpesa_sandbox", "--port", sandbox_port]
		+ ["--consumer-key", CONSUMER_KEY, "--consumer-secret", CONSUMER_SECRET]
		+ ["--initiator-name", INITIATOR_NAME, "--initiator-password", INITIATOR_PASSWORD]
		+ ["--result-delay", "0.02"],
		f"http://127.0.0.1:{sandbox_port}",
		"/__sandbox/health",
		logs / "mpesa_sandbox.log",
		cwd=logs,  # not the repo root, where the mpesa_sandbox/ project folder would shadow the package
		own_group=True,  # stopped as a whole, never orphaned workers
	)
	site = FrappeServe(SITES, SITE, port=site_port, log_path=logs / "serve.log", cwd=SITES, own_group=True)
	services.start(sandbox)
	services.start(site)
	return sandbox, site


def configure(frappe, sandbox_url: str, site_url: str):
	certificate = requests.get(sandbox_url + "/__sandbox/certificate", timeout=10)
	certificate.raise_for_status()
	settings = frappe.get_single("TukTuk Settings")
	settings.update(
		{
			"mpesa_environment": "custom",
			"mpesa_base_url": sandbox_url,
			"mpesa_paybill": PAYBILL,
			"b2c_shortcode": B2C_SHORTCODE,
			"mpesa_consumer_key": CONSUMER_KEY,
			"mpesa_consumer_secret": CONSUMER_SECRET,
			"mpesa_initiator_name": INITIATOR_NAME,
			"mpesa_initiator_password": INITIATOR_PASSWORD,
			"mpesa_certificate": certificate.text,  # SecurityCredential: the password encrypted with it
			"c2b_register_version": "v1",
			"c2b_response_type": "Completed",
			"b2c_enabled": 1,
			"instant_payouts_enabled": 1,
			"http_timeout_seconds": 10,
			"site_url": site_url,
		}
	)
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	return frappe.get_single("TukTuk Settings")


def create_fleet(frappe) -> list:
	drivers = []
	for spec in FLEET:
		frappe.get_doc(
			{
				"doctype": "TukTuk Vehicle",
				"tuktuk_id": spec.tuktuk_id,
				"mpesa_account": spec.mpesa_account,
				"status": "Available",
			}
		).insert(ignore_permissions=True)
		driver = frappe.get_doc(
			{
				"doctype": "TukTuk Driver",
				"driver_first_name": spec.first_name,
				"driver_last_name": spec.last_name,
				"mpesa_number": spec.mpesa_number,
				"driver_national_id": spec.national_id,
				"assigned_tuktuk": spec.tuktuk_id,
				"status": "Active",
				"daily_target": spec.daily_target,
				"fare_percentage": spec.fare_percentage,
			}
		).insert(ignore_permissions=True)
		drivers.append(driver.name)
	frappe.db.commit()
	return drivers


def manager_session(site_url: str) -> requests.Session:
	session = requests.Session()
	login = session.post(
		site_url + "/api/method/login", json={"usr": "Administrator", "pwd": ADMIN_PASSWORD}, timeout=10
	)
	if login.status_code != 200:
		raise DemoError(f"login as Administrator failed: HTTP {login.status_code} {login.text[:500]}")
	return session


def call(session: requests.Session, site_url: str, method: str, **kwargs):
	response = session.post(site_url + API + method, json=kwargs, timeout=60)
	if response.status_code != 200:
		try:
			body = response.json()
			detail = body.get("exception") or body
			tb = (json.loads(body.get("exc") or "[]") or [""])[-1]
		except ValueError:
			detail, tb = response.text[:1500], ""
		raise DemoError(f"{method} failed over HTTP ({response.status_code}): {detail}\n{tb}")
	return response.json().get("message")


# -- 3. passengers pay ------------------------------------------------------------------------------------


class Daraja:
	"""The passengers' side of M-Pesa: the sandbox's Daraja API (OAuth, C2B simulate) and its control API."""

	def __init__(self, url: str):
		self.url = url
		token = requests.get(
			url + "/oauth/v1/generate",
			params={"grant_type": "client_credentials"},
			auth=(CONSUMER_KEY, CONSUMER_SECRET),
			timeout=10,
		)
		if token.status_code != 200:
			raise DemoError(f"sandbox OAuth failed: HTTP {token.status_code} {token.text[:500]}")
		self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

	def pay(self, payment):
		reply = requests.post(
			self.url + "/mpesa/c2b/v1/simulate",
			headers=self.headers,
			json={
				"ShortCode": PAYBILL,
				"CommandID": "CustomerPayBillOnline",
				"Amount": str(payment.amount),
				"Msisdn": payment.phone,
				"BillRefNumber": payment.account,
				"FirstName": payment.name,
			},
			timeout=30,
		)
		if reply.status_code != 200 or str(reply.json().get("ResponseCode")) != "0":
			raise DemoError(
				f"C2B simulate for {payment} refused: HTTP {reply.status_code} {reply.text[:500]}"
			)

	def control(self, method: str, path: str, **kwargs):
		reply = requests.request(method, self.url + "/__sandbox/" + path, timeout=90, **kwargs)
		if reply.status_code not in (200, 504):
			raise DemoError(f"sandbox {path}: HTTP {reply.status_code} {reply.text[:500]}")
		return reply.json()


# -- 4. wait until settled ----------------------------------------------------------------------------------


def wait_until_settled(frappe, daraja: Daraja, expected_confirmations: int, site_service: Service):
	deadline = time.monotonic() + WAIT_SECONDS
	drained = daraja.control("POST", "drain", params={"timeout": WAIT_SECONDS})
	if not drained.get("drained"):
		raise DemoError(
			f"the sandbox still had {drained.get('pending')} callbacks to deliver after {WAIT_SECONDS} s\n"
			+ site_service.log_tail()
		)
	while True:
		frappe.db.rollback()  # a fresh snapshot of what the server committed
		confirmations = frappe.db.count("TukTuk Callback", {"callback_type": "C2B Confirmation"})
		pending = frappe.get_all(
			"TukTuk Payout",
			filters={"status": ["not in", ["Paid", "Failed"]]},
			fields=["name", "status", "driver", "amount", "last_error"],
		)
		if confirmations >= expected_confirmations and not pending:
			return
		if time.monotonic() > deadline:
			lines = "\n".join(
				f"  {p.name} {p.status} {p.driver} {p.amount} {p.last_error or ''}" for p in pending
			)
			raise DemoError(
				f"not settled after {WAIT_SECONDS} s: {confirmations}/{expected_confirmations} confirmations"
				f" received, {len(pending)} payouts not final:\n{lines}\n{site_service.log_tail()}"
			)
		time.sleep(0.2)


# -- 5. report and invariants ---------------------------------------------------------------------------------


def result_code(response_text) -> str | None:
	"""The ResultCode at the top level of the app's reply to Safaricom."""
	try:
		return str(json.loads(response_text or "").get("ResultCode"))
	except (ValueError, AttributeError):
		return None


def report(frappe, drivers, payments, unknown, sandbox_ledger, deliveries, reconciliation):
	failures = []

	def check(ok: bool, message: str):
		if not ok:
			failures.append(message)

	frappe.db.rollback()
	trans_by_phone = {c["msisdn"]: c for c in sandbox_ledger["c2b"]}
	ledger = frappe.get_all(
		"TukTuk Transaction",
		fields=[
			"name",
			"transaction_id",
			"transaction_type",
			"driver",
			"amount",
			"driver_share",
			"target_contribution",
			"payment_status",
			"balance_period",
			"payout",
		],
	)
	ledger_by_trans = defaultdict(list)
	for row in ledger:
		ledger_by_trans[row.transaction_id].append(row)
	payouts = frappe.get_all(
		"TukTuk Payout",
		fields=["name", "driver", "transaction", "amount", "phone", "status", "mpesa_receipt", "last_error"],
	)
	inbox = frappe.get_all(
		"TukTuk Callback",
		fields=["name", "callback_type", "status", "trans_id", "bill_ref_number", "amount", "error"],
	)
	inbox_counts = Counter((c.callback_type, c.status) for c in inbox)

	# Every payment to a fleet account: credited exactly once, to the right driver, for the amount paid.
	lost, credited = [], 0
	for p in payments:
		entry = trans_by_phone.get(p.phone)
		if entry is None:
			lost.append(f"payment #{p.index} ({p.account}, KES {p.amount}) never reached the sandbox")
			continue
		rows = ledger_by_trans.get(entry["trans_id"], [])
		if not rows:
			lost.append(f"{entry['trans_id']} ({p.account}, KES {p.amount}) has no ledger row")
			continue
		credited += 1
		row = rows[0]
		check(len(rows) == 1, f"{entry['trans_id']} has {len(rows)} ledger rows")
		check(row.driver == drivers[p.driver_index], f"{entry['trans_id']} credited to {row.driver}")
		check(money(row.amount) == p.amount, f"{entry['trans_id']} credited {row.amount}, paid {p.amount}")
		check(
			money(row.driver_share) + money(row.target_contribution) == money(row.amount),
			f"{entry['trans_id']}: share + contribution != amount",
		)
	check(not lost, "lost payments: " + "; ".join(lost))
	check(len(ledger) == len(payments), f"{len(ledger)} ledger rows for {len(payments)} payments")

	# M-Pesa's side: every payout Paid exactly once, for the share, to the driver's number.
	paid_by_ocid = defaultdict(list)
	for payment in sandbox_ledger["payments"]:
		paid_by_ocid[payment["originator_conversation_id"]].append(payment)
	paid_twice = sum(len(v) - 1 for v in paid_by_ocid.values() if len(v) > 1)
	paid_twice += sum(len(v) - 1 for v in Counter(p.transaction for p in payouts).values() if v > 1)
	check(paid_twice == 0, f"{paid_twice} payments made twice")
	driver_phone = {d: frappe.db.get_value("TukTuk Driver", d, "mpesa_number") for d in drivers}
	row_by_name = {row.name: row for row in ledger}
	for payout in payouts:
		check(payout.status == "Paid", f"payout {payout.name} is {payout.status}: {payout.last_error or ''}")
		made = paid_by_ocid.get(payout.name, [])
		if payout.status == "Paid":
			check(len(made) == 1, f"payout {payout.name} is Paid but M-Pesa made {len(made)} payments for it")
			check(bool(payout.mpesa_receipt), f"payout {payout.name} is Paid without a receipt")
		check(payout.transaction in row_by_name, f"payout {payout.name} has no ledger row")
		for m in made:
			check(
				Decimal(m["amount"]) == money(payout.amount) == money(payout.amount).to_integral_value(),
				f"payout {payout.name}: M-Pesa paid {m['amount']} for a payout of {payout.amount}",
			)
			check(m["phone"] == driver_phone.get(payout.driver), f"payout {payout.name} paid to {m['phone']}")
	unknown_payments = set(paid_by_ocid) - {p.name for p in payouts}
	check(not unknown_payments, f"M-Pesa paid for payouts the app does not know: {sorted(unknown_payments)}")
	check(len(payouts) <= credited, f"{len(payouts)} payouts for {credited} credited payments")
	# B2C pays whole shillings; the cents of a share wait on the driver for the next payout. Every cent of
	# every share is either paid or carried: nothing is lost.
	for d in drivers:
		shares = sum((money(r.driver_share) for r in ledger if r.driver == d), ZERO)
		sent = sum((money(p.amount) for p in payouts if p.driver == d), ZERO)
		carried = money(frappe.db.get_value("TukTuk Driver", d, "share_carry"))
		check(shares == sent + carried, f"{d}: shares {shares} != paid {sent} + carried {carried}")

	# The inbox: every confirmation Safaricom delivered was received and settled.
	confirmations = [d for d in deliveries if d["kind"] == "c2b_confirmation"]
	bad_replies = [
		f"{d['ref']}: HTTP {d['status']} {d['error'] or (d['response'] or '')[:300]}"
		for d in confirmations
		if d["status"] != 200 or result_code(d["response"]) != "0"
	]
	check(not bad_replies, "confirmations not acknowledged with ResultCode 0: " + "; ".join(bad_replies[:3]))
	received = sum(n for (kind, _s), n in inbox_counts.items() if kind == "C2B Confirmation")
	check(
		received == len(confirmations),
		f"app has {received} confirmations, Safaricom sent {len(confirmations)}",
	)
	for status, expected in (("Processed", len(payments)), ("Duplicate", 1), ("Uncaptured", 1)):
		got = inbox_counts[("C2B Confirmation", status)]
		check(got == expected, f"{got} confirmations {status}, expected {expected}")
	for status in ("Failed", "Rejected", "Received"):
		check(not inbox_counts[("C2B Confirmation", status)], f"confirmations {status}: {inbox_counts}")
	# The two payments to an unknown account: refused at validation (never confirmed), and held as Uncaptured.
	refused_entry, held_entry = (trans_by_phone.get(p.phone) for p in unknown)
	refused = [refused_entry] if refused_entry and refused_entry["confirmations"] == 0 else []
	check(
		bool(refused) and result_code((refused_entry.get("validation") or [None, None])[1]) == "C2B00012",
		f"the payment to {UNKNOWN_ACCOUNT} with validation on was not refused: {refused_entry}",
	)
	check(
		inbox_counts[("C2B Validation", "Rejected")] == 1,
		f"{inbox_counts[('C2B Validation', 'Rejected')]} validations rejected, expected 1",
	)
	uncaptured = [c for c in inbox if c.callback_type == "C2B Confirmation" and c.status == "Uncaptured"]
	check(
		bool(held_entry) and [c.trans_id for c in uncaptured] == [held_entry["trans_id"]],
		f"the payment to {UNKNOWN_ACCOUNT} without validation is not the one Uncaptured: {uncaptured}",
	)
	for c in uncaptured:
		check(not ledger_by_trans.get(c.trans_id), f"uncaptured {c.trans_id} has a ledger row")
	# The confirmation Safaricom delivered twice: acknowledged twice, credited once.
	duplicates = [c for c in inbox if c.callback_type == "C2B Confirmation" and c.status == "Duplicate"]
	twice = trans_by_phone.get(payments[DUPLICATE_AT].phone) or {}
	check(
		[c.trans_id for c in duplicates] == [twice.get("trans_id")] and twice.get("confirmations") == 2,
		f"the duplicate is not the confirmation delivered twice ({twice.get('trans_id')}): {duplicates}",
	)

	# Per driver.
	print()
	print("Drivers (KES)")
	header = (
		f"  {'driver':<34} {'tuktuk':<7} {'payments':>8} {'amount':>10} {'share paid':>11} {'to target':>10}"
		f" {'current_balance':>15} {'Σ ledger':>10} {'left_to_target':>14} {'payouts Paid':>12}"
	)
	print(header)
	print("  " + "-" * (len(header) - 2))
	settings = frappe.get_single("TukTuk Settings")
	for name in drivers:
		d = frappe.db.get_value(
			"TukTuk Driver",
			name,
			[
				"driver_name",
				"assigned_tuktuk",
				"current_balance",
				"left_to_target",
				"balance_period",
				"daily_target",
			],
			as_dict=True,
		)
		rows = [r for r in ledger if r.driver == name and r.transaction_type == "Payment"]
		open_rows = [
			r
			for r in ledger
			if r.driver == name and r.payment_status == "Completed" and r.balance_period == d.balance_period
		]
		sigma = sum((money(r.target_contribution) for r in open_rows), ZERO)
		contribution = sum((money(r.target_contribution) for r in rows), ZERO)
		driver_payouts = [p for p in payouts if p.driver == name]
		paid = [p for p in driver_payouts if p.status == "Paid"]
		share_paid = sum((Decimal(m["amount"]) for p in paid for m in paid_by_ocid.get(p.name, [])), ZERO)
		target = money(d.daily_target) if money(d.daily_target) > 0 else money(settings.global_daily_target)
		check(
			money(d.current_balance) == sigma,
			f"{name}: current_balance {d.current_balance} != Σ ledger {sigma}",
		)
		check(
			money(d.left_to_target) == max(ZERO, target - money(d.current_balance)),
			f"{name}: left_to_target {d.left_to_target} for a target of {target}",
		)
		print(
			f"  {name + ' ' + d.driver_name:<34.34} {d.assigned_tuktuk or '-':<7} {len(rows):>8}"
			f" {kes(sum((money(r.amount) for r in rows), ZERO)):>10} {kes(share_paid):>11} {kes(contribution):>10}"
			f" {kes(d.current_balance):>15} {kes(sigma):>10} {kes(d.left_to_target):>14}"
			f" {str(len(paid)) + ' of ' + str(len(driver_payouts)):>12}"
		)

	print()
	print(
		f"M-Pesa sandbox B2C ledger: {len(sandbox_ledger['payments'])} payments made, KES {kes(sandbox_ledger['total'])};"
		f" {len(paid_by_ocid)} distinct payouts, {paid_twice} paid twice, {len(unknown_payments)} unknown to the app"
	)
	print(
		f"Confirmations from Safaricom: {len(confirmations)} delivered, all answered ResultCode 0;"
		f" {inbox_counts[('C2B Confirmation', 'Processed')]} credited,"
		f" {len(duplicates)} duplicate, {len(uncaptured)} uncaptured"
	)
	for c in duplicates:
		print(f"  duplicate acknowledged, not credited again: TransID {c.trans_id} (KES {kes(c.amount)})")
	for c in uncaptured:
		print(
			f"  uncaptured, waiting for a manager (process_uncaptured_payment): TransID {c.trans_id},"
			f" account {c.bill_ref_number}, KES {kes(c.amount)} — {c.error}"
		)
	for c in refused:
		print(
			f"  refused at validation (external validation on; the money never left the passenger):"
			f" account {c['bill_ref']}, KES {kes(c['amount'])}, reply {c['validation'][1] if c['validation'] else None}"
		)
	r = reconciliation or {}
	print(
		f"reconcile_all_drivers_balances(): {r.get('drivers_checked')} drivers checked,"
		f" {r.get('drivers_with_discrepancies')} with discrepancies, total discrepancy KES"
		f" {kes(r.get('total_discrepancy_amount'))}"
	)
	check(
		r.get("drivers_checked") == len(drivers) and r.get("drivers_with_discrepancies") == 0,
		f"reconciliation: {r.get('message')}",
	)
	return failures, {
		"callbacks": received,
		"credited": credited,
		"lost": len(lost),
		"paid_twice": paid_twice,
		"payouts": len(sandbox_ledger["payments"]),
		"total": sandbox_ledger["total"],
	}


# -- main -----------------------------------------------------------------------------------------------------


def print_health():
	"""The site's health check, as an operator runs it (docs/going-live.md): the scheduler enabled first (new
	sites start with it off, as on a bench), then `execute tuktuk_management.health.health`."""
	cli = [str(BIN / "frappe-lite"), "--sites-path", str(SITES), "--site", SITE]
	subprocess.run([*cli, "enable-scheduler"], cwd=SITES, capture_output=True, text=True, timeout=60)
	done = subprocess.run(
		[*cli, "execute", "tuktuk_management.health.health"],
		cwd=SITES,
		capture_output=True,
		text=True,
		timeout=120,
	)
	print(f"\n$ frappe-lite --site {SITE} execute tuktuk_management.health.health   (exit {done.returncode})")
	print((done.stdout + done.stderr).rstrip())


def print_manager_page():
	"""Where a manager sees this site's day: the /tuktuk page (the demo's own server has stopped by now)."""
	print(
		f"\nManager page: frappe-lite --sites-path sites --site {SITE} serve --port 8000"
		f"\n  then open http://127.0.0.1:8000/tuktuk (sign in as Administrator, password {ADMIN_PASSWORD})"
	)


def main() -> int:
	services = Services()
	frappe = None
	try:
		print(
			f"TukTuk fleet demo: site {SITE} on SQLite, M-Pesa by a local Daraja sandbox, all over real HTTP"
		)
		create_site()
		step(
			f"site {SITE} created under {SITES.relative_to(ROOT)}/ (SQLite) with tuktuk_management installed"
		)

		sandbox, site = start_services(services)
		step(f"M-Pesa sandbox on {sandbox.url}; `frappe-lite serve` on {site.url}")

		frappe = connect()
		configure(frappe, sandbox.url, site.url)
		drivers = create_fleet(frappe)
		step(
			f"TukTuk Settings: Daraja at {sandbox.url} (custom), paybill {PAYBILL}, B2C from {B2C_SHORTCODE},"
			f" callbacks to {site.url}; fleet: "
			+ ", ".join(
				f"{d} ({s.tuktuk_id}, account {s.mpesa_account})" for d, s in zip(drivers, FLEET, strict=True)
			)
		)

		manager = manager_session(site.url)
		registered = call(manager, site.url, "register_c2b_urls")
		step(
			f"C2B URLs registered by the app (register_c2b_urls, {registered['version']}):"
			f" {registered['confirmation_url']} and .../{registered['validation_url'].rsplit('.', 1)[-1]}"
		)

		daraja = Daraja(sandbox.url)
		payments, unknown = passengers(PAYMENTS)
		daraja.control(
			"POST",
			"script",
			json={"api": "c2b", "outcome": "duplicate", "phone": payments[DUPLICATE_AT].phone, "times": 1},
		)
		with ThreadPoolExecutor(PASSENGER_THREADS) as pool:
			list(pool.map(daraja.pay, payments))
		step(
			f"{len(payments)} passengers paid KES {sum(p.amount for p in payments):,} to the 3 accounts,"
			f" {PASSENGER_THREADS} at a time; Safaricom will deliver one confirmation twice"
		)
		daraja.pay(unknown[0])
		daraja.control("POST", "config", json={"c2b_external_validation": False})
		daraja.pay(unknown[1])
		step(
			f"2 payments to unknown account {UNKNOWN_ACCOUNT}: one while the paybill validates (refused),"
			" one after external validation is switched off (goes through)"
		)

		wait_until_settled(frappe, daraja, len(payments) + 2, site)
		step("every callback delivered and every payout final")

		reconciliation = call(manager, site.url, "reconcile_all_drivers_balances")
		sandbox_ledger = daraja.control("GET", "ledger")
		deliveries = daraja.control("GET", "callbacks")["deliveries"]
		failures, totals = report(
			frappe, drivers, payments, unknown, sandbox_ledger, deliveries, reconciliation
		)
		elapsed = time.monotonic() - T0
		print()
		if failures:
			print(f"DEMO FAILED: {len(failures)} invariant(s) broken:")
			for failure in failures:
				print(f"  - {failure}")
			print(f"Logs: {(SITES / SITE / 'logs').relative_to(ROOT)}/")
			return 1
		print(
			f"DEMO OK: {totals['callbacks']} callbacks, {totals['credited']} credited, {totals['lost']} lost,"
			f" {totals['paid_twice']} paid twice ({totals['payouts']} payouts, KES {kes(totals['total'])},"
			f" in {elapsed:.1f} s)"
		)
		print_health()
		print_manager_page()
		return 0
	except DemoError as exc:
		print(f"\nDEMO FAILED: {exc}", file=sys.stderr)
		return 2
	except KeyboardInterrupt:
		print("\nDEMO INTERRUPTED", file=sys.stderr)
		return 130
	finally:
		if frappe is not None:
			try:
				frappe.destroy()
			except Exception:
				pass
		services.stop_all()


def _terminate(signum, _frame):
	raise KeyboardInterrupt  # the same clean-up as Ctrl-C


if __name__ == "__main__":
	signal.signal(signal.SIGTERM, _terminate)
	signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
	sys.exit(main())
