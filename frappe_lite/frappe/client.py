# frappe.client (frappe/client.py, v15): the whitelisted read helpers Desk and API clients call
# (get_list, get_count, get, get_value, get_single_value). Writes go through /api/resource here.
import json

import frappe
from frappe import _


def get_safe_filters(filters):
	try:
		filters = json.loads(filters)
		if isinstance(filters, int | float):
			filters = str(filters)
	except (TypeError, ValueError):
		pass  # not JSON: a name or already a dict/list
	return filters


def check_parent_permission(parent, child_doctype):
	if parent and frappe.has_permission(parent):
		return
	frappe.throw(_("No permission for {0}").format(_(child_doctype)), frappe.PermissionError)


def _is_table(doctype):
	return bool(frappe.get_meta(doctype).istable)


@frappe.whitelist()
def get_list(
	doctype,
	fields=None,
	filters=None,
	group_by=None,
	order_by=None,
	limit_start=None,
	limit_page_length=20,
	parent=None,
	debug: bool = False,
	as_dict: bool = True,
	or_filters=None,
):
	"""Records by filters, fields, ordering and limit (v15's frappe.client.get_list)."""
	if _is_table(doctype):
		check_parent_permission(parent, doctype)
	args = frappe._dict(
		doctype=doctype,
		parent_doctype=parent,
		fields=fields,
		filters=filters,
		or_filters=or_filters,
		group_by=group_by,
		order_by=order_by,
		limit_start=limit_start,
		limit_page_length=limit_page_length,
		as_list=not as_dict,
	)
	return frappe.get_list(**{k: v for k, v in args.items() if v is not None})


@frappe.whitelist()
def get_count(doctype, filters=None, debug=False, cache=False):
	return frappe.db.count(doctype, get_safe_filters(filters))


@frappe.whitelist()
def get(doctype, name=None, filters=None, parent=None):
	"""A document by name, by filters (the first match), or a Single; read permission applies."""
	if _is_table(doctype):
		check_parent_permission(parent, doctype)
	if name:
		doc = frappe.get_doc(doctype, name)
	elif filters or filters == {}:
		doc = frappe.get_doc(doctype, frappe.parse_json(filters))
	else:
		doc = frappe.get_doc(doctype)
	doc.check_permission()
	return doc.as_dict()


@frappe.whitelist()
def get_value(doctype, fieldname, filters=None, as_dict=True, debug=False, parent=None):
	"""A value (or several) of the first record matching `filters` (a name or a filter dict/list)."""
	if _is_table(doctype):
		check_parent_permission(parent, doctype)
	if not frappe.has_permission(doctype, parent_doctype=parent):
		frappe.throw(_("No permission for {0}").format(_(doctype)), frappe.PermissionError)
	filters = get_safe_filters(filters)
	if isinstance(filters, str):
		filters = {"name": filters}
	try:
		fields = frappe.parse_json(fieldname)
	except (TypeError, ValueError):
		fields = [fieldname]
	if not isinstance(fields, list):
		fields = [fieldname]
	if not filters:
		filters = None
	if frappe.get_meta(doctype).issingle:
		values = {f: frappe.db.get_single_value(doctype, f) for f in fields}
		if as_dict:
			return frappe._dict(values)
		return list(values.values()) if len(fields) > 1 else values[fields[0]]
	value = get_list(
		doctype, filters=filters, fields=fields, limit_page_length=1, parent=parent, as_dict=as_dict
	)
	if as_dict:
		return value[0] if value else {}
	if not value:
		return
	return value[0] if len(fields) > 1 else value[0][0]


@frappe.whitelist()
def get_single_value(doctype, field):
	if not frappe.has_permission(doctype):
		frappe.throw(_("No permission for {0}").format(_(doctype)), frappe.PermissionError)
	return frappe.db.get_single_value(doctype, field)
