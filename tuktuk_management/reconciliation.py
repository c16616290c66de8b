"""Balance reconciliation: each driver's ``current_balance`` checked against the ledger.

The invariant (DESIGN §5.1): a driver's ``current_balance`` equals the sum of ``target_contribution`` over
the driver's ledger rows (TukTuk Transaction) with ``payment_status = "Completed"`` whose ``balance_period``
is the driver's open ``balance_period``. That is exactly what crediting adds, so the calculated balance here
counts the same rows crediting counts, no more (the baseline summed by timestamp and so erased real credit).

A fix takes the driver's row lock (``ledger.lock_driver``), recomputes the sum *inside* the lock with a
locking read (under InnoDB's REPEATABLE READ a plain read would see the transaction's old snapshot and miss a
payment committed since), and has the ledger set the balance (``ledger.set_balance_by_fix``) in the same
transaction: a payment is either in the sum or waits for the lock and adds itself on top, never erased. The
fix sets the balance to the ledger sum; it writes no ledger row. Its audit trail is a Comment on the driver,
a TukTuk Balance Reconciliation record and an Error Log titled "Balance Fixed".

Result keys follow the baseline (reference/balance_fix_summary.md and its test_balance_fixes.py):
``driver``, ``old_balance``/``current_balance``, ``calculated_balance``, ``discrepancy``,
``transactions_count``, ``fixed``, ``new_balance``, ``success``, ``message``; reconcile-all adds
``total_drivers``, ``drivers_checked``, ``drivers_with_discrepancies``, ``drivers_fixed``,
``total_discrepancy_amount``, ``results`` and ``discrepancies``. Money values are Decimal (two places);
``discrepancy`` is ``current_balance - calculated_balance`` (positive: the balance is too high).
"""

import random
import time
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate

from tuktuk_management import ledger, records
from tuktuk_management.money import ZERO, to_money
from tuktuk_management.split import effective_daily_target
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

DRIVER = "TukTuk Driver"
LEDGER = "TukTuk Transaction"
RECORD = "TukTuk Balance Reconciliation"
DAILY_CLOSE = "TukTuk Daily Close"

TITLE_DISCREPANCY = "Balance Discrepancy Detected"
TITLE_FIXED = "Balance Fixed"

SOURCES = ("Manual", "Scheduled", "Self Check")
FIX_ATTEMPTS = 5

# Under InnoDB's REPEATABLE READ a locking read sees the latest committed rows, where a plain read sees the
# transaction's snapshot, which may predate a payment committed before our lock was granted (the system test
# test_fix_racing_payments_erases_nothing catches exactly that). On SQLite (frappe_lite) it takes the
# database's write lock, so it is fresh as well.
LOCKING_READ = " FOR UPDATE"

_FALSE_STRINGS = {"", "0", "false", "no", "off", "n", "f", "none", "null"}


def as_bool(value) -> bool:
	"""A boolean argument as it arrives from HTTP, the console or the scheduler.

	Strings "false", "0", "no", "off" and "" (any case, any surrounding space) are False, as are None and 0;
	``bool("false")`` would be True, which is how the baseline fixed balances nobody asked it to fix."""
	if isinstance(value, str):
		return value.strip().lower() not in _FALSE_STRINGS
	return bool(value)


# ---------------------------------------------------------------------------------------------------------
# Reading


def _driver_row(driver_name: str):
	row = frappe.db.get_value(
		DRIVER,
		driver_name,
		["name", "driver_name", "current_balance", "left_to_target", "balance_period", "daily_target"],
		as_dict=True,
	)
	if not row:
		frappe.throw(_("TukTuk Driver {0} not found").format(driver_name), frappe.DoesNotExistError)
	return row


def ledger_total(driver_name: str, period, for_update: bool = False) -> tuple[Decimal, int]:
	"""(Σ target_contribution, row count) of the driver's Completed ledger rows credited to ``period``."""
	if period:
		condition, values = "balance_period = %s", (driver_name, getdate(period))
	else:  # a driver whose period was never opened: crediting wrote NULL periods
		condition, values = "balance_period IS NULL", (driver_name,)
	row = frappe.db.sql(
		f"""SELECT COALESCE(SUM(target_contribution), 0), COUNT(*)
		FROM `tab{LEDGER}`
		WHERE driver = %s AND payment_status = 'Completed' AND {condition}"""
		+ (LOCKING_READ if for_update else ""),
		values,
	)
	return to_money(row[0][0]), int(row[0][1] or 0)


def _period_of(driver, date=None):
	"""The period a check is about: ``date`` if given, else the driver's open period."""
	return getdate(date) if date else (getdate(driver.balance_period) if driver.balance_period else None)


def _is_open(driver, period) -> bool:
	open_period = getdate(driver.balance_period) if driver.balance_period else None
	return period == open_period


def _closed_balance(driver_name: str, period):
	"""The balance a closed period ended with (its TukTuk Daily Close), or None if it was never closed."""
	value = frappe.db.get_value(
		DAILY_CLOSE, {"driver": driver_name, "balance_period": period}, "closing_balance", order_by=None
	)
	return None if value is None else to_money(value)


def _global_target():
	return get_settings().global_target


def _result(driver, period, is_open: bool, balance, calculated: Decimal, count: int) -> dict:
	"""One driver's reconciliation in the baseline's shape. ``balance`` None: a closed period with no record."""
	balance = None if balance is None else to_money(balance)
	discrepancy = ZERO if balance is None else to_money(balance - calculated)
	return frappe._dict(
		success=True,
		driver=driver.name,
		driver_name=driver.driver_name,
		balance_period=period,
		is_open_period=is_open,
		current_balance=balance,
		old_balance=balance,
		calculated_balance=calculated,
		discrepancy=discrepancy,
		has_discrepancy=discrepancy != 0,
		transactions_count=count,
		fixed=False,
		new_balance=balance,
		reconciliation=None,
		message=_result_message(period, balance, calculated, discrepancy),
	)


def _result_message(period, balance, calculated: Decimal, discrepancy: Decimal) -> str:
	if balance is None:
		# A closed period without a TukTuk Daily Close has no balance to compare: never say it "matches".
		return _(
			"Period {0} has no daily close: there is no closing balance to compare with the ledger total {1}"
		).format(period, calculated)
	if discrepancy == 0:
		return _("Balance matches the ledger")
	return _("Balance {0} differs from the ledger total {1} by {2}").format(balance, calculated, discrepancy)


# ---------------------------------------------------------------------------------------------------------
# Audit trail


def _run_by() -> str:
	return getattr(frappe.session, "user", None) or "Administrator"


def _record(result: dict, source: str, notes: str = "") -> str:
	"""Insert the TukTuk Balance Reconciliation record for ``result``; returns its name."""
	doc = frappe.get_doc(
		{
			"doctype": RECORD,
			"driver": result["driver"],
			"balance_period": result["balance_period"],
			"source": source if source in SOURCES else "Manual",
			"run_by": _run_by(),
			"old_balance": result["old_balance"] or ZERO,
			"calculated_balance": result["calculated_balance"],
			"discrepancy": result["discrepancy"],
			"transactions_count": result["transactions_count"],
			"fixed": 1 if result["fixed"] else 0,
			"new_balance": result["new_balance"] if result["new_balance"] is not None else ZERO,
			"notes": notes,
		}
	)
	records.by_app(doc).insert(ignore_permissions=True)
	return doc.name


def _describe(result: dict, source: str) -> str:
	return "\n".join(
		[
			f"Driver: {result['driver_name'] or ''} ({result['driver']})",
			f"Balance period: {result['balance_period']}",
			f"Current balance: {result['old_balance']}",
			f"Calculated balance (ledger): {result['calculated_balance']}",
			f"Discrepancy (current - calculated): {result['discrepancy']}",
			f"Ledger rows: {result['transactions_count']}",
			f"Source: {source}; run by {_run_by()}",
		]
	)


def _log_discrepancy(result: dict, source: str) -> None:
	"""Every detected discrepancy leaves an Error Log and a reconciliation record."""
	frappe.log_error(
		title=TITLE_DISCREPANCY,
		message=_describe(result, source),
		reference_doctype=DRIVER,
		reference_name=result["driver"],
	)
	result["reconciliation"] = _record(result, source, notes=_("Discrepancy detected"))


def _log_fix(result: dict, source: str) -> None:
	"""Every fix leaves a Comment on the driver, one reconciliation record (fixed) and two Error Logs: the
	discrepancy it detected ("Balance Discrepancy Detected") and the fix ("Balance Fixed")."""
	text = _(
		"Balance fixed by reconciliation ({0}): {1} → {2} (ledger total of {3} rows for {4}; adjustment {5})."
	).format(
		source,
		result["old_balance"],
		result["new_balance"],
		result["transactions_count"],
		result["balance_period"],
		result["adjustment"],
	)
	frappe.get_doc(DRIVER, result["driver"]).add_comment("Comment", text)
	result["reconciliation"] = _record(result, source, notes=text)
	frappe.log_error(
		title=TITLE_DISCREPANCY,
		message=_describe(result, source),
		reference_doctype=DRIVER,
		reference_name=result["driver"],
	)
	frappe.log_error(
		title=TITLE_FIXED,
		message=_describe(result, source)
		+ f"\nNew balance: {result['new_balance']}\nRecord: {result['reconciliation']}",
		reference_doctype=DRIVER,
		reference_name=result["driver"],
	)


# ---------------------------------------------------------------------------------------------------------
# The three baseline entry points


def reconcile_driver_balance(driver_name: str, date=None, source: str = "Manual", log: bool = True) -> dict:
	"""Check one driver's balance against the ledger; change nothing but the audit trail.

	``date`` selects a period (default: the driver's open period). For a closed period the balance compared
	is the one its TukTuk Daily Close recorded. A discrepancy is logged (Error Log + record) when ``log``."""
	driver = _driver_row(driver_name)
	period = _period_of(driver, date)
	is_open = _is_open(driver, period)
	balance = driver.current_balance if is_open else _closed_balance(driver_name, period)
	calculated, count = ledger_total(driver_name, period)
	result = _result(driver, period, is_open, balance, calculated, count)
	if result.has_discrepancy and log:
		_log_discrepancy(result, source)
	return result


def fix_driver_balance(
	driver_name: str, date=None, auto_fix=False, source: str = "Manual", commit: bool = False
) -> dict:
	"""Reconcile one driver and, with ``auto_fix`` true, set the balance to the ledger total under the lock.

	Without ``auto_fix`` this is a dry run: it reports (and logs) what a fix would do. Only the open period
	can be fixed: a closed period's balance is history (its Daily Close record), reported, never rewritten.
	``commit`` ends the fix's transaction (callers that hold other locks, the scheduler, HTTP GET)."""
	auto_fix = as_bool(auto_fix)
	if not auto_fix:
		result = reconcile_driver_balance(driver_name, date, source=source)
		result.adjustment = to_money(result.calculated_balance - (result.old_balance or ZERO))
		result.message = (
			_("Dry run: pass auto_fix=1 to set the balance to {0}").format(result.calculated_balance)
			if result.has_discrepancy
			else result.message
		)
		return result
	if commit:
		return _fix_and_commit(driver_name, date, source=source)
	return fix_under_lock(driver_name, date, source=source)


def _fix_and_commit(driver_name: str, date=None, source: str = "Manual", global_target=None) -> dict:
	"""One fix as its own unit of work: committed on success; on a deadlock or lock-wait timeout the
	database has rolled it back, so it is retried from the start (lock, recompute, set) like crediting."""
	for attempt in range(1, FIX_ATTEMPTS + 1):
		try:
			result = fix_under_lock(driver_name, date, source=source, global_target=global_target)
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			frappe.db.rollback()
			if attempt == FIX_ATTEMPTS:
				raise
			time.sleep(random.uniform(0.005, 0.05) * attempt)
			continue
		frappe.db.commit()  # the fix is one unit of work: balance, comment, record and logs together
		return result


def fix_under_lock(driver_name: str, date=None, source: str = "Manual", global_target=None) -> dict:
	"""The fix itself, in the caller's transaction (no commit): lock, recompute, set, audit."""
	driver = ledger.lock_driver(driver_name)  # the same row lock crediting takes
	period = _period_of(driver, date)
	is_open = _is_open(driver, period)
	if not is_open:
		result = reconcile_driver_balance(driver_name, date, source=source)
		result.adjustment = ZERO
		result.message = _("Period {0} is closed: its balance is history and is not rewritten").format(period)
		return result

	calculated, count = ledger_total(driver_name, period, for_update=True)
	result = _result(driver, period, True, driver.current_balance, calculated, count)
	result.adjustment = to_money(calculated - result.old_balance)
	if not result.has_discrepancy:
		return result

	if global_target is None:
		global_target = _global_target()
	ledger.set_balance_by_fix(driver, calculated, effective_daily_target(driver.daily_target, global_target))
	result.update(
		fixed=True,
		new_balance=calculated,
		current_balance=calculated,
		message=_("Balance fixed: {0} → {1}").format(result.old_balance, calculated),
	)
	_log_fix(result, source)
	return result


def balances_against_ledger(period=None, drivers=None) -> list:
	"""Every driver's balance beside its ledger total: ONE grouped query, whatever the number of drivers.

	``period`` None compares each driver's open period; a date compares that period for everyone (the
	driver's balance if it is still open, else the closing balance its Daily Close recorded). ``drivers``
	limits the check to those names (the self-check's scratch drivers)."""
	if period is None:
		join_period = (
			"(t.balance_period = d.balance_period OR (t.balance_period IS NULL AND d.balance_period IS NULL))"
		)
		balance = "d.current_balance"
		values = {"period": None}  # never empty: an empty dict would be taken as "no values" by frappe.db.sql
	else:
		join_period = "t.balance_period = %(period)s"
		balance = f"""CASE WHEN d.balance_period = %(period)s THEN d.current_balance ELSE (
			SELECT MAX(c.closing_balance) FROM `tab{DAILY_CLOSE}` c
			WHERE c.driver = d.name AND c.balance_period = %(period)s) END"""
		values = {"period": period}
	where = ""
	if drivers is not None:
		# one named placeholder per name: portable, where a tuple inside a dict of values is not
		names = {f"driver_{i}": name for i, name in enumerate(drivers)} or {"driver_0": ""}
		where = "WHERE d.name IN ({})".format(", ".join(f"%({key})s" for key in names))
		values.update(names)
	return frappe.db.sql(
		f"""SELECT d.name, d.driver_name, d.balance_period, d.daily_target, {balance} AS balance,
			COALESCE(SUM(t.target_contribution), 0) AS calculated, COUNT(t.name) AS transactions_count
		FROM `tab{DRIVER}` d
		LEFT JOIN `tab{LEDGER}` t
			ON t.driver = d.name AND t.payment_status = 'Completed' AND {join_period}
		{where}
		GROUP BY d.name, d.driver_name, d.balance_period, d.daily_target, d.current_balance
		ORDER BY d.name""",
		values,
		as_dict=True,
	)


def reconcile_all_drivers_balances(
	date=None, auto_fix=False, source: str = "Manual", commit: bool = False, drivers=None
) -> dict:
	"""Reconcile every driver in one grouped query; with ``auto_fix``, fix the discrepant ones under lock.

	Detection costs a constant number of queries; each discrepancy adds its audit rows, each fix its lock,
	re-check and update. The grouped read is only a screen: a fix re-reads the balance and the ledger under
	the driver's lock, so a payment landing between the screen and the fix is neither erased nor "fixed".
	With ``commit`` each fix commits on its own, so no fix holds its locks while waiting for the next, and a
	fix that fails (after its retries) is rolled back, logged and reported in the summary (``drivers_failed``)
	instead of failing the whole call after earlier fixes were committed."""
	auto_fix = as_bool(auto_fix)
	period = getdate(date) if date else None
	rows = balances_against_ledger(period, drivers)
	global_target = None
	results, discrepancies = [], []
	drivers_fixed = 0
	failed = []
	total_discrepancy = ZERO
	for row in rows:
		row_period = period or (getdate(row.balance_period) if row.balance_period else None)
		is_open = period is None or (row.balance_period and getdate(row.balance_period) == period)
		result = _result(
			row, row_period, bool(is_open), row.balance, to_money(row.calculated), int(row.transactions_count)
		)
		if result.has_discrepancy:
			if auto_fix and is_open:
				if global_target is None:
					global_target = _global_target()
				if commit:  # one fix, one unit of work: release this driver before locking the next
					try:
						result = _fix_and_commit(row.name, period, source=source, global_target=global_target)
					except Exception as e:
						frappe.db.rollback()
						frappe.log_error(
							title="Balance Fix Failed",
							message=f"Driver {row.name}:\n{frappe.get_traceback()}",
							reference_doctype=DRIVER,
							reference_name=row.name,
						)
						frappe.db.commit()  # the failure is on record whatever the next fix meets
						result.error = f"{type(e).__name__}: {e}"
						failed.append(result)
				else:
					result = fix_under_lock(row.name, period, source=source, global_target=global_target)
				if not result.has_discrepancy:  # settled by a payment between the screen and the lock
					results.append(result)
					continue
				if result.fixed:
					drivers_fixed += 1
			else:
				_log_discrepancy(result, source)
				if commit:
					frappe.db.commit()  # the detection's audit rows are kept whatever a later fix meets
			discrepancies.append(result)
			total_discrepancy += abs(result.discrepancy)
		results.append(result)

	summary = frappe._dict(
		success=True,
		balance_period=period,
		auto_fix=auto_fix,
		source=source,
		total_drivers=len(rows),
		drivers_checked=len(results),
		drivers_with_discrepancies=len(discrepancies),
		drivers_fixed=drivers_fixed,
		drivers_failed=len(failed),
		total_discrepancy_amount=to_money(total_discrepancy),
		results=results,
		discrepancies=discrepancies,
	)
	summary.message = _("{0} drivers checked, {1} with discrepancies, {2} fixed").format(
		summary.drivers_checked, summary.drivers_with_discrepancies, drivers_fixed
	)
	if failed:
		summary.message += " " + _("{0} could not be fixed (see Error Log: Balance Fix Failed)").format(
			len(failed)
		)
	return summary


def scheduled_reconciliation() -> dict:
	"""Cron job (hooks.py, every 4 hours): report every discrepancy; fix only when
	TukTuk Settings.auto_fix_on_schedule is on. Each fix commits on its own."""
	auto_fix = get_settings().auto_fix_scheduled
	return reconcile_all_drivers_balances(auto_fix=auto_fix, source="Scheduled", commit=True)
