"""Reconcile every driver from Desk or a console, in chunks: progress as it goes, a summary at the end.

The work per chunk is ``reconciliation.reconcile_all_drivers_balances`` (one grouped read, each fix its own
locked and committed unit); this module only cuts the fleet into chunks and reports. From Desk a small fleet
is reconciled in the request; a large one runs as a background job on the long queue, with Frappe's progress
bar (``frappe.publish_progress``) and a message to the manager who started it when it ends."""

import json
import sys

import frappe
from frappe import _

from tuktuk_management import reconciliation
from tuktuk_management.kes import kes
from tuktuk_management.money import ZERO, to_money

CHUNK = 200
# Above this many drivers Desk does not wait for the answer: the job runs on a worker.
INLINE_LIMIT = 500
JOB_ID = "tuktuk-reconcile-all"


def run(auto_fix=False, date=None, source: str = "Manual", on_progress=None) -> frappe._dict:
	"""Every driver, CHUNK at a time. ``on_progress(done, total)`` after each chunk."""
	auto_fix = reconciliation.as_bool(auto_fix)
	names = frappe.get_all("TukTuk Driver", pluck="name", order_by="name asc")
	summary = frappe._dict(
		auto_fix=auto_fix,
		total_drivers=len(names),
		drivers_checked=0,
		drivers_with_discrepancies=0,
		drivers_fixed=0,
		total_discrepancy_amount=ZERO,
		discrepancies=[],
	)
	for start in range(0, len(names), CHUNK):
		part = reconciliation.reconcile_all_drivers_balances(
			date or None, auto_fix=auto_fix, source=source, commit=True, drivers=names[start : start + CHUNK]
		)
		frappe.db.commit()  # the chunk's audit rows are kept whatever a later chunk meets
		summary.drivers_checked += part.drivers_checked
		summary.drivers_with_discrepancies += part.drivers_with_discrepancies
		summary.drivers_fixed += part.drivers_fixed
		summary.total_discrepancy_amount = to_money(
			summary.total_discrepancy_amount + part.total_discrepancy_amount
		)
		summary.discrepancies += [
			{
				"driver": r.driver,
				"driver_name": r.driver_name,
				"old_balance": r.old_balance,
				"calculated_balance": r.calculated_balance,
				"discrepancy": r.discrepancy,
				"fixed": bool(r.fixed),
			}
			for r in part.discrepancies
		]
		if on_progress:
			on_progress(summary.drivers_checked, len(names))
	summary.message = describe(summary)
	return summary


def describe(summary) -> str:
	return _("{0} drivers checked, {1} with discrepancies ({2} in all), {3} fixed").format(
		summary.drivers_checked,
		summary.drivers_with_discrepancies,
		kes(summary.total_discrepancy_amount),
		summary.drivers_fixed,
	)


def start_from_desk(auto_fix=False, date=None) -> dict:
	"""Desk's "Reconcile all": the summary now for a small fleet, else a background job (``queued``)."""
	auto_fix = reconciliation.as_bool(auto_fix)
	count = frappe.db.count("TukTuk Driver")
	if count <= INLINE_LIMIT:
		return {"queued": False, **run(auto_fix, date)}
	frappe.enqueue(
		"tuktuk_management.reconcile_all_job.background",
		queue="long",
		timeout=3600,
		job_id=JOB_ID,
		deduplicate=True,
		now=bool(frappe.flags.in_test),  # Frappe's idiom: a test runs the job where it can see it
		auto_fix=auto_fix,
		date=date or None,
		user=frappe.session.user,
	)
	return {"queued": True, "total_drivers": count, "auto_fix": auto_fix}


def background(auto_fix=False, date=None, user=None) -> dict:
	"""The worker's job: the progress bar in the starting manager's Desk, then the summary as a message."""
	title = _("Fixing balances") if reconciliation.as_bool(auto_fix) else _("Checking balances")

	def progress(done, total):
		frappe.publish_progress(
			done * 100 / max(total, 1), title=title, description=_("{0} of {1} drivers").format(done, total)
		)

	summary = run(auto_fix, date, on_progress=progress)
	frappe.publish_realtime(
		"msgprint", {"title": _("Reconcile all: done"), "message": summary.message}, user=user
	)
	return summary


def console(auto_fix=False, date=None, as_json=False):
	"""``bench --site S execute tuktuk_management.reconcile_all_job.console --kwargs "{'auto_fix': 0}"``:
	a progress bar on stderr, then a table of the discrepancies (or the summary as JSON with ``as_json``)."""

	def progress(done, total):
		width = 30
		filled = width * done // max(total, 1)
		sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} drivers")
		sys.stderr.flush()

	summary = run(auto_fix, date, on_progress=progress)
	sys.stderr.write("\n")
	if reconciliation.as_bool(as_json):
		print(json.dumps(summary, default=str, indent=1))
		return
	print(table(summary.discrepancies))
	print(summary.message)


def table(rows: list[dict]) -> str:
	"""The discrepancies as an aligned text table."""
	header = ("Driver", "Name", "Balance", "Ledger", "Discrepancy", "Fixed")
	lines = [
		(
			r["driver"],
			r["driver_name"] or "",
			str(r["old_balance"]),
			str(r["calculated_balance"]),
			str(r["discrepancy"]),
			"yes" if r["fixed"] else "no",
		)
		for r in rows
	]
	widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
	fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
	return "\n".join(fmt.format(*line) for line in [header, *lines]) if lines else _("No discrepancies")
