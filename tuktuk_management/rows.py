"""Appending a row on the crediting hot path without the whole document machinery.

``Document.insert`` runs, for every row: link checks (one SELECT per Link field), ``before_insert`` (our
ledger's friendly duplicate SELECT), permission and perm-level checks, ``_validate`` and, after the INSERT,
cache clearing, realtime notification, global search and version tracking, plus hook, server-script,
webhook and notification lookups around each method it runs. For the rows a credit appends (the ledger row
and its payout), under the driver's row lock, none of that decides anything: the linked driver is locked,
the linked inbox row and ledger row were written in the same transaction, the rows are not tracked, and the
unique indexes (transaction_id, the payout's transaction) are what refuses a repeat.

So these rows take the path Frappe's own code takes for rows it appends in bulk (Access Log, the comments of
its patches: ``frappe.get_doc({...}).db_insert()``): the DocType's static defaults from its JSON, a name by
its ``hash`` rule, the controller's own ``validate`` (the ledger's split check), the field length check, then
``db_insert``. Not ``frappe.new_doc``: on a bench it rebuilds its template on every request (a DocType query,
user defaults and permissions), a fifth of a confirmation's time. The same code runs on frappe_lite and on a
real bench."""

import frappe
from frappe.model.naming import make_autoname

from tuktuk_management import records

# Defaults that are computed when a document is made (Today, the session user...): a row here must not need one.
_DYNAMIC_DEFAULTS = ("today", "now", "__user", "user", ":")


def new_name() -> str:
	"""A name by Frappe's ``hash`` autoname rule, for a row whose name is needed before it is written."""
	return make_autoname("hash")


_defaults: dict = {}


def static_defaults(doctype: str) -> dict:
	"""The DocType's field defaults as written in its JSON (what ``new_doc`` starts a document with), kept for
	the life of the process per site (a DocType changes only by a migrate, after which workers restart)."""
	key = (getattr(frappe.local, "site", None), doctype)
	if key not in _defaults:
		_defaults[key] = _read_defaults(doctype)
	return _defaults[key]


def _read_defaults(doctype: str) -> dict:
	defaults = {}
	for df in frappe.get_meta(doctype).fields:
		default = df.get("default")
		if default in (None, "") or df.fieldtype in (
			"Table",
			"Table MultiSelect",
			"Section Break",
			"Column Break",
		):
			continue
		if str(default).lower().startswith(_DYNAMIC_DEFAULTS):
			raise ValueError(f"{doctype}.{df.fieldname} has a dynamic default: append it with frappe.new_doc")
		defaults[df.fieldname] = default
	return defaults


def append_row(doctype: str, values: dict, name: str | None = None):
	"""Insert a new ``doctype`` row holding ``values`` (named ``name``, else by the hash rule) and return the
	document. Raises what ``db_insert`` raises on a unique index (frappe.UniqueValidationError on a repeat)."""
	# Marked as written by its owner (records.by_app) like records.insert marks it: the callers are the owning
	# modules (ledger, outbox, inbox, reconciliation), and the controller's validate may check the mark.
	doc = records.by_app(frappe.get_doc({"doctype": doctype, **static_defaults(doctype), **values}))
	doc.set("__islocal", 1)
	doc.name = name or new_name()
	validate = getattr(doc, "validate", None)
	if validate:
		validate()
	doc._validate_length()
	doc.db_insert()
	return doc
