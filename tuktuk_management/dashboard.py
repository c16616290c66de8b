"""What a manager looks at first: the day's payments, what waits for a hand, what went wrong.

Read only, a few small queries each (portable: they run on SQLite in `make test` and on MariaDB), shared by
the workspace's number cards (api/dashboard.py), the Script Reports and the /tuktuk page. Amounts are Decimal."""

import datetime

import frappe
from frappe.utils import add_to_date, get_datetime, getdate, now_datetime

from tuktuk_management.money import ZERO, to_money
from tuktuk_management.reconciliation import balances_against_ledger

# A payout that has waited this long for its next step is overdue (a Result that never came, a send stuck).
OVERDUE_MINUTES = 30
PAYMENTS = ("C2B Confirmation", "Manual Entry")
IN_DOUBT = ("Sent", "Unknown")


def day_bounds(day=None) -> tuple[datetime.datetime, datetime.datetime]:
	"""[start, end) of a calendar day in the site's time zone (default today)."""
	start = datetime.datetime.combine(getdate(day) if day else now_datetime().date(), datetime.time())
	return start, start + datetime.timedelta(days=1)


def payments_on(day=None) -> frappe._dict:
	"""Completed ledger rows (M-Pesa payments credited) whose payment time falls on ``day``: count, total."""
	start, end = day_bounds(day)
	row = frappe.db.sql(
		"""SELECT COUNT(name) AS n, COALESCE(SUM(amount), 0) AS total FROM `tabTukTuk Transaction`
		WHERE payment_status = 'Completed' AND timestamp >= %(start)s AND timestamp < %(end)s""",
		{"start": start, "end": end},
		as_dict=True,
	)[0]
	return frappe._dict(count=int(row.n or 0), total=to_money(row.total))


def payments_by_hour(day=None) -> list[tuple[int, int, object]]:
	"""(hour, count, total) for each hour of ``day`` (24 rows, empty hours included)."""
	start, end = day_bounds(day)
	rows = frappe.get_all(
		"TukTuk Transaction",
		filters={"payment_status": "Completed", "timestamp": ["between", [start, end]]},
		fields=["timestamp", "amount"],
	)
	hours = {h: [0, ZERO] for h in range(24)}
	for r in rows:
		moment = get_datetime(r.timestamp)
		if not (start <= moment < end):
			continue
		hours[moment.hour][0] += 1
		hours[moment.hour][1] += to_money(r.amount)
	return [(h, n, to_money(total)) for h, (n, total) in hours.items()]


def uncaptured_payments() -> list:
	"""Payments received but credited to nobody (unknown account, no driver, crediting failed): the work queue."""
	return frappe.get_all(
		"TukTuk Callback",
		filters={"callback_type": ["in", PAYMENTS], "status": ["in", ["Uncaptured", "Failed"]]},
		fields=[
			"name",
			"status",
			"trans_id",
			"bill_ref_number",
			"msisdn",
			"amount",
			"trans_time",
			"error",
			"creation",
		],
		order_by="creation asc",
	)


def uncaptured_count() -> int:
	return frappe.db.count(
		"TukTuk Callback", {"callback_type": ["in", PAYMENTS], "status": ["in", ["Uncaptured", "Failed"]]}
	)


def payouts_needing_attention(now=None) -> list:
	"""Payouts a manager should look at, each with ``reason``: Failed; in doubt (Unknown, or Sent with no
	Result after OVERDUE_MINUTES); Queued for longer than that; On Hold (waiting for a release or M-Pesa's
	confirmation of the payment)."""
	now = get_datetime(now) if now else now_datetime()
	overdue = add_to_date(now, minutes=-OVERDUE_MINUTES)
	rows = frappe.get_all(
		"TukTuk Payout",
		filters={"status": ["in", ["Failed", "Unknown", "Sent", "Queued", "On Hold"]]},
		fields=[
			"name",
			"driver",
			"status",
			"amount",
			"phone",
			"attempts",
			"last_error",
			"last_attempt_at",
			"next_attempt_at",
			"creation",
			"transaction",
		],
		order_by="creation asc",
	)
	out = []
	for r in rows:
		since = get_datetime(r.last_attempt_at or r.creation)
		if r.status == "Failed":
			r.reason = "Failed: M-Pesa paid nothing"
		elif r.status == "Unknown":
			r.reason = "In doubt: M-Pesa may have paid; query its status"
		elif r.status == "Sent" and since < overdue:
			r.reason = "In doubt: no Result from M-Pesa yet"
		elif r.status == "Queued" and since < overdue:
			r.reason = "Queued too long"
		elif r.status == "On Hold":
			r.reason = "On Hold: waiting for a release"
		else:
			continue
		r.amount = to_money(r.amount)
		out.append(r)
	return out


def failed_or_in_doubt_count(now=None) -> int:
	return sum(1 for r in payouts_needing_attention(now) if r.status in ("Failed", *IN_DOUBT))


def discrepant_drivers() -> list:
	"""Drivers whose balance is not their ledger total (open periods; one grouped query)."""
	out = []
	for row in balances_against_ledger():
		balance, calculated = to_money(row.balance), to_money(row.calculated)
		if balance != calculated:
			row.balance, row.calculated, row.discrepancy = balance, calculated, to_money(balance - calculated)
			out.append(row)
	return out
