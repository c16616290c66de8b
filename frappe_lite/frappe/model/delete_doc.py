# frappe.delete_doc, following frappe/model/delete_doc.py (v15) without deleted-document archiving.
import frappe
from frappe import _


def delete_doc(
	doctype=None,
	name=None,
	force=0,
	ignore_doctypes=None,
	for_reload=False,
	ignore_permissions=False,
	flags=None,
	ignore_on_trash=False,
	ignore_missing=True,
	delete_permanently=False,
):
	"""Delete `name` of `doctype`: permission, on_trash, the row and its children, after_delete."""
	if not name:
		name = frappe.form_dict.get("dn")
	names = name if isinstance(name, (list, tuple)) else [name]
	for name in names:
		if not frappe.db.exists(doctype, name):
			if not ignore_missing:
				frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
			continue
		doc = frappe.get_doc(doctype, name, for_update=True)
		if flags:
			doc.flags.update(flags)
		if not ignore_permissions:
			doc.check_permission("delete")
		if not ignore_on_trash:
			doc.run_method("on_trash")
		for df in doc.meta.get_table_fields():
			frappe.db.sql(
				f"delete from `tab{df.options}` where `parent`=%s and `parenttype`=%s and `parentfield`=%s",
				(name, doctype, df.fieldname),
			)
		if doc.meta.issingle:
			frappe.db.sql("delete from `tabSingles` where `doctype`=%s", (doctype,))
		else:
			frappe.db.sql(f"delete from `tab{doctype}` where `name`=%s", (name,))
		frappe.db.sql(
			"delete from `tabComment` where `reference_doctype`=%s and `reference_name`=%s", (doctype, name)
		)
		if not ignore_on_trash:
			doc.run_method("after_delete")
			doc.run_method("on_change")
		frappe.clear_document_cache(doctype, name)
