"""Reconciliation under real concurrency, on SQLite and MariaDB (the ``backend`` fixture), with real processes.

- A fix racing a stream of payments: payer processes credit through the real crediting code while a fixer
  process keeps corrupting the balance and fixing it (screen, lock, recompute, set). No payment is erased:
  at the end balance == Σ ledger == Σ of what was sent.
- 200 drivers with deliberately corrupted balances: every one detected (Error Log + record), then fixed by the
  scheduled job with auto-fix on (Comment + record + "Balance Fixed"), while payments land on some of them.
- The daily close racing payments: each payment lands in the period that was open when it took the lock.
- The on-site self-check (``bench execute tuktuk_management.test_balance_fixes.run_tests``) passes and leaves
  the database exactly as it found it.
Figures are printed (run pytest with -s to see them).
"""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

WORKER = str(Path(__file__).with_name("reconciliation_worker.py"))


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


def stale_fixes(frappe, driver):
	"""Fixes whose ledger sum missed rows committed before the fix took the driver's lock.

	A payment inserts its ledger row while holding the driver's row lock, and a fix writes its record while
	holding it, so the ledger rows created before a fix record's creation are exactly the rows that fix must
	have counted: ``transactions_count`` must equal their number (and the sum their contributions)."""
	from bisect import bisect_left

	rows = frappe.db.sql(
		"""SELECT creation, target_contribution FROM `tabTukTuk Transaction`
		WHERE driver = %s AND payment_status = 'Completed' ORDER BY creation""",
		(driver,),
	)
	creations = [r[0] for r in rows]
	running = [Decimal(0)]
	for r in rows:
		running.append(running[-1] + money(r[1]))
	stale = []
	for fix in frappe.get_all(
		"TukTuk Balance Reconciliation",
		filters={"driver": driver, "fixed": 1},
		fields=["name", "creation", "transactions_count", "calculated_balance"],
	):
		before = bisect_left(creations, fix.creation)
		if fix.transactions_count != before or money(fix.calculated_balance) != running[before]:
			stale.append((fix.name, fix.transactions_count, before))
	return stale


def make_driver(frappe, **fields):
	"""An Active driver, no vehicle, with a fixed 50% split (see make_split_driver); returns its name."""
	from tuktuk_management.tests.utils import make_split_driver

	return make_split_driver(vehicle=None, **fields).name


@pytest.fixture
def site(new_site):
	return new_site(apps=("tuktuk_management",))


def test_fix_racing_payments_erases_nothing(site):
	payers, per_payer, amount = 4, 40, Decimal("10.00")
	with site.connect():
		import frappe

		driver = make_driver(frappe)
		frappe.db.commit()

	stop_file = Path(site.sites_path) / f"stop-fixer-{driver}"
	fixer = start(site, "fix", driver, stop_file)
	workers = [start(site, "pay", driver, per_payer, amount, f"RACE{n}X") for n in range(payers)]
	paid = [finish(w) for w in workers]
	stop_file.touch()
	fixes = finish(fixer)

	with site.connect():
		import frappe

		balance = money(frappe.db.get_value("TukTuk Driver", driver, "current_balance"))
		contribution, amounts, rows = ledger_total(frappe, driver)
		fixed_records = frappe.db.count("TukTuk Balance Reconciliation", {"driver": driver, "fixed": 1})
		stale = stale_fixes(frappe, driver)

	sent = payers * per_payer
	expected = sent * amount / 2
	lost = expected - balance
	print(
		f"\n[{site.backend}] fix racing payments: payments sent {sent}, credited {sum(p['credited'] for p in paid)}, "
		f"ledger rows {rows}, ledger amount {amounts}, balance {balance} (expected {expected}), lost {lost}; "
		f"fixer rounds {fixes['rounds']}, fixes {fixes['fixes']}, fix records {fixed_records}, stale fixes {len(stale)}"
	)
	# The final balance alone cannot show a fix that erased a payment: the next fix puts it back. So every fix
	# is checked against the ledger as it stood when the fix held the lock (see stale_fixes).
	assert stale == [], (
		f"fixes computed from a stale ledger (erasing payments until the next fix): {stale[:5]}"
	)
	assert sum(p["credited"] for p in paid) == sent
	assert rows == sent
	assert amounts == sent * amount
	assert contribution == expected
	assert balance == contribution == expected, "a fix erased a payment (or a corruption survived)"
	assert fixes["fixes"] >= 1 and fixed_records == fixes["fixes"]


def test_200_corrupted_drivers_detected_and_fixed(site):
	import random

	count = 200
	with site.connect():
		import frappe

		from tuktuk_management.tests.reconciliation_utils import corrupt_balance, record_payment

		drivers = [make_driver(frappe) for _ in range(count)]
		rng = random.Random(4)
		for driver in drivers:
			for _ in range(rng.randint(0, 3)):
				record_payment(driver, "100", "50")
			corrupt_balance(driver, rng.choice([-1, 1]) * rng.randint(1, 50_000) / 100)
		frappe.db.commit()

	detect = site.cli(
		"execute",
		"tuktuk_management.reconciliation.reconcile_all_drivers_balances",
		"--kwargs",
		"{'auto_fix': 'false'}",
	)
	assert detect.returncode == 0, detect.stderr

	with site.connect():
		import frappe

		detected = frappe.db.count("Error Log", {"method": "Balance Discrepancy Detected"})
		records = frappe.db.count("TukTuk Balance Reconciliation", {"fixed": 0})
		still_off = sum(
			money(frappe.db.get_value("TukTuk Driver", d, "current_balance")) != ledger_total(frappe, d)[0]
			for d in drivers
		)
		frappe.db.set_single_value("TukTuk Settings", "auto_fix_on_schedule", 1)
		frappe.db.commit()
	assert detected == count and records == count
	assert still_off == count, "detection must not change balances"

	# The scheduled job fixes everything while payments land on three of the drivers.
	racing = drivers[:3]
	payers = [start(site, "pay", d, 25, "10", f"MASS{i}X") for i, d in enumerate(racing)]
	fix = site.cli("execute", "tuktuk_management.reconciliation.scheduled_reconciliation")
	paid = [finish(p) for p in payers]
	assert fix.returncode == 0, fix.stderr

	with site.connect():
		import frappe

		off = [
			d
			for d in drivers
			if money(frappe.db.get_value("TukTuk Driver", d, "current_balance")) != ledger_total(frappe, d)[0]
		]
		fixed_logs = frappe.db.count("Error Log", {"method": "Balance Fixed"})
		comments = frappe.db.count(
			"Comment", {"reference_doctype": "TukTuk Driver", "comment_type": "Comment"}
		)
		fixed_records = frappe.db.count("TukTuk Balance Reconciliation", {"fixed": 1, "source": "Scheduled"})
		racing_rows = [ledger_total(frappe, d)[2] for d in racing]
		from tuktuk_management import reconciliation

		again = reconciliation.reconcile_all_drivers_balances()
	print(
		f"\n[{site.backend}] 200 corrupted drivers: detected {detected}, fixed {fixed_records} "
		f"(Balance Fixed logs {fixed_logs}, comments {comments}), still off {len(off)}, "
		f"payments during the fix {sum(p['credited'] for p in paid)}, second pass {again.drivers_with_discrepancies}"
	)
	assert off == []
	assert fixed_records == fixed_logs == comments == count
	assert again.drivers_with_discrepancies == 0
	assert all(rows >= 25 for rows in racing_rows)


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
