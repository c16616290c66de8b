# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt
"""Driver Statement: one driver's credited payments over a range of balance periods, with the running
balance of each period (the sum of its target contributions, as crediting and reconciliation count it). The
rows are exactly the statement CSV's (statement.get_statement), so the open period's running balance ends at
the driver's current balance."""

import frappe
from frappe import _

from tuktuk_management import statement
from tuktuk_management.kes import CURRENCY_COLUMN, in_kes, kes, money_column
from tuktuk_management.money import ZERO


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not filters.driver:
		return get_columns(), []
	data = statement.get_statement(filters.driver, filters.from_date or None, filters.to_date or None)
	rows, running, period = [], ZERO, None
	for r in data.rows:
		if r.balance_period != period:  # each balance period starts from zero (the daily close ends it)
			period, running = r.balance_period, ZERO
		running += r.target_contribution
		rows.append({**r, "running_balance": running})
	message = _("{0} transactions; the open period's balance is {1}").format(
		data.transactions_count, kes(data.current_balance)
	)
	return get_columns(), in_kes(rows), message


def get_columns():
	return [
		{"fieldname": "balance_period", "label": _("Period"), "fieldtype": "Date", "width": 100},
		{"fieldname": "timestamp", "label": _("Paid At"), "fieldtype": "Datetime", "width": 160},
		{"fieldname": "transaction_id", "label": _("M-Pesa ID"), "fieldtype": "Data", "width": 130},
		{"fieldname": "transaction_type", "label": _("Type"), "fieldtype": "Data", "width": 90},
		{
			"fieldname": "tuktuk",
			"label": _("TukTuk"),
			"fieldtype": "Link",
			"options": "TukTuk Vehicle",
			"width": 100,
		},
		money_column("amount", _("Amount")),
		money_column("driver_share", _("Driver Share")),
		money_column("target_contribution", _("To Target")),
		{
			"fieldname": "running_balance",
			"label": _("Balance"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 120,
			"disable_total": 1,  # a running balance does not add up (frappe.utils.report_column_total)
		},
		CURRENCY_COLUMN,
	]
