from frappe.model.document import Document


class ProbeItem(Document):
	pass
