# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt
"""Payouts Needing Attention: Failed, in doubt (Unknown, or Sent with no Result for a while), Queued too long,
On Hold. The payout's form has the action each needs (Retry, Query Status, Release), through the outbox's rules."""

from collections import Counter

from frappe import _

from tuktuk_management import dashboard
from tuktuk_management.kes import CURRENCY_COLUMN, in_kes, money_column


def execute(filters=None):
	rows = [
		{
			"payout": r.name,
			"driver": r.driver,
			"status": r.status,
			"amount": r.amount,
			"phone": r.phone,
			"attempts": r.attempts or 0,
			"reason": r.reason,
			"last_attempt_at": r.last_attempt_at,
			"last_error": r.last_error,
		}
		for r in dashboard.payouts_needing_attention()
	]
	return get_columns(), in_kes(rows), None, chart(rows)


def chart(rows):
	if not rows:
		return None
	counts = Counter(r["status"] for r in rows)
	return {
		"data": {
			"labels": list(counts),
			"datasets": [{"name": _("Payouts"), "values": list(counts.values())}],
		},
		"type": "bar",
	}


def get_columns():
	return [
		{
			"fieldname": "payout",
			"label": _("Payout"),
			"fieldtype": "Link",
			"options": "TukTuk Payout",
			"width": 150,
		},
		{
			"fieldname": "driver",
			"label": _("Driver"),
			"fieldtype": "Link",
			"options": "TukTuk Driver",
			"width": 120,
		},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 90},
		money_column("amount", _("Amount")),
		{"fieldname": "phone", "label": _("Phone"), "fieldtype": "Data", "width": 130},
		{"fieldname": "attempts", "label": _("Attempts"), "fieldtype": "Int", "width": 80},
		{"fieldname": "reason", "label": _("Needs"), "fieldtype": "Data", "width": 280},
		{"fieldname": "last_attempt_at", "label": _("Last Attempt"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "last_error", "label": _("Last Error"), "fieldtype": "Data", "width": 220},
		CURRENCY_COLUMN,
	]
