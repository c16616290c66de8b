# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt
"""Uncaptured Payments: money received that no driver has been credited with yet (unknown account, no
driver on the vehicle, or a crediting that failed). Each row opens its callback, where "Assign to Driver" or
"Replay" settles it."""

from frappe import _

from tuktuk_management import dashboard
from tuktuk_management.kes import CURRENCY_COLUMN, in_kes, money_column
from tuktuk_management.money import to_money


def execute(filters=None):
	rows = [
		{
			"callback": r.name,
			"status": r.status,
			"trans_id": r.trans_id,
			"account": r.bill_ref_number,
			"phone": r.msisdn,
			"amount": to_money(r.amount),
			"trans_time": r.trans_time,
			"reason": r.error,
		}
		for r in dashboard.uncaptured_payments()
	]
	return get_columns(), in_kes(rows)


def get_columns():
	return [
		{
			"fieldname": "callback",
			"label": _("Callback"),
			"fieldtype": "Link",
			"options": "TukTuk Callback",
			"width": 150,
		},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 100},
		{"fieldname": "trans_id", "label": _("M-Pesa ID"), "fieldtype": "Data", "width": 130},
		{"fieldname": "account", "label": _("Account"), "fieldtype": "Data", "width": 120},
		{"fieldname": "phone", "label": _("Phone"), "fieldtype": "Data", "width": 130},
		money_column("amount", _("Amount")),
		{"fieldname": "trans_time", "label": _("Paid At"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "reason", "label": _("Why Uncaptured"), "fieldtype": "Data", "width": 280},
		CURRENCY_COLUMN,
	]
