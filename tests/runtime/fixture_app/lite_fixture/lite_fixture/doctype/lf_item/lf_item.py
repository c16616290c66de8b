import frappe
from frappe.model.document import Document

from lite_fixture.events import EVENTS


class LFItem(Document):
	def before_insert(self):
		EVENTS.append("before_insert")

	def before_naming(self):
		EVENTS.append("before_naming")

	def before_validate(self):
		EVENTS.append("before_validate")

	def validate(self):
		EVENTS.append(f"validate:name_set={bool(self.name)}")
		if self.title == "reject me":
			frappe.throw("Rejected by validate")

	def before_save(self):
		EVENTS.append("before_save")

	def after_insert(self):
		EVENTS.append("after_insert")

	def on_update(self):
		EVENTS.append("on_update")

	def on_change(self):
		EVENTS.append("on_change")

	def on_trash(self):
		EVENTS.append("on_trash")


def on_doctype_update():
	frappe.db.add_index("LF Item", ["status", "qty"])
