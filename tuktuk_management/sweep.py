"""Every callback kept or swept: the scheduled job that finishes C2B confirmations left behind.

A confirmation is stored and committed (status Received) before it is credited. If the process dies in
between (a killed worker, a restarted database, a lock-wait timeout that outlived the retries) the row stays
Received, or Failed with the error, and nothing else would ever look at it: the driver's balance still equals
the ledger, so reconciliation cannot see a payment that never reached the ledger.

``sweep_callbacks`` (scheduler, every 5 minutes) replays each such row older than ``SWEEP_AFTER`` through the
one replay path (``c2b.replay_callback``: same parse, same driver lock, same crediting unit). Exactly once:

- the replay locks the inbox row (SELECT ... FOR UPDATE) and reads its status again under the lock, so two
  sweeps (or a sweep and a manager's replay) cannot both take it;
- the ledger's unique TransID decides, not the inbox status: a payment already in the ledger is settled as
  Duplicate of it, never credited again.

A row the sweep cannot finish counts ``sweep_attempts``; at ``MAX_SWEEP_ATTEMPTS`` the sweep leaves it to a
manager and raises the alarm: an Error Log titled ``NOT_SWEPT_TITLE`` naming the row, and the health check's
"callback sweep" item FAILs (the workspace's "TukTuk Health Failures" card counts it)."""

import frappe
from frappe.utils import add_to_date, now_datetime

from tuktuk_management import inbox

CALLBACK = inbox.CALLBACK
# Old enough that no live request is still working on it (a confirmation is credited within seconds).
SWEEP_AFTER_MINUTES = 5
MAX_SWEEP_ATTEMPTS = 3
# Rows per run: a backlog drains over a few runs rather than holding one job for long.
BATCH = 200
SWEPT_TYPES = ("C2B Confirmation", "Manual Entry")
PENDING = ("Received", "Failed")
NOT_SWEPT_TITLE = "TukTuk Callback Not Swept"


def sweep_callbacks(now=None) -> dict:
	"""Scheduler: replay every pending confirmation older than SWEEP_AFTER_MINUTES. Returns the counts."""
	cutoff = add_to_date(now or now_datetime(), minutes=-SWEEP_AFTER_MINUTES)
	names = frappe.get_all(
		CALLBACK,
		filters={
			"status": ("in", PENDING),
			"callback_type": ("in", SWEPT_TYPES),
			"creation": ("<", cutoff),
			"sweep_attempts": ("<", MAX_SWEEP_ATTEMPTS),
		},
		pluck="name",
		order_by="creation asc",
		limit=BATCH,
	)
	counts = {"found": len(names)}
	for name in names:
		outcome = sweep_one(name)
		counts[outcome] = counts.get(outcome, 0) + 1
	return counts


def sweep_one(name: str) -> str:
	"""Finish one pending inbox row. Returns what became of it: the inbox status it ended in (Processed,
	Duplicate, Uncaptured, Rejected), "skipped" (someone else finished it first) or "failed"."""
	from tuktuk_management import c2b

	# Boundary: the sweep starts every row from a clean transaction (crediting requires one).
	frappe.db.commit()
	attempts = frappe.db.get_value(CALLBACK, name, "sweep_attempts")
	try:
		# Locks the row and reads its status again under the lock.
		c2b.replay_callback(name)
	except c2b.NotReplayable:
		frappe.db.rollback()
		return "skipped"
	except c2b.MalformedPayload as e:
		# A body that cannot be a payment (the process died before it was rejected): rejected now, as the
		# confirmation itself would have done; nothing to credit.
		frappe.db.rollback()
		inbox.mark(name, "Rejected", error=str(e))
		frappe.db.commit()  # Boundary: the rejection is on record.
		return "Rejected"
	except Exception as e:
		frappe.db.rollback()
		_count_failure(name, int(attempts or 0) + 1, e)
		return "failed"
	frappe.db.commit()
	return frappe.db.get_value(CALLBACK, name, "status") or "skipped"


def _count_failure(name: str, attempts: int, error: Exception) -> None:
	"""Count a failed sweep on the row; at the limit, raise the alarm once."""
	frappe.db.set_value(CALLBACK, name, "sweep_attempts", attempts, update_modified=False)
	if attempts >= MAX_SWEEP_ATTEMPTS:
		row = frappe.db.get_value(CALLBACK, name, ["trans_id", "amount", "status", "error"], as_dict=True)
		frappe.log_error(
			title=NOT_SWEPT_TITLE,
			message=(
				f"TukTuk Callback {name} (TransID {row.trans_id}, amount {row.amount}) is still {row.status} "
				f"after {attempts} sweeps; last error: {type(error).__name__}: {error}\n{row.error or ''}\n"
				"The sweep has stopped retrying it: fix the cause, then replay it from the TukTuk Callback "
				"(Replay), which credits it exactly once."
			),
			reference_doctype=CALLBACK,
			reference_name=name,
		)
	frappe.db.commit()  # Boundary: the attempt (and the alarm) survive the failed replay.


def unfinished(limit: int = 5) -> tuple[int, list[str]]:
	"""Pending rows the sweep gave up on: how many, and the oldest names (for the health check)."""
	filters = {
		"status": ("in", PENDING),
		"callback_type": ("in", SWEPT_TYPES),
		"sweep_attempts": (">=", MAX_SWEEP_ATTEMPTS),
	}
	count = frappe.db.count(CALLBACK, filters)
	names = frappe.get_all(CALLBACK, filters=filters, pluck="name", order_by="creation asc", limit=limit)
	return count, names
