"""Reconciliation under real concurrency, with real processes.

Over HTTP, against a target (tests/helpers/target.py: frappe_lite on SQLite and MariaDB, or the real bench):
- A fix racing a stream of payments: payer processes pay one driver through the C2B callback while a fixer
  process keeps corrupting the balance (a direct database write) and fixing it over HTTP (screen, lock,
  recompute, set). No payment is erased: at the end balance == Σ ledger == Σ of what was sent, and no fix
  ever computed from a stale ledger.
- Many drivers (100; 40 on the bench) with deliberately corrupted balances: every one detected by the
  manager's reconcile-all over HTTP (Error Log + record), then fixed by the scheduled job with auto-fix on,
  run as cron runs it (``execute``), (Comment + record + "Balance Fixed") while payments land on some of them.
In-process on frappe_lite (the ``backend`` fixture; the daily close and the scheduler have no HTTP API):
- The daily close racing payments: each payment lands in the period that was open when it took the lock.
- The on-site self-check (``bench execute tuktuk_management.test_balance_fixes.run_tests``) passes and leaves
  the database exactly as it found it.
Figures are printed (run pytest with -s to see them).
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import daraja
from tests.helpers.target import C2B_SETTINGS, RUN_TAG, record, unique

WORKER = str(Path(__file__).with_name("reconciliation_worker.py"))
CLIENT = str(Path(__file__).with_name("c2b_client.py"))
FIXER = str(Path(__file__).with_name("http_fixer.py"))
CONFIRM = "/api/method/tuktuk_management.api.tuktuk.payment_confirmation"
RECONCILE_ALL = "tuktuk_management.api.tuktuk.reconcile_all_drivers_balances"
MISSED = "tuktuk_management.api.tuktuk.add_missed_transaction"


def start(site, *args):
	return subprocess.Popen(
		[sys.executable, WORKER, args[0], site.sites_path, site.name, *map(str, args[1:])],
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
		text=True,
	)


def finish(process, timeout=240):
	out, err = process.communicate(timeout=timeout)
	assert process.returncode == 0, f"worker failed ({process.returncode}):\n{err[-4000:]}"
	return json.loads(out.strip().splitlines()[-1])


def money(value):
	return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def ledger_total(frappe, driver, period=None):
	"""(Σ target_contribution, Σ amount, rows) of the driver's Completed ledger rows in ``period`` (default:
	the open one)."""
	if period is None:
		period = frappe.db.get_value("TukTuk Driver", driver, "balance_period")
	row = frappe.db.sql(
		"""SELECT COALESCE(SUM(target_contribution), 0), COALESCE(SUM(amount), 0), COUNT(*)
		FROM `tabTukTuk Transaction`
		WHERE driver = %s AND payment_status = 'Completed' AND balance_period = %s""",
		(driver, period),
	)[0]
	return money(row[0]), money(row[1]), int(row[2])


def wait_for_ledger_rows(site, driver, count, timeout=60):
	"""Block until ``driver`` has at least ``count`` ledger rows (committed by the payer processes)."""
	import time

	deadline = time.monotonic() + timeout
	while time.monotonic() < deadline:
		with site.connect() as frappe:
			if frappe.db.count("TukTuk Transaction", {"driver": driver}) >= count:
				return
		time.sleep(0.01)
	raise AssertionError(f"payments did not start within {timeout}s")


def ledger_figures(target, driver):
	"""(Σ target_contribution, Σ amount, rows) of the driver's Completed ledger rows in its open period, read
	from the target's database."""
	row = target.sql(
		"""SELECT COALESCE(SUM(t.target_contribution), 0), COALESCE(SUM(t.amount), 0), COUNT(t.name)
		FROM `tabTukTuk Transaction` t JOIN `tabTukTuk Driver` d ON d.name = t.driver
		WHERE t.driver = %s AND t.payment_status = 'Completed' AND t.balance_period = d.balance_period""",
		(driver,),
	)[0]
	return money(row[0]), money(row[1]), int(row[2])


def stale_fixes(target, driver):
	"""Fixes whose ledger sum missed rows committed before the fix took the driver's lock.

	A payment inserts its ledger row while holding the driver's row lock, and a fix writes its record while
	holding it, so the ledger rows created before a fix record's creation are exactly the rows that fix must
	have counted: ``transactions_count`` must equal their number (and the sum their contributions)."""
	from bisect import bisect_left

	rows = target.sql(
		"""SELECT creation, target_contribution FROM `tabTukTuk Transaction`
		WHERE driver = %s AND payment_status = 'Completed' ORDER BY creation""",
		(driver,),
	)
	creations = [r[0] for r in rows]
	running = [Decimal(0)]
	for r in rows:
		running.append(running[-1] + money(r[1]))
	stale = []
	for fix in target.rows(
		"TukTuk Balance Reconciliation",
		("name", "creation", "transactions_count", "calculated_balance"),
		driver=driver,
		fixed=1,
	):
		before = bisect_left(creations, fix["creation"])
		if fix["transactions_count"] != before or money(fix["calculated_balance"]) != running[before]:
			stale.append((fix["name"], fix["transactions_count"], before))
	return stale


def make_driver(frappe, **fields):
	"""An Active driver, no vehicle, with a fixed 50% split (see make_split_driver); returns its name."""
	from tuktuk_management.tests.utils import make_split_driver

	return make_split_driver(vehicle=None, **fields).name


@pytest.fixture
def site(new_site):
	return new_site(apps=("tuktuk_management",))


@pytest.fixture(scope="module")
def c2b(target):
	with target.settings_changed(**C2B_SETTINGS):
		yield target


def pay_over_http(target, account, prefix, count):
	"""A payer process (c2b_client.py) posting ``count`` confirmations to ``account``."""
	return subprocess.Popen(
		[sys.executable, CLIENT, json.dumps(target.spec()), account, prefix, str(count)],
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
		text=True,
	)


def paid(process, timeout=900):
	summary = finish(process, timeout)
	assert not summary["errors"], summary["errors"][:5]
	return summary


def test_fix_racing_payments_erases_nothing(c2b, tmp_path):
	"""Payer processes pay one driver over HTTP while a fixer process keeps corrupting its balance (a direct
	database write) and fixing it over HTTP (http_fixer.py)."""
	payers, per_payer = 4, c2b.scale("fix_race_per_payer", 40)
	driver = c2b.make_driver()
	prefixes = [f"FR{RUN_TAG}{c2b.label[0].upper()}{n}X" for n in range(payers)]
	stop_file = tmp_path / f"stop-fixer-{driver.name}"
	fixer = subprocess.Popen(
		[sys.executable, FIXER, json.dumps(c2b.spec()), driver.name, str(stop_file)],
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
		text=True,
	)
	workers = [pay_over_http(c2b, driver.account, prefix, per_payer) for prefix in prefixes]
	summaries = [paid(w) for w in workers]
	stop_file.touch()
	fixes = finish(fixer)

	balance = c2b.balance(driver.name)
	contribution, amounts, rows = ledger_figures(c2b, driver.name)
	fixed_records = c2b.count("TukTuk Balance Reconciliation", driver=driver.name, fixed=1)
	stale = stale_fixes(c2b, driver.name)
	sent = sum(s["sent"] for s in summaries)
	expected = sum(daraja.contribution(daraja.amount_for(p, i)) for p in prefixes for i in range(per_payer))
	sent_amount = sum(money(daraja.amount_for(p, i)) for p in prefixes for i in range(per_payer))
	print(
		f"\n[{c2b.label}] fix racing payments: payments sent {sent}, acknowledged {sum(s['http_ok'] for s in summaries)}, "
		f"ledger rows {rows}, ledger amount {amounts}, balance {balance} (expected {expected}), lost {sent - rows}; "
		f"fixer rounds {fixes['rounds']}, fixes {fixes['fixes']}, fix records {fixed_records}, stale fixes {len(stale)}"
	)
	record(c2b, "reconciliation fix racing payments", sent=sent, credited=rows, lost=sent - rows)
	assert not fixes["errors"], fixes["errors"][:5]
	# The final balance alone cannot show a fix that erased a payment: the next fix puts it back. So every fix
	# is checked against the ledger as it stood when the fix held the lock (see stale_fixes).
	assert stale == [], (
		f"fixes computed from a stale ledger (erasing payments until the next fix): {stale[:5]}"
	)
	assert sum(s["http_ok"] for s in summaries) == sent == payers * per_payer
	assert rows == sent
	assert amounts == sent_amount
	assert contribution == expected
	assert balance == contribution == expected, "a fix erased a payment (or a corruption survived)"
	assert fixes["fixes"] >= 1 and fixed_records == fixes["fixes"]


def drivers_off_their_ledger(target, names):
	"""The drivers among ``names`` whose balance differs from their open period's ledger (one grouped read)."""
	rows = target.sql(
		f"""SELECT d.name, d.current_balance, COALESCE(SUM(t.target_contribution), 0)
		FROM `tabTukTuk Driver` d LEFT JOIN `tabTukTuk Transaction` t
			ON t.driver = d.name AND t.payment_status = 'Completed' AND t.balance_period = d.balance_period
		WHERE d.name IN ({", ".join(["%s"] * len(names))})
		GROUP BY d.name, d.current_balance""",
		names,
	)
	assert len(rows) == len(names)
	return sorted(name for name, balance, ledger in rows if money(balance) != money(ledger))


def test_corrupted_drivers_detected_and_fixed(c2b):
	"""Many drivers (100 on frappe_lite, 40 on the bench) with corrupted balances: the manager's reconcile-all
	over HTTP detects every one (Error Log + record); then the scheduled job, with auto-fix on, run as cron
	runs it (``bench execute``), fixes every one (Comment + record + "Balance Fixed") while payments land on
	three of them over HTTP. Their earlier payments are missed transactions a manager entered
	(``add_missed_transaction``: the confirmation's path, by driver, no vehicle needed); the three racing ones
	have vehicles and are paid through the C2B callback. On a shared bench site reconcile-all sees every
	driver of the site; the assertions are about this run's drivers."""
	import random

	count = c2b.scale("corrupted_drivers", 100)
	racing = c2b.make_drivers(3)
	drivers = racing + c2b.make_drivers(count - 3, vehicle=False)
	names = [d.name for d in drivers]
	rng = random.Random(4)
	payments = [(name, unique("CD")) for name in names for _ in range(rng.randint(0, 2))]

	def enter(item):
		name, trans_id = item
		return c2b.method(MISSED, transaction_id=trans_id, amount="100", driver=name)

	with ThreadPoolExecutor(4) as pool:
		replies = list(pool.map(enter, payments))
	assert all(r.status_code == 200 and r.json()["message"]["status"] == "Processed" for r in replies), [
		r.text[:300] for r in replies if r.status_code != 200
	][:5]
	c2b.write_many_sql(
		"UPDATE `tabTukTuk Driver` SET current_balance = current_balance + %s WHERE name = %s",
		[(str(rng.choice([-1, 1]) * rng.randint(1, 50_000) / 100), name) for name in names],
	)

	detect = c2b.method(RECONCILE_ALL, auto_fix="false")
	assert detect.status_code == 200, detect.text[:2000]
	flagged = {r["driver"] for r in detect.json()["message"]["discrepancies"]}
	detected = c2b.count("Error Log", method="Balance Discrepancy Detected", reference_name=names)
	records = c2b.count("TukTuk Balance Reconciliation", fixed=0, driver=names)
	assert set(names) <= flagged
	assert detected == count and records == count
	assert drivers_off_their_ledger(c2b, names) == sorted(names), "detection must not change balances"

	# The scheduled job fixes everything while payments land on three of the drivers.
	payers = [pay_over_http(c2b, d.account, f"MASS{RUN_TAG}{i}X", 25) for i, d in enumerate(racing)]
	with c2b.settings_changed(auto_fix_on_schedule=1):
		c2b.execute("tuktuk_management.reconciliation.scheduled_reconciliation")
	racing_paid = [paid(p) for p in payers]

	off = drivers_off_their_ledger(c2b, names)
	fixed_logs = c2b.count("Error Log", method="Balance Fixed", reference_name=names)
	comments = c2b.count(
		"Comment", reference_doctype="TukTuk Driver", comment_type="Comment", reference_name=names
	)
	fixed_records = c2b.count("TukTuk Balance Reconciliation", fixed=1, source="Scheduled", driver=names)
	racing_rows = [ledger_figures(c2b, d.name)[2] for d in racing]
	again = c2b.method(RECONCILE_ALL, auto_fix="false")
	assert again.status_code == 200, again.text[:2000]
	still = [r["driver"] for r in again.json()["message"]["discrepancies"] if r["driver"] in set(names)]
	sent = len(payments) + sum(p["sent"] for p in racing_paid)
	credited = c2b.sql(
		f"select count(*) from `tabTukTuk Transaction` where payment_status = 'Completed' and driver in "
		f"({', '.join(['%s'] * len(names))})",
		names,
	)[0][0]
	print(
		f"\n[{c2b.label}] {count} corrupted drivers: detected {detected}, fixed {fixed_records} "
		f"(Balance Fixed logs {fixed_logs}, comments {comments}), still off {len(off)}, "
		f"payments during the fix {sum(p['http_ok'] for p in racing_paid)}, second pass {len(still)}"
	)
	record(
		c2b,
		f"reconcile-all over {count} corrupted drivers",
		sent=sent,
		credited=credited,
		lost=sent - credited,
	)
	assert off == []
	assert fixed_records == fixed_logs == comments == count
	assert still == []
	assert all(rows >= 25 for rows in racing_rows)
	assert credited == sent


def test_daily_close_racing_payments(site):
	with site.connect():
		import frappe
		from frappe.utils import add_days, getdate

		driver = make_driver(frappe)
		frappe.db.commit()
		period = getdate(frappe.db.get_value("TukTuk Driver", driver, "balance_period"))
		new_period = getdate(add_days(period, 1))

	payers = [start(site, "pay", driver, 30, "10", f"CLOSE{n}X") for n in range(2)]
	wait_for_ledger_rows(site, driver, 10)  # close in the middle of the stream, not before it starts
	closer = start(site, "close", new_period)
	closed = finish(closer)
	paid = [finish(p) for p in payers]
	# Two more payments after the close for sure: the new period is exercised even when the close (under load)
	# lands after the racing stream has already finished.
	paid.append(finish(start(site, "pay", driver, 2, "10", "CLOSETAILX")))

	with site.connect():
		import frappe

		close = frappe.get_all(
			"TukTuk Daily Close", filters={"driver": driver}, fields=["closing_balance", "balance_period"]
		)
		before = ledger_total(frappe, driver, period)
		after = ledger_total(frappe, driver, new_period)
		balance = money(frappe.db.get_value("TukTuk Driver", driver, "current_balance"))
		open_period = getdate(frappe.db.get_value("TukTuk Driver", driver, "balance_period"))
	print(
		f"\n[{site.backend}] daily close racing payments: sent {sum(p['sent'] for p in paid)}, "
		f"before close {before[2]} rows / {before[0]}, after close {after[2]} rows / {after[0]}"
	)
	assert closed["closed"] == 1 and len(close) == 1
	assert open_period == new_period
	assert money(close[0].closing_balance) == before[0], "the closing balance is the closed period's ledger"
	assert balance == after[0], "the new period's balance is its ledger"
	assert before[2] + after[2] == 62
	assert before[2] >= 10 and after[2] >= 2, "the close landed after the stream had started"


def test_self_check_is_safe_on_a_live_site(site):
	with site.connect():
		import frappe

		from tuktuk_management.tests.reconciliation_utils import row_counts
		from tuktuk_management.tests.utils import make_payment

		driver = make_driver(frappe)
		make_payment(driver, "100")  # commits
		counts_before = row_counts()
		balance_before = frappe.db.get_value("TukTuk Driver", driver, "current_balance")

	result = site.cli("execute", "tuktuk_management.test_balance_fixes.run_tests")
	print(result.stdout)
	assert result.returncode == 0, result.stderr
	assert "ALL CHECKS PASSED" in result.stdout, result.stdout

	with site.connect():
		import frappe

		from tuktuk_management.tests.reconciliation_utils import row_counts

		counts_after = row_counts()
		assert frappe.db.get_value("TukTuk Driver", driver, "current_balance") == balance_before
	assert counts_after == counts_before


def test_scheduler_runs_reconciliation_and_daily_close(site):
	"""The hooks' cron jobs, run by the scheduler (``frappe-lite run-due-jobs``): reconciliation fixes only when
	the setting is on; the daily close closes the open period and opens the business date."""
	import datetime

	reconcile_job = "tuktuk_management.reconciliation.scheduled_reconciliation"
	close_job = "tuktuk_management.daily_close.run_daily_close"

	def make_due(frappe, due, not_due):
		now = datetime.datetime.now()
		frappe.db.set_value(
			"Scheduled Job Type", {"method": due}, "last_execution", now - datetime.timedelta(days=2)
		)
		frappe.db.set_value("Scheduled Job Type", {"method": not_due}, "last_execution", now)

	with site.connect():
		import frappe
		from frappe.utils import add_days, getdate

		from tuktuk_management.tests.reconciliation_utils import corrupt_balance, record_payment

		driver = make_driver(frappe)
		today = getdate(frappe.db.get_value("TukTuk Driver", driver, "balance_period"))
		yesterday = getdate(add_days(today, -1))
		frappe.db.sql(
			"UPDATE `tabTukTuk Driver` SET balance_period = %s WHERE name = %s", (yesterday, driver)
		)
		record_payment(driver, "100", "50")
		corrupt_balance(driver, "5")
		frappe.db.set_single_value("TukTuk Settings", "auto_fix_on_schedule", 0)
		make_due(frappe, reconcile_job, close_job)
		frappe.db.commit()

	site.cli("enable-scheduler")  # new sites start with the scheduler off, as in Frappe
	site.cli("run-due-jobs")
	with site.connect():
		import frappe

		assert money(frappe.db.get_value("TukTuk Driver", driver, "current_balance")) == Decimal("55.00")
		assert (
			frappe.db.count(
				"TukTuk Balance Reconciliation", {"driver": driver, "source": "Scheduled", "fixed": 0}
			)
			== 1
		)
		frappe.db.set_single_value("TukTuk Settings", "auto_fix_on_schedule", 1)
		make_due(frappe, reconcile_job, close_job)
		frappe.db.commit()

	site.cli("run-due-jobs")
	with site.connect():
		import frappe

		assert money(frappe.db.get_value("TukTuk Driver", driver, "current_balance")) == Decimal("50.00")
		assert (
			frappe.db.count(
				"TukTuk Balance Reconciliation", {"driver": driver, "source": "Scheduled", "fixed": 1}
			)
			== 1
		)
		make_due(frappe, close_job, reconcile_job)
		frappe.db.commit()

	site.cli("run-due-jobs")
	with site.connect():
		import frappe
		from frappe.utils import getdate

		from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

		row = frappe.db.get_value(
			"TukTuk Driver", driver, ["current_balance", "balance_period"], as_dict=True
		)
		close = frappe.get_all(
			"TukTuk Daily Close", filters={"driver": driver}, fields=["closing_balance", "balance_period"]
		)
		assert [(money(c.closing_balance), getdate(c.balance_period)) for c in close] == [
			(Decimal("50.00"), yesterday)
		]
		assert money(row.current_balance) == Decimal("0.00")
		business_date = get_settings().business_date()
		assert getdate(row.balance_period) == business_date
		assert (
			getdate(frappe.db.get_single_value("TukTuk Settings", "last_daily_reset_date")) == business_date
		)
