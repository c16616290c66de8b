# Error Log controller (frappe/core/doctype/error_log/error_log.py, v15): the class app code gets back from
# frappe.log_error. The Desk-only parts (onload marking it seen, clear_error_logs) are left out.
import frappe
from frappe.model.document import Document


class ErrorLog(Document):
	@staticmethod
	def clear_old_logs(days=30):
		frappe.db.sql(
			"delete from `tabError Log` where modified < %s",
			(frappe.utils.add_to_date(frappe.utils.now_datetime(), days=-days),),
		)
