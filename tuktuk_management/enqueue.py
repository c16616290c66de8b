"""Background jobs started once the money they act on is committed, without letting a Redis outage undo
the answer.

``frappe.enqueue(..., enqueue_after_commit=True)`` pushes the job from inside ``frappe.db.commit()``: with
Redis down the push raises out of the commit, AFTER the credit is durable, and the caller then reports a
committed credit as failed (a reply "held for replay" to Safaricom, a 500 to a manager). Every job started
here has a scheduled sweep that finds its work in the database (Queued payouts: ``retry_due_payouts``;
Pending checks: ``retry_unanswered_verifications``), so a job that cannot be pushed is only late: it is
logged, not raised."""

import functools
import logging

import frappe

log = logging.getLogger(__name__)


def enqueue_after_commit(method: str, *, queue: str = "short", **kwargs) -> None:
	"""Enqueue ``method`` when the current transaction commits (dropped on rollback); a queue that refuses
	the job is logged, and the scheduled sweep of that work picks it up."""
	frappe.db.after_commit.add(functools.partial(_push, method, queue, kwargs))


def _push(method: str, queue: str, kwargs: dict) -> None:
	try:
		frappe.enqueue(method, queue=queue, **kwargs)
	except Exception as exc:
		# Not an Error Log: the commit this runs in is over, and the next scheduled run retries it.
		log.warning("could not enqueue %s %s (%r); its scheduled sweep retries it", method, kwargs, exc)
