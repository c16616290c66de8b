# Defaults for new documents, following frappe/model/create_new.py (v15).
import frappe
from frappe.model import no_value_fields, table_fields
from frappe.utils.data import cint, now_datetime, nowdate, nowtime


def get_default_value(df):
	"""A DocField's default: Today/__user/now shortcuts, else the literal; a Select without one takes its
	first option."""
	default = df.get("default")
	if default not in (None, ""):
		if isinstance(default, str):
			if default.lower() == "today" or default == "__today":
				return nowdate()
			if default == "__user":
				return frappe.session.user
			if default.lower() == "now" and df.fieldtype == "Datetime":
				return now_datetime()
			if default.lower() == "now" and df.fieldtype == "Time":
				return nowtime()
			if default.startswith(":"):
				return None
		if df.fieldtype in ("Check", "Int"):
			return cint(default)
		return default
	if df.fieldtype == "Select" and df.get("options") and df.fieldname != "naming_series":
		options = df.options.split("\n")
		return options[0] if options[0] else (options[1] if len(options) > 1 else None)
	return None


def get_new_doc(doctype, parent_doc=None, parentfield=None, as_dict=False):
	meta = frappe.get_meta(doctype)
	doc = frappe._dict(doctype=doctype, docstatus=0, idx=0)
	doc["__islocal"] = 1
	if not meta.istable:
		doc["__unsaved"] = 1
	for df in meta.fields:
		if not df.get("fieldname") or df.fieldtype in no_value_fields and df.fieldtype not in table_fields:
			continue
		if df.fieldtype in table_fields:
			doc[df.fieldname] = []
			continue
		value = get_default_value(df)
		if value is None and df.fieldtype in ("Check", "Int"):
			value = 0
		doc[df.fieldname] = value
	if parent_doc:
		doc["parent"] = parent_doc.name
		doc["parenttype"] = parent_doc.doctype
	if parentfield:
		doc["parentfield"] = parentfield
	if as_dict:
		return doc
	return frappe.get_doc(doc)
