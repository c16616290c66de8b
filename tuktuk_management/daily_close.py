"""Daily close: at the start of each business day, close every active driver's period and open the next.

Per driver, the ledger's ``close_period`` under the driver's row lock (the lock crediting takes): record a
TukTuk Daily Close (closing balance, target, target met, consecutive misses), reset ``current_balance`` to 0
and ``left_to_target`` to the target, and open the new period (``balance_period`` = the new business date in
the site time zone).
Crediting reads ``balance_period`` from the locked driver row, so a payment is credited to the period that was
open when its lock was taken: before the close it is in the closing balance, after it in the new period.

Idempotent per business date: a driver whose open period is already that date is skipped (checked again
under the lock, so two concurrent runs close each driver once).
"""

import frappe
from frappe.utils import getdate

from tuktuk_management import ledger
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import SETTINGS, get_settings

DRIVER = ledger.DRIVER


def run_daily_close(date=None, commit: bool = True) -> dict:
	"""Cron job (hooks.py, start of the business day): close every active driver behind ``date``.

	``date`` defaults to the current business date. Each driver is its own unit of work (committed when
	``commit``), so the job holds one driver lock at a time and a rerun after a crash finishes the rest.
	Finally sets TukTuk Settings.last_daily_reset_date. Idempotent and cheap once done (one query), so it may
	be scheduled more often than daily: it closes at the first run after the business day starts."""
	settings = get_settings()
	new_period = getdate(date) if date else settings.business_date()
	global_target = settings.global_target
	behind = frappe.db.sql(
		f"""SELECT name FROM `tab{DRIVER}`
		WHERE status = 'Active' AND (balance_period IS NULL OR balance_period < %s)
		ORDER BY name""",
		(new_period,),
		pluck=True,
	)
	closed = []
	for driver_name in behind:
		result = ledger.close_period(driver_name, new_period, global_target)
		if result:
			closed.append(result)
		if commit:
			frappe.db.commit()  # one driver closed: release its lock before taking the next
	if settings.last_close_date != new_period:  # cheap when run often: nothing to write once done
		frappe.db.set_single_value(SETTINGS, "last_daily_reset_date", new_period)
	if commit:
		frappe.db.commit()  # the run is recorded as done for this business date
	return frappe._dict(
		business_date=new_period,
		drivers_closed=len(closed),
		targets_met=sum(1 for c in closed if c.target_met),
		closed=closed,
	)
