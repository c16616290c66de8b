from frappe.model.document import Document


class ProbeCategory(Document):
	pass
