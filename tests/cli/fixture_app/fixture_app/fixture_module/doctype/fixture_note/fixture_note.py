import frappe
from frappe.model.document import Document


class FixtureNote(Document):
	# title: Data
	# value: Int
	# made_by: Data | None (the session user that inserted the note)

	def before_insert(self):
		self.made_by = frappe.session.user
