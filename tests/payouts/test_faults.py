"""Faults injected into the money path, against the simulator, on both backends: the process crediting a
confirmation killed at chosen points (after the body is stored, before the credit commits, after it commits,
while it waits on the driver's row lock), the payout sender killed before and after M-Pesa hears of it, the
database connections killed under load (MariaDB: KILL, the closest to a restart that no other test notices),
lock-wait timeouts and a deadlock forced (MariaDB), Redis refusing jobs.

After each: the scheduled sweep and scheduler ticks run as they would, unacknowledged confirmations are
delivered again (as Safaricom retries), and the books are checked: every payment M-Pesa took is credited
exactly once (lost 0, credited twice 0), every driver's balance equals its ledger, every payout is paid at
most once by the simulator (paid twice 0). The counts are printed at the end of the run.

TUKTUK_FAULTS_HEAVY=1 repeats the kills and the connection killing for longer (README "Guarantees")."""

import json
import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from payout_rig import INBOX, LEDGER, PAYBILL, PAYMENTS_REPORT, PAYOUT

HERE = Path(__file__).parent
HEAVY = os.environ.get("TUKTUK_FAULTS_HEAVY") == "1"
ROUNDS = 5 if HEAVY else 1
TALLY = {"faults injected": 0, "lost": 0, "credited twice": 0, "paid twice": 0}


@pytest.fixture(autouse=True, scope="module")
def _report_tally():
	yield
	PAYMENTS_REPORT.append("faults: " + ", ".join(f"{k} {v}" for k, v in TALLY.items()))


# -- the rig ------------------------------------------------------------------------------------------------


def make_account():
	import frappe

	from tuktuk_management.tests.utils import account_of, make_driver

	driver = make_driver(fare_percentage=50, daily_target=10_000_000, target_sharing_override="Disable")
	frappe.db.commit()
	return driver, account_of(driver)


def body_for(account, amount=200, trans_id=None):
	from tuktuk_management.tests.utils import c2b_payload, unique

	return c2b_payload(account, amount, trans_id=trans_id or unique("FLT", 7), BusinessShortCode=PAYBILL)


def child(site, body, point, tmp_path, wait=True):
	"""Process ``body`` in a process of its own that dies at ``point`` (confirm_worker.py)."""
	path = tmp_path / f"{body['TransID']}.json"
	path.write_text(json.dumps(body))
	args = [sys.executable, str(HERE / "confirm_worker.py"), site.name, site.sites_path, str(path), point]
	if not wait:
		return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
	return subprocess.run(args, capture_output=True, text=True, timeout=120)


def reply_of(done) -> dict | None:
	"""The reply the child sent Safaricom (None: it died first, nothing was acknowledged)."""
	if done.returncode != 0:
		return None
	return json.loads(done.stdout.strip().splitlines()[-1])


def fresh():
	import frappe

	frappe.db.rollback()  # a fresh snapshot (MariaDB REPEATABLE READ)
	return frappe


def sweep_as_scheduled():
	"""What the scheduler does next: the callback sweep (rows backdated past its wait), payout ticks."""
	frappe = fresh()
	from frappe.utils import add_to_date, now_datetime

	from tuktuk_management import sweep

	past = add_to_date(now_datetime(), minutes=-(sweep.SWEEP_AFTER_MINUTES + 5))
	frappe.db.sql(
		f"update `tab{INBOX}` set creation = %s where status in ('Received', 'Failed') and creation > %s",
		(past, past),
	)
	frappe.db.commit()
	sweep.sweep_callbacks()
	frappe.db.commit()


def tick_payouts(sandbox, rounds=3, settle_within=60):
	"""Scheduler ticks for the payout outbox, in-doubt payouts aged past their grace window: at least `rounds`,
	then more until nothing is Queued, Sent or Unknown (bounded). A status query's answer and the resend it
	leads to arrive by callback, so on a loaded machine three fixed ticks can end before the resend (seen in
	CI: a payout killed before M-Pesa heard of it was still in doubt after the third tick)."""
	frappe = fresh()
	from frappe.utils import add_to_date, now_datetime

	from tuktuk_management.payouts import outbox

	deadline = time.monotonic() + settle_within
	done = 0
	while True:
		past = add_to_date(now_datetime(), minutes=-10)
		frappe.db.sql(
			f"update `tab{PAYOUT}` set last_attempt_at = %s, next_attempt_at = %s "
			"where status in ('Queued', 'Sent', 'Unknown')",
			(past, past),
		)
		frappe.db.commit()
		outbox.retry_due_payouts()
		frappe.db.commit()
		sandbox.client.drain()
		time.sleep(0.1)
		done += 1
		if done < rounds:
			continue
		open_payouts = frappe.db.count(PAYOUT, {"status": ("in", ("Queued", "Sent", "Unknown"))})
		frappe.db.commit()  # end the read: the next tick must see what the callbacks wrote
		if not open_payouts or time.monotonic() > deadline:
			return


def redeliver(bodies):
	"""Safaricom delivers again what was never acknowledged."""
	from tuktuk_management import c2b
	from tuktuk_management.inbox import Received
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	for body in bodies:
		fresh()
		reply = c2b.handle_confirmation(Received.of(body), get_settings())
		assert reply["ResultCode"] == 0, reply


def check_books(driver, bodies, sandbox, label):
	"""Every payment credited exactly once, the balance equal to the ledger, no payout paid twice."""
	frappe = fresh()
	from tuktuk_management.money import to_money

	lost = twice = paid_twice = 0
	for body in bodies:
		rows = frappe.get_all(LEDGER, filters={"transaction_id": body["TransID"]}, fields=["name", "payout"])
		lost += len(rows) == 0
		twice += len(rows) > 1
		for row in rows:
			if row.payout:
				paid = sandbox.client.payments_count(row.payout)
				paid_twice += paid > 1
	ledger_total = sum(
		(
			to_money(v)
			for v in frappe.get_all(LEDGER, filters={"driver": driver.name}, pluck="target_contribution")
		),
		Decimal("0.00"),
	)
	balance = to_money(frappe.db.get_value("TukTuk Driver", driver.name, "current_balance"))
	TALLY["lost"] += lost
	TALLY["credited twice"] += twice
	TALLY["paid twice"] += paid_twice
	stuck = frappe.get_all(
		INBOX,
		filters={
			"trans_id": ("in", [b["TransID"] for b in bodies]),
			"status": ("in", ("Received", "Failed")),
		},
		pluck="name",
	)
	print(f"{label}: {len(bodies)} payments, lost {lost}, credited twice {twice}, paid twice {paid_twice}")
	assert (lost, twice, paid_twice) == (0, 0, 0), label
	assert balance == ledger_total, f"{label}: balance {balance} != ledger {ledger_total}"
	assert stuck == [], f"{label}: the sweep left {stuck} pending"


# -- the faults ---------------------------------------------------------------------------------------------


def test_confirmation_killed_at_each_point(site, sandbox, tmp_path):
	driver, account = make_account()
	bodies, unacknowledged = [], []
	for _round in range(ROUNDS):
		for point in ("after_store", "before_commit", "after_commit"):
			body = body_for(account)
			done = child(site, body, point, tmp_path)
			assert done.returncode == 9, done.stderr[-3000:]
			TALLY["faults injected"] += 1
			bodies.append(body)
			unacknowledged.append(body)
	sweep_as_scheduled()  # finishes what was stored and not credited
	redeliver(unacknowledged)  # what Safaricom never heard back about comes again: Duplicate, not credited
	tick_payouts(sandbox)
	check_books(driver, bodies, sandbox, f"[{site.backend}] confirmation killed at 3 points x{ROUNDS}")


def hold_driver_lock(site, driver_name):
	"""A second connection holding the driver's row lock (MariaDB) or the database's write lock (SQLite)."""
	import frappe

	if site.backend == "mariadb":
		import pymysql

		conn = pymysql.connect(
			host=frappe.conf.db_host or "127.0.0.1",
			port=int(frappe.conf.db_port or 3306),
			user=frappe.conf.db_user or "root",
			password=frappe.conf.db_password or "",
			database=frappe.conf.db_name,
			autocommit=False,
		)
		conn.cursor().execute(
			"select name from `tabTukTuk Driver` where name = %s for update", (driver_name,)
		)
		return conn
	import sqlite3

	conn = sqlite3.connect(frappe.db.db_path, isolation_level=None)
	conn.execute("BEGIN IMMEDIATE")
	return conn


def lock_waiters(site) -> int:
	if site.backend != "mariadb":
		return 1
	import frappe

	return int(
		frappe.db.sql("select count(*) from information_schema.innodb_trx where trx_state = 'LOCK WAIT'")[0][
			0
		]
	)


def test_confirmation_killed_while_waiting_on_the_driver_lock(site, sandbox, tmp_path):
	driver, account = make_account()
	bodies = []
	for _round in range(ROUNDS):
		body = body_for(account)
		holder = hold_driver_lock(site, driver.name)
		try:
			proc = child(site, body, "waiting", tmp_path, wait=False)
			deadline = time.monotonic() + 30
			while lock_waiters(site) == 0 and time.monotonic() < deadline:
				time.sleep(0.05)
			time.sleep(0.3)  # MariaDB: stored, waiting on the driver; SQLite: waiting on the write lock
			if site.backend == "mariadb":
				status = fresh().db.get_value(INBOX, {"trans_id": body["TransID"]}, "status")
				assert status == "Received", f"killed while {status}, not waiting on the driver lock"
			proc.kill()
			proc.wait(timeout=30)
			TALLY["faults injected"] += 1
		finally:
			holder.rollback() if hasattr(holder, "rollback") else None
			holder.close()
		bodies.append(body)
	sweep_as_scheduled()
	redeliver(bodies)  # none was acknowledged
	tick_payouts(sandbox)
	check_books(
		driver, bodies, sandbox, f"[{site.backend}] confirmation killed waiting on the lock x{ROUNDS}"
	)


def test_payout_sender_killed_before_and_after_mpesa(site, sandbox):
	import frappe

	from tuktuk_management.tests.utils import make_payment

	driver, account = make_account()
	bodies = []
	for when in ("before", "after"):
		frappe.db.set_single_value("TukTuk Settings", "b2c_enabled", 0)
		frappe.db.commit()
		body = body_for(account)
		result = make_payment(driver, 300, transaction_id=body["TransID"])
		frappe.db.set_single_value("TukTuk Settings", "b2c_enabled", 1)
		frappe.db.set_value(PAYOUT, result.payout, {"status": "Queued", "next_attempt_at": None})
		frappe.db.commit()
		died = subprocess.run(
			[sys.executable, str(HERE / "kill_worker.py"), site.name, site.sites_path, result.payout, when],
			capture_output=True,
			text=True,
			timeout=60,
		)
		assert died.returncode == 9, died.stderr[-3000:]
		TALLY["faults injected"] += 1
		bodies.append(body)
	tick_payouts(sandbox)
	check_books(driver, bodies, sandbox, f"[{site.backend}] payout sender killed before/after M-Pesa")
	for body in bodies:
		payout = fresh().db.get_value(LEDGER, {"transaction_id": body["TransID"]}, "payout")
		assert sandbox.client.payments_count(payout) == 1


def test_redis_refusing_jobs(site, sandbox):
	"""Redis down while confirmations are credited: the reply says Accepted (what was stored), the payout
	waits Queued, and the next scheduler tick (Redis back) pays it once."""
	import frappe

	from tuktuk_management import c2b
	from tuktuk_management.inbox import Received
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	driver, account = make_account()
	bodies = [body_for(account) for _ in range(3)]
	frappe.local.conf["redis_queue"] = "redis://127.0.0.1:1/0"  # nothing listens there
	try:
		for body in bodies:
			reply = c2b.handle_confirmation(Received.of(body), get_settings())
			assert (reply["ResultDesc"], reply["status"]) == ("Accepted", "Processed"), reply
			TALLY["faults injected"] += 1
			payout = frappe.db.get_value(LEDGER, {"transaction_id": body["TransID"]}, "payout")
			assert frappe.db.get_value(PAYOUT, payout, "status") == "Queued"
	finally:
		frappe.local.conf.pop("redis_queue", None)
	tick_payouts(sandbox)
	check_books(driver, bodies, sandbox, f"[{site.backend}] Redis refusing jobs")


def test_lock_wait_timeouts_then_swept(site, sandbox, tmp_path):
	if site.backend != "mariadb":
		pytest.skip("lock-wait timeouts are InnoDB's (SQLite writers queue on one lock)")
	driver, account = make_account()
	body = body_for(account)
	holder = hold_driver_lock(site, driver.name)
	try:
		done = child(site, body, "lock_timeout", tmp_path)
	finally:
		holder.rollback()
		holder.close()
	reply = reply_of(done)
	assert reply and reply["ResultCode"] == 0 and reply["status"] == "Failed", done.stderr[-3000:]
	TALLY["faults injected"] += 5  # every attempt of the credit timed out
	sweep_as_scheduled()
	tick_payouts(sandbox)
	check_books(driver, [body], sandbox, f"[{site.backend}] lock-wait timeouts then swept")


def test_a_forced_deadlock_is_retried(site, sandbox, tmp_path):
	"""The credit holds the driver's lock and waits for its inbox row, which another (heavier) transaction
	holds and which then asks for the driver: InnoDB rolls the lighter one, the credit, back; the credit
	starts again and the payment is credited once."""
	if site.backend != "mariadb":
		pytest.skip("deadlocks are InnoDB's")
	import frappe

	driver, account = make_account()
	body = body_for(account)
	holder = hold_driver_lock(site, driver.name)
	cursor = holder.cursor()
	cursor.execute("create table if not exists `relia_weight` (id int primary key) engine=InnoDB")
	holder.commit()
	cursor.execute("select name from `tabTukTuk Driver` where name = %s for update", (driver.name,))
	proc = child(site, body, "none", tmp_path, wait=False)
	deadlocked = False
	try:
		deadline = time.monotonic() + 30
		callback = None
		while not callback and time.monotonic() < deadline:
			callback = fresh().db.get_value(INBOX, {"trans_id": body["TransID"]}, "name")
			time.sleep(0.02)
		while lock_waiters(site) == 0 and time.monotonic() < deadline:
			time.sleep(0.02)
		holder.commit()  # the credit takes the driver...
		cursor.execute("select name from `tabTukTuk Callback` where name = %s for update", (callback,))
		# ...this transaction, holding the inbox row, is made the heavier one...
		cursor.execute("delete from `relia_weight`")
		cursor.executemany("insert into `relia_weight` (id) values (%s)", [(i,) for i in range(2000)])
		while lock_waiters(site) == 0 and time.monotonic() < deadline:
			time.sleep(0.02)
		try:  # ...and asks for the driver the credit holds
			cursor.execute("select name from `tabTukTuk Driver` where name = %s for update", (driver.name,))
		except pymysql_errors() as exc:
			print(f"deadlock: the test's transaction was the victim ({exc})")
	finally:
		holder.rollback()
		cursor.execute("drop table if exists `relia_weight`")
		holder.close()
	out, err = proc.communicate(timeout=60)
	assert proc.returncode == 0, err[-3000:]
	reply = json.loads(out.strip().splitlines()[-1])
	assert reply["ResultCode"] == 0 and reply["status"] == "Processed", reply
	deadlocked = reply.get("attempts", 1) > 1
	TALLY["faults injected"] += deadlocked
	print(f"[{site.backend}] forced deadlock: credit attempts {reply.get('attempts')}")
	assert deadlocked, "the credit was not the deadlock's victim"
	sweep_as_scheduled()
	tick_payouts(sandbox)
	check_books(driver, [body], sandbox, f"[{site.backend}] forced deadlock")
	assert frappe.db.get_value(INBOX, {"trans_id": body["TransID"]}, "status") == "Processed"


def pymysql_errors():
	import pymysql

	return (pymysql.err.OperationalError, pymysql.err.InternalError)


def test_database_connections_killed_under_load(site, sandbox):
	"""Confirmations over HTTP from several threads while another kills the site's database connections:
	an unanswered or failed delivery is sent again (as Safaricom retries); each payment ends credited once."""
	if site.backend != "mariadb":
		pytest.skip("KILL is MariaDB's; SQLite has no server to lose")
	import frappe
	import pymysql
	import requests

	from tuktuk_management.tests.utils import callback_token

	driver, account = make_account()
	token = callback_token()
	url = f"{site.base_url}/api/method/tuktuk_management.api.tuktuk.payment_confirmation"
	bodies = [body_for(account, amount=100 + i) for i in range(40 if HEAVY else 16)]
	killed, stop = [0], threading.Event()
	conf = frappe._dict(frappe.conf)  # the thread has no frappe.local

	def killer():
		admin = pymysql.connect(
			host=conf.db_host or "127.0.0.1",
			port=int(conf.db_port or 3306),
			user=conf.db_user or "root",
			password=conf.db_password or "",
			autocommit=True,
		)
		cursor = admin.cursor()
		while not stop.is_set():
			cursor.execute(
				"select id from information_schema.processlist where db = %s and id != connection_id()"
				" and command != 'Sleep'",
				(conf.db_name,),
			)
			for (conn_id,) in cursor.fetchall():
				try:
					cursor.execute(f"KILL {int(conn_id)}")
					killed[0] += 1
				except pymysql.err.OperationalError:
					pass
			time.sleep(0.02)
		admin.close()

	def deliver(body):
		for _attempt in range(30):
			try:
				r = requests.post(url, params={"token": token}, json=body, timeout=30)
				if r.status_code == 200 and r.json().get("ResultCode") == 0:
					return
			except requests.RequestException:
				pass
			time.sleep(0.05)
		raise AssertionError(f"{body['TransID']} never acknowledged")

	thread = threading.Thread(target=killer, daemon=True)
	thread.start()
	try:
		workers = [threading.Thread(target=deliver, args=(b,)) for b in bodies]
		for w in workers:
			w.start()
		for w in workers:
			w.join(timeout=300)
	finally:
		stop.set()
		thread.join(timeout=30)
	TALLY["faults injected"] += killed[0]
	print(f"[{site.backend}] database connections killed under load: {killed[0]}")
	sweep_as_scheduled()
	tick_payouts(sandbox)
	check_books(
		driver, bodies, sandbox, f"[{site.backend}] connections killed under load ({killed[0]} KILLs)"
	)
