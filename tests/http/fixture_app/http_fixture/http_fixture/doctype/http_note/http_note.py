from frappe.model.document import Document


class HTTPNote(Document):
	pass
