# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt
"""Driver Balance Reconciliation: every driver's balance beside its ledger total, read only.

One grouped query (reconciliation.balances_against_ledger), so it is cheap for any fleet. It logs nothing and
fixes nothing: fixing is the managers' "Fix Balance" action (fix_driver_balance), under the row lock."""

import frappe
from frappe import _
from frappe.utils import getdate

from tuktuk_management.kes import CURRENCY_COLUMN, in_kes, money_column
from tuktuk_management.money import to_money
from tuktuk_management.reconciliation import balances_against_ledger


def execute(filters=None):
	filters = frappe._dict(filters or {})
	period = getdate(filters.balance_period) if filters.balance_period else None
	return get_columns(), get_data(period, bool(int(filters.only_discrepancies or 0)))


def get_columns():
	return [
		{
			"fieldname": "driver",
			"label": _("Driver"),
			"fieldtype": "Link",
			"options": "TukTuk Driver",
			"width": 130,
		},
		{"fieldname": "driver_name", "label": _("Name"), "fieldtype": "Data", "width": 180},
		{"fieldname": "balance_period", "label": _("Period"), "fieldtype": "Date", "width": 110},
		money_column("current_balance", _("Balance")),
		money_column("calculated_balance", _("Ledger Total")),
		money_column("discrepancy", _("Discrepancy")),
		{"fieldname": "transactions_count", "label": _("Ledger Rows"), "fieldtype": "Int", "width": 100},
		CURRENCY_COLUMN,
	]


def get_data(period=None, only_discrepancies=False):
	data = []
	for row in balances_against_ledger(period):
		balance = None if row.balance is None else to_money(row.balance)
		calculated = to_money(row.calculated)
		discrepancy = to_money(balance - calculated) if balance is not None else None
		if only_discrepancies and not discrepancy:
			continue
		data.append(
			{
				"driver": row.name,
				"driver_name": row.driver_name,
				"balance_period": period or row.balance_period,
				"current_balance": balance,
				"calculated_balance": calculated,
				"discrepancy": discrepancy,
				"transactions_count": int(row.transactions_count),
			}
		)
	return in_kes(data)
