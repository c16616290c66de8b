"""[post_model_sync] The original's ledger rows and drivers get their balance periods, so that every balance
equals the ledger's total for its open period from the first commit after the migrate (the invariant our
reconciliation checks) without changing any balance.

The original had no periods: its daily reset (``0 0 * * *``, site time) zeroed every balance and stamped
TukTuk Settings.last_daily_reset_date; a payment counted toward the day whose reset came before it was
CREDITED (its row's ``creation``), whatever its TransTime says. So, for the original's rows (assigned by the
original's rule, which is what its balances reflect; our own rule, the business day starting at
``operating_hours_start``, applies from the upgrade on):

- P, the open period = last_daily_reset_date (today if it never ran); R = when that reset started (its
  "Target Reset - Started" log), or P 00:00 when the logs are gone;
- a row credited at or after R is in P; an older row is in the day of the last reset that started before
  it was credited (from the same logs), or the calendar day it was credited when there is no such log
  (the original reset at midnight);
- every driver's open period is P; where its balance and the Completed rows of P differ, one opening row
  says by how much (ledger.adopt_original_balance), and left_to_target is recomputed.
Rows of substitute drivers and archived drivers get their period by the same rule; they count toward no
driver's balance. The first close after the upgrade (our daily close, at the start of the next business day)
closes P with the balance the original left plus what came in since."""

import frappe
from frappe.utils import get_datetime, getdate, now_datetime

from tuktuk_management import ledger
from tuktuk_management.patches.v2_0.original_app import (
	LEGACY_SETTINGS,
	SETTINGS,
	is_original_site,
	report,
	set_single_raw,
)

RESET_STARTED = "Target Reset - Started"


def execute():
	if not is_original_site():
		return
	period, reset_moment = open_period()
	set_single_raw(LEGACY_SETTINGS, "upgrade_period", str(period))
	set_single_raw(LEGACY_SETTINGS, "upgrade_reset_moment", str(reset_moment))
	rows = assign_rows(period, reset_moment)
	global_target = frappe.db.get_single_value(SETTINGS, "global_daily_target") or 0
	drivers = []
	for name in frappe.get_all("TukTuk Driver", pluck="name", order_by="name"):
		result = ledger.adopt_original_balance(name, period, global_target)
		drivers.append(result)
	frappe.db.commit()  # Boundary: every driver's period and opening row together.
	report(
		"balance_periods",
		{
			"open_period": period,
			"reset_started": reset_moment,
			"rows_by_period": rows,
			"drivers": [
				{k: d[k] for k in ("driver", "balance", "ledger_total", "opening_row", "opening_amount")}
				for d in drivers
			],
		},
	)


def open_period():
	last = frappe.db.get_single_value(SETTINGS, "last_daily_reset_date")
	period = getdate(last) if last else getdate(now_datetime())
	started = frappe.db.sql(
		"select max(creation) from `tabError Log` where method=%s and date(creation)=%s",
		(RESET_STARTED, period),
	)[0][0]
	return period, get_datetime(started) if started else get_datetime(f"{period} 00:00:00")


def assign_rows(period, reset_moment) -> dict:
	"""Each row's period by the original's rule (module docstring), written by the ledger."""
	resets = [
		get_datetime(moment)
		for moment in frappe.db.sql(
			"select creation from `tabError Log` where method=%s and creation < %s order by creation",
			(RESET_STARTED, reset_moment),
			pluck=True,
		)
	]
	ledger.assign_original_periods(period, reset_moment, resets)
	return {
		str(p): n
		for p, n in frappe.db.sql(
			"select balance_period, count(*) from `tabTukTuk Transaction` group by balance_period order by balance_period"
		)
	}
