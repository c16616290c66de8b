import frappe

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		raise frappe.PermissionError
	context.user = frappe.session.user
