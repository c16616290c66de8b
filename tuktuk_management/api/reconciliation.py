"""Whitelisted reconciliation and statement endpoints (managers only).

Thin: check the role, parse arguments, call the domain module. ``tuktuk_management.api.tuktuk`` star-imports
this module, so the baseline's dotted paths (``tuktuk_management.api.tuktuk.fix_driver_balance`` ...) work.
"""

import frappe

from tuktuk_management import reconciliation, statement

__all__ = [
	"reconcile_driver_balance",
	"fix_driver_balance",
	"reconcile_all_drivers_balances",
	"download_driver_statement",
]

MANAGER_ROLES = ("TukTuk Manager", "System Manager")


def _keep_audit_trail() -> None:
	"""Commit this request even when it is a GET: a detected discrepancy leaves an Error Log and a
	reconciliation record, and a GET is otherwise rolled back (frappe.app.sync_database)."""
	frappe.local.flags.commit = True


@frappe.whitelist()
def reconcile_driver_balance(driver_name: str, date: str | None = None):
	"""Check one driver's balance against the ledger (``date``: a period; default the open one)."""
	frappe.only_for(MANAGER_ROLES)
	_keep_audit_trail()
	return reconciliation.reconcile_driver_balance(driver_name, date or None)


@frappe.whitelist()
def fix_driver_balance(driver_name: str, date: str | None = None, auto_fix=False):
	"""Set one driver's balance to the ledger total under the row lock; a dry run unless ``auto_fix``."""
	frappe.only_for(MANAGER_ROLES)
	_keep_audit_trail()
	return reconciliation.fix_driver_balance(
		driver_name, date or None, auto_fix=reconciliation.as_bool(auto_fix), commit=True
	)


@frappe.whitelist()
def reconcile_all_drivers_balances(date: str | None = None, auto_fix=False):
	"""Reconcile every driver (one grouped query); fix the discrepant ones when ``auto_fix``."""
	frappe.only_for(MANAGER_ROLES)
	_keep_audit_trail()
	return reconciliation.reconcile_all_drivers_balances(
		date or None, auto_fix=reconciliation.as_bool(auto_fix), commit=True
	)


@frappe.whitelist()
def download_driver_statement(driver: str, from_date: str | None = None, to_date: str | None = None):
	"""The driver's credited ledger rows for a period range as a CSV download (default: the open period).

	Frappe's response layer (frappe/utils/response.py ``as_csv``) sends ``response["result"]`` as text/csv
	named ``response["doctype"] + ".csv"``; ``filename`` is set as well for clients that read it."""
	frappe.only_for(MANAGER_ROLES)
	data = statement.get_statement(driver, from_date or None, to_date or None)
	name = statement.statement_filename(data)
	frappe.response["type"] = "csv"
	frappe.response["doctype"] = name
	frappe.response["filename"] = f"{name}.csv"
	frappe.response["result"] = statement.statement_csv(data)
