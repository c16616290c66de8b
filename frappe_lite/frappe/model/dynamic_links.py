# Which DocTypes' Dynamic Link fields refer to which DocTypes, following frappe/model/dynamic_links.py (v15).
import frappe
from frappe.model.meta import get_doctype_index


def get_dynamic_link_map(for_delete=False):
	"""{linked DocType: [Dynamic Link fields that hold one of its names]}, from the values present in each
	table. As in Frappe, a Single's Dynamic Link fields are listed under the Single's own name."""
	if getattr(frappe.local, "dynamic_link_map", None) is None or frappe.flags.in_test:
		dynamic_link_map = {}
		for df in get_dynamic_links():
			meta = frappe.get_meta(df.parent)
			if meta.issingle:
				dynamic_link_map.setdefault(meta.name, []).append(df)
			else:
				try:
					links = frappe.db.sql_list(f"select distinct `{df.options}` from `tab{df.parent}`")
				except Exception as e:
					if frappe.db.is_table_missing(e):
						continue
					raise
				for doctype in links:
					dynamic_link_map.setdefault(doctype, []).append(df)
		frappe.local.dynamic_link_map = dynamic_link_map
	return frappe.local.dynamic_link_map


def get_dynamic_links():
	"""Every Dynamic Link field of the installed DocTypes (virtual ones left out), as
	_dict(parent, fieldname, options, read_only, in_create), DocTypes that users edit first."""
	out = []
	for doctype in get_doctype_index():
		meta = frappe.get_meta(doctype)
		if meta.get("is_virtual"):
			continue
		for df in meta.fields:
			if df.fieldtype == "Dynamic Link":
				out.append(
					frappe._dict(
						parent=meta.name,
						fieldname=df.fieldname,
						options=df.options,
						read_only=int(meta.get("read_only") or 0),
						in_create=int(meta.get("in_create") or 0),
					)
				)
	out.sort(key=lambda df: (df.read_only, df.in_create))
	return out
