# REST API v2, as Frappe v15 (frappe/api/v2.py): `/api/v2/method/...` and `/api/v2/document/...`. Replies
# carry `data`; errors an `errors` list and messages a `messages` list (utils/response.py). Left out: file
# upload, server scripts, run_doc_method and the doctype meta/count routes.
import json

from werkzeug.routing import Rule

import frappe
import frappe.client
from frappe import _
from frappe.handler import is_valid_http_method


def handle_rpc_call(method: str, doctype: str | None = None):
	from frappe.model.base_document import get_controller

	if doctype:
		# a method of the DocType's controller module
		method = get_controller(doctype).__module__ + "." + method
	for hook in reversed(frappe.get_hooks("override_whitelisted_methods", {}).get(method, [])):
		method = hook  # the last hook wins
		break
	try:
		method = frappe.get_attr(method)
	except Exception as e:
		frappe.throw(_("Failed to get method {0} with {1}").format(method, e))
	frappe.is_whitelisted(method)
	is_valid_http_method(method)
	return frappe.call(method, **frappe.form_dict)


def login():
	"""Login happens implicitly (the request's auth); nothing to do."""


def logout():
	frappe.local.login_manager.logout()
	frappe.db.commit()


def ping():
	return "pong"


def read_doc(doctype: str, name: str):
	doc = frappe.get_doc(doctype, name)
	doc.check_permission("read")
	if hasattr(doc, "apply_fieldlevel_read_permissions"):
		doc.apply_fieldlevel_read_permissions()
	return doc


def document_list(doctype: str):
	if frappe.form_dict.get("fields"):
		frappe.form_dict["fields"] = json.loads(frappe.form_dict["fields"])
	frappe.form_dict.limit_page_length = frappe.form_dict.limit or 20
	return frappe.call(frappe.client.get_list, doctype, **frappe.form_dict)


def create_doc(doctype: str):
	data = frappe.form_dict
	data.pop("doctype", None)
	return frappe.new_doc(doctype, **data).insert()


def update_doc(doctype: str, name: str):
	data = frappe.form_dict
	doc = frappe.get_doc(doctype, name, for_update=True)
	data.pop("flags", None)
	doc.update(data)
	doc.save()
	if doc.get("parenttype"):
		frappe.get_doc(doc.parenttype, doc.parent).save()
	return doc


def delete_doc(doctype: str, name: str):
	frappe.delete_doc(doctype, name, ignore_missing=False)
	frappe.response.http_status_code = 202
	return "ok"


url_rules = [
	Rule("/method/login", endpoint=login),
	Rule("/method/logout", endpoint=logout),
	Rule("/method/ping", endpoint=ping),
	Rule("/method/<method>", endpoint=handle_rpc_call),
	Rule("/method/<doctype>/<method>", endpoint=handle_rpc_call),
	Rule("/document/<doctype>", methods=["GET"], endpoint=document_list),
	Rule("/document/<doctype>", methods=["POST"], endpoint=create_doc),
	Rule("/document/<doctype>/<path:name>/", methods=["GET"], endpoint=read_doc),
	Rule("/document/<doctype>/<path:name>/", methods=["PATCH", "PUT"], endpoint=update_doc),
	Rule("/document/<doctype>/<path:name>/", methods=["DELETE"], endpoint=delete_doc),
]
