"""Appending a row on the crediting hot path without the whole document machinery.

``Document.insert`` runs, for every row: link checks (one SELECT per Link field), ``before_insert`` (our
ledger's friendly duplicate SELECT), permission and perm-level checks, ``_validate`` and, after the INSERT,
cache clearing, realtime notification, global search and version tracking, plus hook, server-script,
webhook and notification lookups around each method it runs. For the rows a credit appends (the ledger row
and its payout), under the driver's row lock, none of that decides anything: the linked driver is locked,
the linked inbox row and ledger row were written in the same transaction, the rows are not tracked, and the
unique indexes (transaction_id, the payout's transaction) are what refuses a repeat.

So these rows take the path Frappe's own code takes for rows it appends in bulk (Access Log, the comments of
its patches: ``frappe.get_doc(...).db_insert()``): a new document with the DocType's defaults (``new_doc``),
a name by the DocType's ``hash`` rule, the controller's own ``validate`` (the ledger's split check), the field
length check, then ``db_insert``. The same code runs on frappe_lite and on a real bench."""

import frappe
from frappe.model.naming import make_autoname


def new_name() -> str:
	"""A name by Frappe's ``hash`` autoname rule, for a row whose name is needed before it is written."""
	return make_autoname("hash")


def append_row(doctype: str, values: dict, name: str | None = None):
	"""Insert a new ``doctype`` row holding ``values`` (named ``name``, else by the hash rule) and return the
	document. Raises what ``db_insert`` raises on a unique index (frappe.UniqueValidationError on a repeat)."""
	doc = frappe.new_doc(doctype)
	doc.update(values)
	doc.name = name or new_name()
	validate = getattr(doc, "validate", None)
	if validate:
		validate()
	doc._validate_length()
	doc.db_insert()
	return doc
