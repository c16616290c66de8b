"""The manager dashboard page ``/tuktuk`` (www/tuktuk.html): the door for a page, as the other modules of
api/ are for methods. Guests get the sign-in form, non-managers are refused (403), managers the day's view.

Server-rendered on both runtimes (a real bench and frappe_lite, which serves no Desk): every number comes
from ``tuktuk_management.dashboard``; every action the page's JavaScript takes is a POST to the same
whitelisted methods Desk calls (CSRF token from the session), so the rules are the same everywhere."""

import frappe
import frappe.sessions
from frappe import _

from tuktuk_management import dashboard
from tuktuk_management.api import door
from tuktuk_management.kes import kes
from tuktuk_management.money import to_money

# The page lists at most this many drivers (discrepant ones first, then by ID); a search (?q=) narrows the
# list to any driver of a fleet of any size, and the reports show everything.
DRIVER_ROWS = 300


def page_context(context) -> dict:
	context.no_cache = 1
	context.title = _("TukTuk Manager")
	if frappe.session.user == "Guest":
		context.signed_in = False
		return context
	door.require_manager()  # frappe.PermissionError: both runtimes answer 403 "Not Permitted"
	context.signed_in = True
	context.user = frappe.session.user
	context.csrf_token = frappe.sessions.get_csrf_token()
	today = dashboard.payments_on()
	context.today = {"count": today.count, "total": kes(today.total)}
	context.search = (frappe.form_dict.get("q") or "").strip()
	context.drivers, context.drivers_total = drivers(context.search)
	context.discrepancies = sum(1 for d in context.drivers if d["discrepant"])
	context.uncaptured = [
		{
			"name": r.name,
			"trans_id": r.trans_id,
			"account": r.bill_ref_number or "",
			"phone": r.msisdn or "",
			"amount": str(to_money(r.amount)),
			"amount_kes": kes(r.amount),
			"status": r.status,
			"reason": r.error or "",
		}
		for r in dashboard.uncaptured_payments()
	]
	context.payouts = [
		{
			"name": r.name,
			"driver": r.driver,
			"status": r.status,
			"amount_kes": kes(r.amount),
			"reason": r.reason,
			"can_retry": r.status in ("Failed", "Queued"),
			"can_query": r.status in ("Sent", "Unknown"),
		}
		for r in dashboard.payouts_needing_attention()
	]
	context.driver_choices = [{"name": d["name"], "label": d["label"]} for d in context.drivers]
	return context


def drivers(search: str = "") -> tuple[list[dict], int]:
	"""The rows shown (at most DRIVER_ROWS) and how many drivers match `search` (ID or name, any case)."""
	from tuktuk_management.reconciliation import balances_against_ledger

	needle = search.casefold()
	rows = []
	for r in balances_against_ledger():
		if needle and needle not in f"{r.name} {r.driver_name or ''}".casefold():
			continue
		balance, ledger = to_money(r.balance), to_money(r.calculated)
		rows.append(
			{
				"name": r.name,
				"label": f"{r.driver_name or r.name} ({r.name})",
				"driver_name": r.driver_name or "",
				"period": str(r.balance_period or ""),
				"balance": str(balance),
				"ledger": str(ledger),
				"balance_kes": kes(balance),
				"ledger_kes": kes(ledger),
				"discrepancy_kes": kes(balance - ledger),
				"discrepant": balance != ledger,
				"payments": int(r.transactions_count),
			}
		)
	rows.sort(key=lambda d: (not d["discrepant"], d["name"]))
	return rows[:DRIVER_ROWS], len(rows)
