# Renaming documents is not part of frappe_lite; this module holds what Frappe's frappe/model/rename_doc.py
# also serves to deletion: the Link fields that point at a DocType.
import frappe
from frappe.model.meta import get_doctype_index


def get_link_fields(doctype: str) -> list[dict]:
	"""[{parent, fieldname, issingle}] for every Link field (of a non-virtual DocType) whose options are
	`doctype` (cached for the request in frappe.flags.link_fields, as Frappe)."""
	if not frappe.flags.link_fields:
		frappe.flags.link_fields = {}
	if doctype not in frappe.flags.link_fields:
		fields = []
		for parent in get_doctype_index():
			meta = frappe.get_meta(parent)
			if meta.get("is_virtual"):
				continue
			for df in meta.fields:
				if df.fieldtype == "Link" and df.get("options") == doctype and not df.get("is_virtual"):
					fields.append(
						frappe._dict(parent=meta.name, fieldname=df.fieldname, issingle=meta.issingle)
					)
		frappe.flags.link_fields[doctype] = fields
	return frappe.flags.link_fields[doctype]
