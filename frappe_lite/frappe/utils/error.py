# Error snapshots (frappe/utils/error.py in Frappe v15).
import sys

import frappe


def log_error_snapshot(exception: Exception | None):
	"""Frappe records a snapshot of a 5xx error (an Error Log); frappe_lite prints the traceback to the
	server's log, without the values of secret-named URL parameters."""
	from frappe.utils.log_redaction import scrub

	print(scrub(frappe.get_traceback()), file=sys.stderr, flush=True)
