from frappe.model.document import Document


class ProbeSeries(Document):
	pass
