# Scheduled Job Log, as frappe/core/doctype/scheduled_job_log (v15): one row per scheduled job run.
from frappe.model.document import Document


class ScheduledJobLog(Document):
	# begin: field types
	# debug_log: Code | None
	# details: Code | None (the traceback of a failed run)
	# scheduled_job_type: Link to Scheduled Job Type
	# status: Select "Scheduled" | "Start" | "Complete" | "Failed"
	# end: field types
	pass
