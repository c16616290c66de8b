import frappe
from frappe.model.document import Document


def _note(event):
	events = frappe.flags.probe_events
	if events is None:
		events = frappe.flags.probe_events = []
	events.append(f"controller:{event}")


class ProbeRecord(Document):
	def before_insert(self):
		_note("before_insert")

	def validate(self):
		_note("validate")
		if self.data_field == "refuse":
			frappe.throw(frappe._("Data Field may not be {0}").format(frappe.bold("refuse")), title="Refused")

	def before_save(self):
		_note("before_save")

	def on_update(self):
		_note("on_update")

	def after_insert(self):
		_note("after_insert")

	def on_trash(self):
		_note("on_trash")
