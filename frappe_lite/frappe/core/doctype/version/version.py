# Version, following frappe/core/doctype/version/version.py (v15): the diff of a saved document against
# its state before the save, in people's terms (formatted values).
import frappe
from frappe.model import no_value_fields, table_fields
from frappe.model.document import Document


class Version(Document):
	def update_version_info(self, old, new) -> bool:
		"""Fill this Version from old → new; True if there is something worth keeping."""
		if not old:
			# a new document gets a Version only when it says where it came from
			return self.for_insert(new)
		return self.set_diff(old, new)

	def set_diff(self, old, new) -> bool:
		diff = get_diff(old, new)
		if not diff:
			return False
		self.ref_doctype = new.doctype
		self.docname = new.name
		self.data = frappe.as_json(diff, indent=None, separators=(",", ":"))
		return True

	def for_insert(self, doc) -> bool:
		updater_reference = doc.flags.updater_reference
		if not updater_reference:
			return False
		data = {"creation": doc.creation, "updater_reference": updater_reference, "created_by": doc.owner}
		self.ref_doctype = doc.doctype
		self.docname = doc.name
		self.data = frappe.as_json(data, indent=None, separators=(",", ":"))
		return True

	def get_data(self):
		return frappe.parse_json(self.data)


def get_diff(old, new, for_child=False):
	"""{changed: [[field, old, new]], added: [[table, row]], removed: [[table, row]], row_changed:
	[[table, idx, name, changed]]} or None. Values are compared as stored first, then formatted (text
	editors and code compared raw), so 100 and "100.0" are no change but None and 0 are."""
	if not new:
		return None
	blacklisted_fields = ["Markdown Editor", "Text Editor", "Code", "HTML Editor"]
	out = frappe._dict(
		changed=[],
		added=[],
		removed=[],
		row_changed=[],
		data_import=new.flags.via_data_import,
		updater_reference=new.flags.updater_reference,
	)
	for df in new.meta.fields:
		if df.fieldtype in no_value_fields and df.fieldtype not in table_fields:
			continue
		old_value, new_value = old.get(df.fieldname), new.get(df.fieldname)
		if not for_child and df.fieldtype in table_fields:
			old_rows_by_name = {d.name: d for d in old_value or []}
			found_rows = set()
			for i, d in enumerate(new_value or []):
				if d.name and d.name in old_rows_by_name:
					found_rows.add(d.name)
					diff = get_diff(old_rows_by_name[d.name], d, for_child=True)
					if diff and diff.changed:
						out.row_changed.append((df.fieldname, i, d.name, diff.changed))
				else:
					out.added.append([df.fieldname, d.as_dict()])
			for d in old_value or []:
				if d.name not in found_rows:
					out.removed.append([df.fieldname, d.as_dict()])
		elif old_value != new_value:
			if df.fieldtype not in blacklisted_fields:
				old_value = old.get_formatted(df.fieldname) if old_value else old_value
				new_value = new.get_formatted(df.fieldname) if new_value else new_value
			if old_value != new_value:
				out.changed.append((df.fieldname, old_value, new_value))
	if not for_child:
		for key in ("name", "docstatus"):
			old_value, new_value = getattr(old, key), getattr(new, key)
			if old_value != new_value:
				out.changed.append([key, old_value, new_value])
	if any((out.changed, out.added, out.removed, out.row_changed)):
		return out
	return None
