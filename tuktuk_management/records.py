"""The money records no one can bend: ledger rows (TukTuk Transaction), payouts (TukTuk Payout), inbox rows
(TukTuk Callback), reconciliation records (TukTuk Balance Reconciliation) and daily closes (TukTuk Daily Close).

Each is written only by the module that owns it (ledger.py, payouts/outbox.py, inbox.py, reconciliation.py),
which marks the document with ``by_app`` before inserting it. Their DocTypes give no role create, write or
delete; these controller guards hold the same line for whoever permissions do not stop (Administrator,
``ignore_permissions`` callers, a form, ``/api/resource``, ``frappe.client``): a document not marked by its
owner is not inserted, an existing one is never saved through the document API, none is ever deleted.
The owners change state with ``frappe.db.set_value`` / SQL inside their own state machines; corrections to
money are new Adjustment rows (``ledger.add_adjustment``)."""

import frappe
from frappe import _

# The flag the owning module sets on a document it writes.
WRITTEN_BY_APP = "tuktuk_written_by_app"


class RecordProtectedError(frappe.PermissionError):
	"""A money record written, changed or deleted outside the app's own code path (HTTP 403)."""


def by_app(doc):
	"""Mark ``doc`` as written by its owning module (the only way it passes ``guard_insert``); returns it."""
	doc.flags[WRITTEN_BY_APP] = True
	return doc


def insert(values: dict):
	"""Insert a record from ``values`` as its owning module (marked ``by_app``); returns the document."""
	return by_app(frappe.get_doc(values)).insert(ignore_permissions=True)


def guard_insert(doc, owner: str) -> None:
	"""``before_insert``: only the owning module (``owner``, for the message) creates these records."""
	if not doc.flags.get(WRITTEN_BY_APP):
		frappe.throw(
			_("{0} records are created only by the app ({1}), never by hand").format(_(doc.doctype), owner),
			RecordProtectedError,
			title=_("Not Permitted"),
		)


def guard_save(doc, fixed_fields=()) -> None:
	"""``validate`` of an existing record: never saved through the document API except by its owner, and
	``fixed_fields`` never change, not even by the owner."""
	if doc.is_new():
		return
	for fieldname in fixed_fields:
		if doc.has_value_changed(fieldname):
			frappe.throw(
				_("{0} of {1} {2} is fixed when it is created").format(
					doc.meta.get_label(fieldname), _(doc.doctype), doc.name
				),
				RecordProtectedError,
				title=_("Not Permitted"),
			)
	if not doc.flags.get(WRITTEN_BY_APP):
		frappe.throw(
			_("{0} {1} is changed only by the app's own processing, never by hand").format(
				_(doc.doctype), doc.name
			),
			RecordProtectedError,
			title=_("Not Permitted"),
		)


def refuse_delete(doc) -> None:
	"""``on_trash``: these records are kept for ever (a correction is a new record, never a deletion)."""
	frappe.throw(
		_("{0} {1} cannot be deleted: money records are kept for ever").format(_(doc.doctype), doc.name),
		RecordProtectedError,
		title=_("Not Permitted"),
	)
