# Module helpers (frappe/modules/__init__.py).
import frappe
from frappe import scrub  # noqa: F401


def get_module_app(module):
	"""The app whose modules.txt lists `module`."""
	from frappe.model.meta import get_module_list

	for app in frappe.get_installed_apps():
		if module in get_module_list(app):
			return app
	frappe.throw(frappe._("Module {0} not found").format(module), frappe.DoesNotExistError)


def get_doctype_module(doctype):
	return frappe.get_meta(doctype).module


def load_doctype_module(doctype, module=None, prefix="", suffix=""):
	meta = frappe.get_meta(doctype)
	module = module or meta.module
	return frappe.get_module(
		f"{meta.app}.{scrub(module)}.doctype.{scrub(doctype)}.{prefix}{scrub(doctype)}{suffix}"
	)
