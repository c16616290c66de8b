# Frappe keeps BaseDocument here; frappe_lite defines it beside Document.
from frappe.model.document import BaseDocument, get_controller  # noqa: F401
