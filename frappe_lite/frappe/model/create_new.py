# New documents with defaults, following frappe/model/create_new.py (v15).
#
# A template per DocType (cached in frappe.local.new_doc_templates) holds the static defaults: a field's
# `default` ("__user" is the session user, "Today" today's date, any other text as written, ":DocType"
# only at copy time), else a Select's first option; the title field takes none. Numbers are fixed (Check
# 0/1; Int and Float-likes cast when set) and the values are those of get_valid_dict(sanitize=False).
# Each copy then gets the dynamic values: Datetime "now" → now_datetime(), and every Time field the
# current time (its JSON default is ignored).
# Left out: User Permissions and user defaults (frappe_lite has neither).
import copy

import frappe
from frappe.model import data_fieldtypes
from frappe.utils.data import cstr, now_datetime, nowdate, nowtime


def get_new_doc(doctype, parent_doc=None, parentfield=None, as_dict=False):
	templates = frappe.local.new_doc_templates
	if doctype not in templates:
		# cache a copy of new doc as it is called frequently for inserts
		templates[doctype] = make_new_doc(doctype)
	doc = copy.deepcopy(templates[doctype])
	set_dynamic_default_values(doc, parent_doc, parentfield)
	if as_dict:
		return doc
	return frappe.get_doc(doc)


def make_new_doc(doctype):
	doc = frappe.get_doc({"doctype": doctype, "__islocal": 1, "owner": frappe.session.user, "docstatus": 0})
	set_user_and_static_default_values(doc)
	doc._fix_numeric_types()
	doc = doc.get_valid_dict(sanitize=False)
	doc["doctype"] = doctype
	doc["__islocal"] = 1
	if not frappe.get_meta(doctype).issingle:
		doc["__unsaved"] = 1
	return doc


def set_user_and_static_default_values(doc):
	for df in doc.meta.fields:
		if df.fieldtype in data_fieldtypes and df.fieldname != doc.meta.get("title_field"):
			value = get_static_default_value(df)
			if value is not None:
				doc.set(df.fieldname, value)


def get_static_default_value(df):
	if df.get("default"):
		if df.default == "__user":
			return frappe.session.user
		elif df.default == "Today":
			return nowdate()
		elif not cstr(df.default).startswith(":"):
			return df.default
	elif df.fieldtype == "Select" and df.get("options") and df.options not in ("[Select]", "Loading..."):
		return df.options.split("\n", 1)[0]


def set_dynamic_default_values(doc, parent_doc, parentfield):
	for df in frappe.get_meta(doc["doctype"]).fields:
		if df.get("default"):
			if cstr(df.default).startswith(":"):
				default_value = get_default_based_on_another_field(df, parent_doc)
				if default_value is not None and not doc.get(df.fieldname):
					doc[df.fieldname] = default_value
			elif df.fieldtype == "Datetime" and cstr(df.default).lower() == "now":
				doc[df.fieldname] = now_datetime()
		if df.fieldtype == "Time":
			doc[df.fieldname] = nowtime()
	if parent_doc:
		doc["parent"] = parent_doc.name
		doc["parenttype"] = parent_doc.doctype
	if parentfield:
		doc["parentfield"] = parentfield


def get_default_based_on_another_field(df, parent_doc):
	"""`:DocType` default: the field's value on the DocType named by the parent's (or the global default's)
	field of that name."""
	ref_doctype = df.default[1:]
	ref_fieldname = ref_doctype.lower().replace(" ", "_")
	reference_name = parent_doc.get(ref_fieldname) if parent_doc else frappe.db.get_default(ref_fieldname)
	return frappe.db.get_value(ref_doctype, reference_name, df.fieldname)
