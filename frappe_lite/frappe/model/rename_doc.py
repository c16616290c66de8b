# Renaming documents, following frappe/model/rename_doc.py (v15): the row, its child rows, the Link and
# Dynamic Link values pointing at it, its Versions and passwords, with v15's checks and messages. Left out:
# renaming a DocType, assignments, user settings, attachments, global search. get_link_fields also serves
# deletion (delete_doc's link checks).
import frappe
from frappe import _
from frappe.model.meta import get_doctype_index
from frappe.utils.data import sbool


def rename_doc(
	doctype=None,
	old=None,
	new=None,
	force=False,
	merge=False,
	ignore_permissions=False,
	ignore_if_exists=False,
	show_alert=True,
	rebuild_search=True,
	doc=None,
	validate=True,
):
	"""Rename doc(doctype, old) to `new` and update every Link to it; returns the new name."""
	if not ((doctype and old and new) or (doc and new)):
		raise TypeError(
			"{doctype, old, new} or {doc, new} are required arguments for frappe.model.rename_doc"
		)
	old = old or doc.name
	doctype = doctype or doc.doctype
	force, merge = sbool(force), sbool(merge)
	meta = frappe.get_meta(doctype)
	if validate:
		old_doc = doc or frappe.get_doc(doctype, old)
		out = old_doc.run_method("before_rename", old, new, merge) or {}
		new = (out.get("new") or new) if isinstance(out, dict) else (out or new)
		new = validate_rename(
			doctype, old, new, meta, merge, force, ignore_permissions, ignore_if_exists, old_doc
		)
	if not merge:
		frappe.db.sql(f"update `tab{doctype}` set name=%s where name=%s", (new, old))
		update_autoname_field(doctype, new, meta)
		for df in meta.get_table_fields():
			frappe.db.sql(
				f"update `tab{df.options}` set parent=%s where parent=%s and parenttype=%s",
				(new, old, doctype),
			)
	link_fields = get_link_fields(doctype)
	update_link_field_values(link_fields, old, new)
	rename_dynamic_links(doctype, old, new)
	frappe.db.sql(
		"update `tabVersion` set docname=%s where docname=%s and ref_doctype=%s", (new, old, doctype)
	)
	new_doc = frappe.get_doc(doctype, new)
	new_doc.run_method("after_rename", old, new, merge)
	if not merge:
		from frappe.utils.password import rename_password

		rename_password(doctype, old, new)
	if merge:
		new_doc.add_comment("Edit", _("merged {0} into {1}").format(frappe.bold(old), frappe.bold(new)))
		frappe.delete_doc(doctype, old)
	else:
		new_doc.add_comment("Edit", _("renamed from {0} to {1}").format(frappe.bold(old), frappe.bold(new)))
	frappe.clear_document_cache(doctype, old)
	frappe.clear_document_cache(doctype, new)
	if show_alert:
		frappe.msgprint(
			_("Document renamed from {0} to {1}").format(frappe.bold(old), frappe.bold(new)),
			alert=True,
			indicator="green",
		)
	return new


def validate_rename(
	doctype,
	old,
	new,
	meta,
	merge,
	force=False,
	ignore_permissions=False,
	ignore_if_exists=False,
	old_doc=None,
):
	from frappe.model.naming import validate_name
	from frappe.permissions import has_permission

	exists = frappe.db.sql(f"select name from `tab{doctype}` where name=%s for update", (new,))
	exists = exists[0][0] if exists else None
	if not frappe.db.exists(doctype, old):
		frappe.throw(_("Can't rename {0} to {1} because {0} doesn't exist.").format(old, new))
	if old == new:
		frappe.throw(_("No changes made because old and new name are the same.").format(old, new))
	if exists and exists != new:
		exists = None  # a case-insensitive match is not the same name
	if merge and not exists:
		frappe.throw(_("{0} {1} does not exist, select a new target to merge").format(doctype, new))
	if not merge and exists and not ignore_if_exists:
		frappe.throw(_("Another {0} with name {1} exists, select another name").format(doctype, new))
	if not (ignore_permissions or has_permission(doctype, "write", doc=old_doc, raise_exception=False)):
		frappe.throw(_("You need write permission to rename"))
	if not (force or ignore_permissions) and not meta.get("allow_rename"):
		frappe.throw(_("{0} not allowed to be renamed").format(_(doctype)))
	return validate_name(doctype, new)


def update_autoname_field(doctype, new, meta):
	autoname = (meta.get("autoname") or "").split(":")
	if autoname and autoname[0] == "field":
		frappe.db.sql(f"update `tab{doctype}` set `{autoname[1]}`=%s where name=%s", (new, new))


def update_link_field_values(link_fields, old, new):
	for field in link_fields:
		if field["issingle"]:
			single_doc = frappe.get_doc(field["parent"])
			if single_doc.get(field["fieldname"]) == old:
				single_doc.set(field["fieldname"], new)
				single_doc.flags.ignore_mandatory = True
				single_doc.save(ignore_permissions=True)
		else:
			frappe.db.set_value(
				field["parent"], {field["fieldname"]: old}, field["fieldname"], new, update_modified=False
			)


def rename_dynamic_links(doctype, old, new):
	from frappe.model.dynamic_links import get_dynamic_link_map

	for df in get_dynamic_link_map().get(doctype, []):
		meta = frappe.get_meta(df.parent)
		if meta.issingle:
			refdoc = frappe.db.get_singles_dict(df.parent)
			if refdoc.get(df.options) == doctype and refdoc.get(df.fieldname) == old:
				frappe.db.sql(
					"update `tabSingles` set value=%s where field=%s and doctype=%s and value=%s",
					(new, df.fieldname, df.parent, old),
				)
		else:
			parent = df.parent if df.parent != new else old
			frappe.db.sql(
				f"update `tab{parent}` set `{df.fieldname}`=%s where `{df.options}`=%s and `{df.fieldname}`=%s",
				(new, doctype, old),
			)


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
