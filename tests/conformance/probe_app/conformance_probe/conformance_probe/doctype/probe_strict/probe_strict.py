from frappe.model.document import Document


class ProbeStrict(Document):
	pass
