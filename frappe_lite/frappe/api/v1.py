# v1 REST endpoints, as Frappe v15 (frappe/api/v1.py): `/api/method/<cmd>` and `/api/resource/<DocType>[/<name>]`.
# Left out: `expand`/`expand_links`, and `run_method` doc methods over `/api/resource` (the app uses none).

import json

from werkzeug.routing import Rule

import frappe
from frappe.utils import cint
from frappe.utils.data import parse_json, sbool


def handle_rpc_call(method: str):
	import frappe.handler

	method = method.split("/")[0]  # for backward compatibility

	frappe.form_dict.cmd = method
	return frappe.handler.handle()


def document_list(doctype: str):
	"""GET /api/resource/<DocType>: `frappe.get_list` with read permission (20 rows unless told)."""
	if frappe.form_dict.get("fields"):
		frappe.form_dict["fields"] = _loads("fields", frappe.form_dict["fields"])

	# set limit of records for frappe.get_list
	frappe.form_dict.setdefault(
		"limit_page_length",
		frappe.form_dict.limit or frappe.form_dict.limit_page_length or 20,
	)

	# convert strings to native types - only as_dict and debug accept bool
	for param in ["as_dict", "debug"]:
		param_val = frappe.form_dict.get(param)
		if param_val is not None:
			frappe.form_dict[param] = sbool(param_val)

	return frappe.call(get_list, doctype, **frappe.form_dict)


def get_list(
	doctype,
	fields=None,
	filters=None,
	group_by=None,
	order_by=None,
	limit_start=None,
	limit_page_length=20,
	parent=None,
	debug=False,
	as_dict=True,
	or_filters=None,
):
	"""frappe.client.get_list: arguments arrive as strings from a query string, so parse them here."""
	args = frappe._dict(
		doctype=doctype,
		fields=_loads("fields", fields) if isinstance(fields, str) else fields,
		filters=_loads("filters", filters) if isinstance(filters, str) else filters,
		or_filters=_loads("or_filters", or_filters) if isinstance(or_filters, str) else or_filters,
		order_by=order_by,
		limit_start=cint(limit_start),
		limit_page_length=cint(limit_page_length),
		as_list=not sbool(as_dict),
	)
	if group_by:
		args.group_by = group_by
	if parent:
		args.parent_doctype = parent
	return frappe.get_list(**{key: value for key, value in args.items() if value is not None})


def _loads(param, value):
	"""Parse a JSON argument; `fields` may also be a comma-separated list, as DatabaseQuery accepts.

	As v15, bad JSON in `filters`/`or_filters` is json.loads' JSONDecodeError (a 500)."""
	if not isinstance(value, str):
		return value
	if param != "fields":
		return json.loads(value)
	try:
		return json.loads(value)
	except ValueError:
		return [field.strip() for field in value.split(",") if field.strip()]


def create_doc(doctype: str):
	"""POST /api/resource/<DocType>: insert a new document (create permission applies)."""
	data = get_request_form_data()
	data.pop("doctype", None)
	return frappe.new_doc(doctype, **data).insert()


def update_doc(doctype: str, name: str):
	"""PUT /api/resource/<DocType>/<name>: update fields and save (write permission applies)."""
	data = get_request_form_data()

	doc = frappe.get_doc(doctype, name, for_update=True)
	if "flags" in data:
		del data["flags"]

	doc.update(data)
	doc.save()

	# check for child table doctype
	if doc.get("parenttype"):
		frappe.get_doc(doc.parenttype, doc.parent).save()

	return doc


def delete_doc(doctype: str, name: str):
	"""DELETE /api/resource/<DocType>/<name>: 202 and "ok"."""
	frappe.delete_doc(doctype, name, ignore_missing=False)
	frappe.response.http_status_code = 202
	return "ok"


def read_doc(doctype: str, name: str):
	"""GET /api/resource/<DocType>/<name>: the document, if the user may read it."""
	doc = frappe.get_doc(doctype, name)
	if not doc.has_permission("read"):
		raise frappe.PermissionError
	if hasattr(doc, "apply_fieldlevel_read_permissions"):
		doc.apply_fieldlevel_read_permissions()
	return doc


def get_request_form_data():
	if frappe.form_dict.data is None:
		data = frappe.request.get_data(as_text=True)
	else:
		data = frappe.form_dict.data

	try:
		parsed = parse_json(data)
	except ValueError:
		return frappe.form_dict
	if not isinstance(parsed, dict):
		return frappe.form_dict
	return parsed


url_rules = [
	Rule("/method/<path:method>", endpoint=handle_rpc_call),
	Rule("/resource/<doctype>", methods=["GET"], endpoint=document_list),
	Rule("/resource/<doctype>", methods=["POST"], endpoint=create_doc),
	Rule("/resource/<doctype>/<path:name>/", methods=["GET"], endpoint=read_doc),
	Rule("/resource/<doctype>/<path:name>/", methods=["PUT"], endpoint=update_doc),
	Rule("/resource/<doctype>/<path:name>/", methods=["DELETE"], endpoint=delete_doc),
]
