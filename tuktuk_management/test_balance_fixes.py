"""On-site self-check of the balance fixes (the reference document's test suite, made safe for production).

    bench --site SITE execute tuktuk_management.test_balance_fixes.run_tests
    frappe-lite --site SITE execute tuktuk_management.test_balance_fixes.run_tests

or one check at a time, as the reference document's verification lines call them (``bench console``, where
the user is Administrator, or ``bench execute``):

    frappe.call("tuktuk_management.test_balance_fixes.test_atomic_updates")
    frappe.call("tuktuk_management.test_balance_fixes.test_reconciliation_functions")
    frappe.call("tuktuk_management.test_balance_fixes.test_race_condition_protection")
    frappe.call("tuktuk_management.test_balance_fixes.test_mass_reconciliation")

It checks, on scratch records: the atomic balance update, reconciliation (detect, dry run, fix, audit trail),
race protection (a fix racing a payment and a stale screen), mass reconciliation (including a constant query
count), and (``run_tests`` only) the driver statement and the daily close. Each entry point prints a
PASS/FAIL report and returns a summary dict; the reconciliation results it reports carry the reference
document's keys (``discrepancy``, ``adjustment`` = new balance - old balance, ``drivers_with_discrepancies``).

Why it is safe on a production site:
- Everything it writes happens after a savepoint and is rolled back to that savepoint before it returns,
  whatever happens (a failed check, an exception). ``bench execute`` then commits nothing of ours.
- It never commits: the domain functions are called at the level below their commit (``fix_under_lock``,
  ``reconcile_all_drivers_balances(commit=False)``, ``ledger.close_period``), and a guard on
  ``frappe.db.before_commit`` makes any commit attempted inside the check raise instead of committing.
- Scratch drivers get explicit names (``SELFCHECK-...``), so no naming series moves; scratch payments go
  through ``ledger.credit``, the very writes crediting makes under the driver's row lock (crediting's own
  entry point commits, so it is exercised by the system tests, not here).
- Error Log is MyISAM on MariaDB (a rollback does not remove it): the Error Logs reconciliation writes for
  scratch drivers are deleted explicitly before the rollback.
- Production rows are only read: one read-only screen of every driver's balance against the ledger, reported
  for information, never logged or fixed.
The real multi-process races (payments from several processes against a fix) are in the system tests
(``tests/system/test_reconciliation_races.py``); a rolled-back transaction cannot share scratch rows with
other connections, so here the interleavings are replayed in order inside one transaction.
"""

import secrets
import traceback
from decimal import Decimal

import frappe
from frappe.utils import add_days, getdate, now_datetime

from tuktuk_management import ledger, reconciliation, records, statement
from tuktuk_management.c2b import C2BPayment
from tuktuk_management.money import ZERO, sql_money, to_money
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

DRIVER = "TukTuk Driver"
LEDGER = "TukTuk Transaction"
SOURCE = "Self Check"


class CommitAttempted(Exception):
	"""Raised by the commit guard: something inside the self-check tried to commit."""


class _CommitGuard:
	"""A ``before_commit`` callback that refuses commits while armed (Frappe's CallbackManager has no
	``remove``, so when the check ends the guard is disarmed and stays behind as a no-op)."""

	def __init__(self):
		self.armed = True

	def __call__(self):
		if self.armed:
			raise CommitAttempted("the self-check never commits: a commit was attempted inside it")


class _Check:
	def __init__(self, name: str):
		self.name = name
		self.passed = True
		self.details: list[str] = []
		self.results: dict = {}  # what the checked functions returned, under the reference document's keys

	def expect(self, condition, message: str) -> bool:
		self.details.append(("ok    " if condition else "FAILED") + " " + message)
		self.passed = self.passed and bool(condition)
		return bool(condition)

	def note(self, message: str) -> None:
		self.details.append("info   " + message)

	def record(self, name: str, result: dict, keys) -> None:
		"""Keep ``keys`` of a result (money as text, exact) in the summary."""
		self.results[name] = {key: _plain(result.get(key)) for key in keys}


def _plain(value):
	if isinstance(value, Decimal):
		return str(value)
	return value if value is None or isinstance(value, bool | int | str) else str(value)


class _Scratch:
	"""Scratch drivers and payments, all inside the self-check's transaction."""

	def __init__(self):
		self.tag = secrets.token_hex(3).upper()
		self.drivers: list[str] = []
		self.count = 0

	def driver(self, daily_target="1000") -> str:
		self.count += 1
		name = f"SELFCHECK-{self.tag}-{self.count:03d}"
		frappe.get_doc(
			{
				"doctype": DRIVER,
				"driver_first_name": "Self",
				"driver_last_name": f"Check {self.count}",
				"mpesa_number": "254700000000",
				"status": "Inactive",  # never picked up by a daily close or payments meanwhile
				"daily_target": daily_target,
				# a fixed split (half to the target, whatever the balance) keeps the expected figures simple
				"fare_percentage": 50,
				"target_sharing_override": "Disable",
			}
		).insert(ignore_permissions=True, set_name=name)
		self.drivers.append(name)
		return name

	def pay(self, driver: str, amount, contribution=None, status="Completed", period=None) -> Decimal:
		"""A payment; returns its target contribution.

		A Completed payment into the open period goes through crediting's own locked unit of work
		(``crediting._credit_under_lock``: row lock, split from the locked balance, ledger row, atomic UPDATE,
		payout row) without ``credit_payment``'s commit. Other rows (another status, another period) are
		written directly with the given ``contribution`` and, like in production, move no balance."""
		self.count += 1
		transaction_id = f"SELFCHECK{self.tag}{self.count:05d}"
		if status == "Completed" and not period:
			payment = C2BPayment(transaction_id, to_money(amount), driver=driver, remarks="self-check")
			return to_money(ledger.credit(payment, get_settings()).split.target_contribution)
		amount, contribution = to_money(amount), to_money(contribution)
		records.insert(
			{
				"doctype": LEDGER,
				"transaction_id": transaction_id,
				"transaction_type": "Payment",
				"driver": driver,
				"amount": amount,
				"driver_share": amount - contribution,
				"target_contribution": contribution,
				"payment_status": status,
				"balance_period": period or self.period(driver),
				"timestamp": now_datetime(),
			}
		)
		return contribution

	def corrupt(self, driver: str, delta) -> None:
		"""Move the balance away from the ledger, as the baseline's lost updates did."""
		frappe.db.sql(
			f"UPDATE `tab{DRIVER}` SET current_balance = current_balance + %s WHERE name = %s",
			(sql_money(delta), driver),
		)

	def balance(self, driver: str) -> Decimal:
		return to_money(frappe.db.get_value(DRIVER, driver, "current_balance"))

	def period(self, driver: str):
		return getdate(frappe.db.get_value(DRIVER, driver, "balance_period"))

	def error_logs(self, driver: str, title: str) -> int:
		return frappe.db.count("Error Log", {"reference_name": driver, "method": title})

	def forget_error_logs(self) -> None:
		"""Error Log survives a rollback on MariaDB (MyISAM): remove the scratch drivers' logs explicitly."""
		for name in self.drivers:
			frappe.db.sql(
				"DELETE FROM `tabError Log` WHERE reference_doctype = %s AND reference_name = %s",
				(DRIVER, name),
			)


class _QueryCounter:
	"""Counts ``frappe.db.sql`` calls (every frappe.db read and write goes through it)."""

	def __enter__(self):
		self.count = 0
		self._db = frappe.local.db
		original = self._db.sql

		def counting(*args, **kwargs):
			self.count += 1
			return original(*args, **kwargs)

		self._db.sql = counting  # an instance attribute shadows the method until __exit__ drops it
		return self

	def __exit__(self, *exc):
		self._db.__dict__.pop("sql", None)


# ---------------------------------------------------------------------------------------------------------
# The checks


def check_atomic_update(scratch: _Scratch, check: _Check) -> None:
	driver = scratch.driver()
	stale = scratch.balance(driver)  # what a read-modify-write caller would hold
	contributions = [Decimal("10.00"), Decimal("20.50"), Decimal("15.25"), Decimal("25.00"), Decimal("30.75")]
	credited = [scratch.pay(driver, contribution * 2) for contribution in contributions]
	check.expect(
		credited == contributions,
		"crediting split each payment in half under the lock: " + ", ".join(map(str, credited)),
	)
	expected = stale + sum(contributions)
	check.expect(
		scratch.balance(driver) == expected,
		f"5 atomic increments: {stale} -> {scratch.balance(driver)} (expected {expected})",
	)
	check.note(
		f"the old read-modify-write from the stale read would have written {stale + contributions[-1]}, "
		f"losing {sum(contributions[:-1])}"
	)
	calculated, count = reconciliation.ledger_total(driver, scratch.period(driver))
	check.expect(
		calculated == scratch.balance(driver) and count == 5,
		f"balance equals the ledger total {calculated} of {count} rows",
	)
	left = to_money(frappe.db.get_value(DRIVER, driver, "left_to_target"))
	check.expect(
		left == Decimal("1000.00") - expected,
		f"left_to_target follows in the same UPDATE on {frappe.db.db_type}: {left}",
	)
	check.record(
		"atomic_update",
		{"old_balance": stale, "new_balance": scratch.balance(driver), "ledger_total": calculated},
		("old_balance", "new_balance", "ledger_total"),
	)


def check_reconciliation(scratch: _Scratch, check: _Check) -> None:
	driver = scratch.driver()
	for amount in ("200", "150.50", "100.02"):  # contributions 100 + 75.25 + 50.01
		scratch.pay(driver, amount)
	scratch.pay(driver, "500", "250", status="Failed")  # not credited: must not be counted
	scratch.pay(driver, "300", "150", period=add_days(scratch.period(driver), -1))  # another period
	result = reconciliation.reconcile_driver_balance(driver_name=driver, source=SOURCE)
	check.expect(
		result.discrepancy == 0
		and result.calculated_balance == Decimal("225.26")
		and result.transactions_count == 3,
		f"a correct balance reconciles: balance {result.current_balance}, ledger {result.calculated_balance}, "
		f"{result.transactions_count} rows (Failed rows and other periods not counted)",
	)

	scratch.corrupt(driver, "50")
	result = _reconcile_as_the_reference_does(driver)
	check.expect(
		result["discrepancy"] == Decimal("50.00"),
		"a corrupted balance is detected by frappe.call('tuktuk_management.api.tuktuk.reconcile_driver_balance',"
		f" driver_name=...): discrepancy {result['discrepancy']}",
	)
	check.record(
		"reconcile_driver_balance",
		result,
		("driver", "current_balance", "calculated_balance", "discrepancy", "transactions_count"),
	)
	check.expect(
		scratch.error_logs(driver, reconciliation.TITLE_DISCREPANCY) == 1 and result.reconciliation,
		'detection left an Error Log "Balance Discrepancy Detected" and a reconciliation record',
	)
	for false_value in ("false", "0", "no", "", 0, None):
		result = reconciliation.fix_driver_balance(driver, auto_fix=false_value, source=SOURCE)
		if not check.expect(
			not result.fixed and scratch.balance(driver) == Decimal("275.26"),
			f"auto_fix={false_value!r} is a dry run (balance untouched)",
		):
			break

	result = reconciliation.fix_driver_balance(driver_name=driver, auto_fix=True, source=SOURCE)
	check.expect(
		result.fixed and result.old_balance == Decimal("275.26") and result.new_balance == Decimal("225.26"),
		f"fix: {result.old_balance} -> {result.new_balance}",
	)
	check.expect(
		result.adjustment == result.new_balance - result.old_balance == Decimal("-50.00"),
		f"adjustment = new balance - old balance = {result.adjustment}",
	)
	check.record(
		"fix_driver_balance", result, ("driver", "old_balance", "new_balance", "adjustment", "fixed")
	)
	check.expect(
		scratch.balance(driver) == Decimal("225.26"), f"stored balance is now {scratch.balance(driver)}"
	)
	left = to_money(frappe.db.get_value(DRIVER, driver, "left_to_target"))
	check.expect(left == Decimal("774.74"), f"left_to_target follows the fixed balance: {left}")
	comments = frappe.db.count(
		"Comment", {"reference_doctype": DRIVER, "reference_name": driver, "comment_type": "Comment"}
	)
	check.expect(comments == 1, "the fix left a Comment on the driver")
	check.expect(
		scratch.error_logs(driver, reconciliation.TITLE_FIXED) == 1,
		'the fix left an Error Log "Balance Fixed"',
	)
	record = frappe.db.get_value(
		reconciliation.RECORD, result.reconciliation, ["fixed", "new_balance"], as_dict=True
	)
	check.expect(
		record and record.fixed and to_money(record.new_balance) == Decimal("225.26"),
		"the fix left a reconciliation record (fixed)",
	)
	again = reconciliation.fix_under_lock(driver, source=SOURCE)
	check.expect(not again.fixed and again.discrepancy == 0, "a second fix finds nothing to fix")


def check_race_protection(scratch: _Scratch, check: _Check) -> None:
	driver = scratch.driver()
	scratch.pay(driver, "400")
	scratch.corrupt(driver, "-80")
	screen = reconciliation.reconcile_all_drivers_balances(drivers=[driver], source=SOURCE)
	screened = screen.discrepancies[0] if screen.discrepancies else None
	check.expect(
		screened and screened.discrepancy == Decimal("-80.00"), "the screen sees the corrupted balance (-80)"
	)
	# A payment lands between the screen and the fix: the fix must count it, not restore the screen's figure.
	scratch.pay(driver, "120")
	result = reconciliation.fix_under_lock(driver, source=SOURCE)
	calculated, _count = reconciliation.ledger_total(driver, scratch.period(driver))
	check.expect(
		result.new_balance == calculated == Decimal("260.00"),
		f"fix after a late payment: balance {result.new_balance} = ledger {calculated} (the screen said "
		f"{screened.calculated_balance if screened else '?'}; the late 60 is kept)",
	)
	# A payment after the fix adds on top of the fixed balance (atomic increment, same lock).
	scratch.pay(driver, "100")
	calculated, _count = reconciliation.ledger_total(driver, scratch.period(driver))
	check.expect(
		scratch.balance(driver) == calculated == Decimal("310.00"),
		f"payment after the fix: {scratch.balance(driver)} = ledger {calculated}",
	)
	check.record(
		"fix_after_late_payment", result, ("old_balance", "new_balance", "adjustment", "discrepancy")
	)
	check.note(
		f"row lock: the fix reads the driver with for_update and the ledger with a locking read ({frappe.db.db_type}); "
		"multi-process races are exercised by tests/system/test_reconciliation_races.py"
	)


def check_mass_reconciliation(scratch: _Scratch, check: _Check) -> None:
	drivers = [scratch.driver() for _ in range(20)]
	for index, driver in enumerate(drivers):
		scratch.pay(driver, "100")
		if index % 3 == 0:
			scratch.pay(driver, "30")

	with _QueryCounter() as ten:
		reconciliation.reconcile_all_drivers_balances(drivers=drivers[:10], source=SOURCE)
	with _QueryCounter() as twenty:
		reconciliation.reconcile_all_drivers_balances(drivers=drivers, source=SOURCE)
	check.expect(
		ten.count == twenty.count,
		f"constant query count: {ten.count} queries for 10 drivers, {twenty.count} for 20",
	)

	corrupted = {
		driver: Decimal(7 * (index + 1)) * (-1 if index % 2 else 1)
		for index, driver in enumerate(drivers[::2])
	}
	for driver, delta in corrupted.items():
		scratch.corrupt(driver, delta)
	found = reconciliation.reconcile_all_drivers_balances(drivers=drivers, auto_fix="false", source=SOURCE)
	check.expect(
		{r.driver for r in found.discrepancies} == set(corrupted) and found.drivers_fixed == 0,
		f"detects exactly the {len(corrupted)} corrupted of {found.total_drivers} drivers, fixes none (auto_fix='false')",
	)
	check.record(
		"reconcile_all_drivers_balances",
		found,
		("total_drivers", "drivers_checked", "drivers_with_discrepancies", "drivers_fixed"),
	)
	fixed = reconciliation.reconcile_all_drivers_balances(drivers=drivers, auto_fix=True, source=SOURCE)
	check.expect(fixed.drivers_fixed == len(corrupted), f"auto_fix fixes all {fixed.drivers_fixed}")
	after = reconciliation.reconcile_all_drivers_balances(drivers=drivers, source=SOURCE)
	check.expect(after.drivers_with_discrepancies == 0, "a second pass finds no discrepancy")
	check.record(
		"reconcile_all_drivers_balances(auto_fix=True)",
		fixed,
		("total_drivers", "drivers_with_discrepancies", "drivers_fixed", "total_discrepancy_amount"),
	)

	production = reconciliation.balances_against_ledger()
	off = [
		r.name
		for r in production
		if to_money(r.balance) != to_money(r.calculated) and r.name not in scratch.drivers
	]
	check.note(
		f"production (read only, not logged or fixed): {len(production) - len(scratch.drivers)} drivers, "
		f"{len(off)} with a discrepancy" + (f": {', '.join(off[:10])}" if off else "")
	)


def check_statement(scratch: _Scratch, check: _Check) -> None:
	driver = scratch.driver()
	for amount in ("80", "45.50", "10"):  # contributions 40 + 22.75 + 5
		scratch.pay(driver, amount)
	scratch.pay(driver, "60", "30", status="Reversed")
	data = statement.get_statement(driver)
	check.expect(
		data.total_target_contribution == scratch.balance(driver) == Decimal("67.75")
		and data.transactions_count == 3,
		f"statement total {data.total_target_contribution} over {data.transactions_count} rows equals the balance {scratch.balance(driver)}",
	)
	text = statement.statement_csv(data)
	check.expect("total_target_contribution,67.75" in text, "the CSV carries the same total")


def check_daily_close(scratch: _Scratch, check: _Check) -> None:
	driver = scratch.driver(daily_target="100")
	scratch.pay(driver, "90")
	old_period = scratch.period(driver)
	new_period = add_days(old_period, 1)
	closed = ledger.close_period(driver, getdate(new_period), global_target=Decimal("3000"))
	check.expect(
		closed
		and closed.closing_balance == Decimal("45.00")
		and not closed.target_met
		and closed.consecutive_misses == 1,
		"close records the closing balance 45.00, target missed, 1 consecutive miss",
	)
	row = frappe.db.get_value(
		DRIVER, driver, ["current_balance", "left_to_target", "balance_period"], as_dict=True
	)
	check.expect(
		to_money(row.current_balance) == ZERO
		and to_money(row.left_to_target) == Decimal("100.00")
		and getdate(row.balance_period) == getdate(new_period),
		f"balance reset to 0, left_to_target to 100, period {old_period} -> {getdate(row.balance_period)}",
	)
	check.expect(
		ledger.close_period(driver, getdate(new_period), Decimal("3000")) is None,
		"closing the same date twice closes once",
	)
	check.expect(
		reconciliation.reconcile_driver_balance(driver, source=SOURCE).discrepancy == 0,
		"the new period reconciles (empty ledger, balance 0)",
	)
	past = reconciliation.reconcile_driver_balance(driver, date=old_period, source=SOURCE)
	check.expect(
		past.discrepancy == 0 and past.calculated_balance == Decimal("45.00"),
		"the closed period reconciles against its Daily Close",
	)


def _reconcile_as_the_reference_does(driver: str) -> dict:
	"""The reference document's line, ``frappe.call("tuktuk_management.api.tuktuk.reconcile_driver_balance",
	driver_name=...)``, through the whitelisted endpoint itself (as Administrator; it commits nothing)."""
	flags_commit = frappe.local.flags.commit
	try:
		return frappe.call("tuktuk_management.api.tuktuk.reconcile_driver_balance", driver_name=driver)
	finally:
		frappe.local.flags.commit = flags_commit  # the endpoint asks an HTTP request to commit; this is none


ATOMIC = ("1. atomic update", check_atomic_update)
RECONCILIATION = ("2. reconciliation", check_reconciliation)
RACE = ("3. race protection", check_race_protection)
MASS = ("4. mass reconciliation", check_mass_reconciliation)
CHECKS = (
	ATOMIC,
	RECONCILIATION,
	RACE,
	MASS,
	("5. driver statement", check_statement),
	("6. daily close", check_daily_close),
)


def run_tests(verbose: bool = True) -> dict:
	"""Run every check on scratch records, roll all of it back, print the report, return the summary."""
	return _run(CHECKS, "TUKTUK BALANCE SELF-CHECK", verbose)


def test_atomic_updates(verbose: bool = True) -> dict:
	"""Payments add to the balance with one atomic UPDATE under the row lock: none is lost."""
	return _run((ATOMIC,), "TEST ATOMIC UPDATES", verbose)


def test_reconciliation_functions(verbose: bool = True) -> dict:
	"""reconcile_driver_balance finds a discrepancy; fix_driver_balance is a dry run unless auto_fix, and
	its fix (adjustment = new - old) leaves a Comment, a reconciliation record and an Error Log."""
	return _run((RECONCILIATION,), "TEST RECONCILIATION FUNCTIONS", verbose)


def test_race_condition_protection(verbose: bool = True) -> dict:
	"""A fix under the row lock keeps a payment that landed after the screen, and a later payment adds on top."""
	return _run((RACE,), "TEST RACE CONDITION PROTECTION", verbose)


def test_mass_reconciliation(verbose: bool = True) -> dict:
	"""reconcile_all_drivers_balances: constant query count, finds exactly the corrupted drivers, fixes them."""
	return _run((MASS,), "TEST MASS RECONCILIATION", verbose)


def _run(checks, title: str, verbose: bool = True) -> dict:
	"""Run ``checks`` on scratch records inside a savepoint with commits refused, roll all of it back, print
	the PASS/FAIL report and return the summary. Never raises: a check that errors is reported FAILED."""
	out = print if verbose else (lambda *a, **k: None)
	savepoint = "tuktuk_self_check"
	guard = _CommitGuard()
	frappe.db.before_commit.add(guard)
	frappe.db.savepoint(savepoint)
	scratch = _Scratch()
	results = []
	try:
		for name, function in checks:
			check = _Check(name)
			inner = f"tuktuk_self_check_{len(results)}"
			frappe.db.savepoint(inner)
			try:
				function(scratch, check)
			except Exception as e:
				frappe.db.rollback(save_point=inner)  # keep the following checks runnable
				check.passed = False
				check.details.append(f"ERROR  {type(e).__name__}: {e}")
				check.details.extend("       " + line for line in traceback.format_exc().splitlines()[-6:])
			results.append(check)
	finally:
		try:
			scratch.forget_error_logs()
		finally:
			frappe.db.rollback(save_point=savepoint)
			guard.armed = False

	passed = all(c.passed for c in results)
	out("\n" + "=" * 78)
	out(f"{title}  site={getattr(frappe.local, 'site', '?')}  backend={frappe.db.db_type}")
	out("=" * 78)
	for check in results:
		out(f"\n[{'PASS' if check.passed else 'FAIL'}] {check.name}")
		for line in check.details:
			out("   " + line)
	out("\n" + "-" * 78)
	out(
		f"{'ALL CHECKS PASSED' if passed else 'SOME CHECKS FAILED'}: {sum(c.passed for c in results)}/{len(results)}"
		"  (every scratch record was rolled back; nothing was committed)"
	)
	out("-" * 78 + "\n")
	return {
		"passed": passed,
		"checks_passed": sum(c.passed for c in results),
		"checks_total": len(results),
		"backend": frappe.db.db_type,
		"rolled_back": True,
		"checks": [
			{"check": c.name, "passed": c.passed, "details": c.details, "results": c.results} for c in results
		],
	}
