# `/api/method/<cmd>`: resolve a dotted path to a whitelisted function and call it with form_dict,
# as Frappe v15 does (frappe/handler.py). Left out: server scripts, doc methods (run_doc_method), uploads.

from werkzeug.wrappers import Response

import frappe
from frappe import _


def handle():
	"""Run `frappe.form_dict.cmd` and put its result under `message` (nothing for None)."""
	cmd = frappe.local.form_dict.cmd
	data = None

	if cmd != "login":
		data = execute_cmd(cmd)

	# data can be an empty string or list which are valid responses
	if data is not None:
		if isinstance(data, Response):
			# method returns a response object, pass it on
			return data

		# add the response to `message` label
		frappe.response["message"] = data


def execute_cmd(cmd, from_async=False):
	"""Execute a request as a python function: override hook → import → whitelist → HTTP verb → call."""
	cmd = override_whitelisted_method(cmd)

	try:
		method = get_attr(cmd)
	except Exception as e:
		frappe.throw(_("Failed to get method for command {0} with {1}").format(cmd, str(e)))

	frappe.is_whitelisted(method)
	is_valid_http_method(method)

	return frappe.call(method, **frappe.form_dict)


def override_whitelisted_method(original_method):
	"""The last `override_whitelisted_methods` hook for this path wins, as in Frappe."""
	overrides = frappe.get_hooks("override_whitelisted_methods") or {}
	override = overrides.get(original_method)
	if not override:
		return original_method
	return override[-1] if isinstance(override, list | tuple) else override


def is_valid_http_method(method):
	"""A whitelisted function answers only the verbs it declared (`methods=`): else 403, not 405."""
	if frappe.flags.in_safe_exec:
		return

	http_method = frappe.local.request.method

	if http_method not in frappe.allowed_http_methods_for_whitelisted_func.get(method, ()):
		throw_permission_error()


def throw_permission_error():
	frappe.throw(_("Not permitted"), frappe.PermissionError)


@frappe.whitelist(allow_guest=True)
def logout():
	frappe.local.login_manager.logout()
	frappe.db.commit()  # as Frappe: the logout holds even if the rest of the request fails


@frappe.whitelist(allow_guest=True)
def ping():
	return "pong"


def get_attr(cmd):
	"""The function for `cmd`: a dotted path, or a shorthand defined in this module (login, logout, ping)."""
	if "." in cmd:
		return frappe.get_attr(cmd)
	return globals()[cmd]
