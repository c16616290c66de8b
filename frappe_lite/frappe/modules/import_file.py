# Importing documents from JSON, following frappe/modules/import_file.py (v15) for the one use frappe_lite
# has: fixtures (frappe/utils/fixtures.py) overwrite the documents they list.
import frappe


def import_doc(docdict):
	"""Insert `docdict`, or overwrite the existing document of that name (links are not checked)."""
	d = dict(docdict)
	for key in ("modified", "creation", "owner", "modified_by"):
		d.pop(key, None)
	doctype, name = d["doctype"], d.get("name")
	if name and frappe.db.exists(doctype, name):
		doc = frappe.get_doc(doctype, name)
		doc.update(d)
		doc.flags.ignore_permissions = True
		doc.flags.ignore_links = True
		doc.save()
	else:
		doc = frappe.get_doc(d)
		doc.flags.ignore_links = True
		doc.insert(ignore_permissions=True, set_name=name)
	return doc
