"""Whitelisted reconciliation and statement endpoints (managers only).

Thin: check the role, parse arguments, call the domain module. What can change a balance (a fix, reconcile-all
with ``auto_fix``) answers POST only, so a link or a prefetch cannot trigger it (Frappe answers a GET 403). ``tuktuk_management.api.tuktuk`` star-imports
this module, so the baseline's dotted paths (``tuktuk_management.api.tuktuk.fix_driver_balance`` ...) work.
"""

import frappe

from tuktuk_management import reconcile_all_job, reconciliation, statement
from tuktuk_management.api import arguments, door

__all__ = [
	"reconcile_driver_balance",
	"fix_driver_balance",
	"reconcile_all_drivers_balances",
	"download_driver_statement",
	"reconcile_all_from_desk",
]


@frappe.whitelist()
def reconcile_driver_balance(driver_name: str | None = None, date: str | None = None):
	"""Check one driver's balance against the ledger (``date``: a period; default the open one)."""
	door.require_manager()
	door.keep_audit_trail()
	return reconciliation.reconcile_driver_balance(
		arguments.existing("TukTuk Driver", driver_name, "Driver"), arguments.date(date, "Date")
	)


@frappe.whitelist(methods=["POST"])
def fix_driver_balance(driver_name: str | None = None, date: str | None = None, auto_fix=False):
	"""Set one driver's balance to the ledger total under the row lock; a dry run unless ``auto_fix``."""
	door.require_manager()
	return reconciliation.fix_driver_balance(
		arguments.existing("TukTuk Driver", driver_name, "Driver"),
		arguments.date(date, "Date"),
		auto_fix=reconciliation.as_bool(auto_fix),
		commit=True,
	)


@frappe.whitelist(methods=["POST"])
def reconcile_all_drivers_balances(date: str | None = None, auto_fix=False):
	"""Reconcile every driver (one grouped query); fix the discrepant ones when ``auto_fix``."""
	door.require_manager()
	return reconciliation.reconcile_all_drivers_balances(
		arguments.date(date, "Date"), auto_fix=reconciliation.as_bool(auto_fix), commit=True
	)


@frappe.whitelist(methods=["POST"])
def reconcile_all_from_desk(auto_fix=False, date: str | None = None):
	"""Desk's "Reconcile all": the summary now, or a background job with a progress bar for a large fleet.
	``auto_fix`` arrives as text from a form ("0", "false"): only a true value fixes."""
	door.require_manager()
	return reconcile_all_job.start_from_desk(reconciliation.as_bool(auto_fix), arguments.date(date, "Date"))


@frappe.whitelist()
def download_driver_statement(
	driver: str | None = None, from_date: str | None = None, to_date: str | None = None
):
	"""The driver's credited ledger rows for a period range as a CSV download (default: the open period).

	Frappe's response layer (frappe/utils/response.py ``as_csv``) sends ``response["result"]`` as text/csv
	named ``response["doctype"] + ".csv"``; ``filename`` is set as well for clients that read it."""
	door.require_manager()
	data = statement.get_statement(
		arguments.existing("TukTuk Driver", driver, "Driver"),
		arguments.date(from_date, "From Date"),
		arguments.date(to_date, "To Date"),
	)
	name = statement.statement_filename(data)
	frappe.response["type"] = "csv"
	frappe.response["doctype"] = name
	frappe.response["filename"] = f"{name}.csv"
	frappe.response["result"] = statement.statement_csv(data)
