import frappe

no_cache = 1


def get_context(context):
	# the common Frappe pattern for pages that post back to the API with the session cookie
	context.csrf_token = frappe.sessions.get_csrf_token()
	frappe.db.commit()  # keep the new token in the session row although this GET rolls back
