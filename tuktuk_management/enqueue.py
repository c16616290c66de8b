"""Background jobs started once the money they act on is committed, without letting a Redis outage undo
the answer.

``frappe.enqueue(..., enqueue_after_commit=True)`` pushes the job from inside ``frappe.db.commit()``: with
Redis down the push raises out of the commit, AFTER the credit is durable, and the caller then reports a
committed credit as failed (a reply "held for replay" to Safaricom, a 500 to a manager). Every job started
here has a scheduled sweep that finds its work in the database (Queued payouts: ``retry_due_payouts``;
Pending checks: ``retry_unanswered_verifications``), so a job that cannot be pushed is only late: it is
recorded in an Error Log, not raised."""

import functools

import frappe


def enqueue_after_commit(method: str, *, queue: str, log_title: str, log_note: str, **kwargs) -> None:
	"""Enqueue ``method`` when the current transaction commits (dropped on rollback); a queue that refuses
	the job leaves an Error Log ``log_title`` (``log_note`` says what waits for the scheduled sweep)."""
	frappe.db.after_commit.add(functools.partial(_push, method, queue, log_title, log_note, kwargs))


def _push(method: str, queue: str, log_title: str, log_note: str, kwargs: dict) -> None:
	try:
		frappe.enqueue(method, queue=queue, **kwargs)
	except Exception:
		# Written in the transaction that follows the commit: kept with the next commit of this request or job.
		frappe.log_error(title=log_title, message=f"{log_note}:\n{frappe.get_traceback()}")
