from frappe.model.document import Document


class ProbeSettings(Document):
	pass
