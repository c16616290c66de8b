"""Which saves leave a Version row, and what it says, as v15 (Document.save_version,
core/doctype/version/version.py), on SQLite and on MariaDB."""

import json


def versions(frappe, name):
	rows = frappe.get_all(
		"Version",
		filters={"ref_doctype": "LF Item", "docname": name},
		fields=["data"],
		order_by="creation asc",
	)
	return [json.loads(r.data) for r in rows]


def test_no_version_on_insert_unless_an_updater_is_named(fl):
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Item", "title": "plain"}).insert()
	assert versions(frappe, doc.name) == []
	tagged = frappe.get_doc({"doctype": "LF Item", "title": "imported"})
	tagged.flags.updater_reference = {"doctype": "Data Import", "docname": "DI-1", "label": "import"}
	tagged.insert()
	(data,) = versions(frappe, tagged.name)
	assert data["updater_reference"]["docname"] == "DI-1" and data["created_by"] == "Administrator"


def test_save_records_the_formatted_diff(fl):
	frappe = fl
	doc = frappe.get_doc(
		{"doctype": "LF Item", "title": "v1", "qty": 1, "amount": 1000, "due": "2024-01-05", "notes": "a"}
	).insert()
	doc.title = "v2"
	doc.amount = 1234.5
	doc.due = "2024-02-06"
	doc.save()
	(data,) = versions(frappe, doc.name)
	assert set(data) == {"changed", "added", "removed", "row_changed", "data_import", "updater_reference"}
	changed = {c[0]: c[1:] for c in data["changed"]}
	assert changed["title"] == ["v1", "v2"]
	assert changed["amount"] == ["1,000.00", "1,234.50"]  # formatted as the site shows them
	assert changed["due"] == ["2024-01-05", "2024-02-06"]
	assert data["added"] == data["removed"] == data["row_changed"] == []


def test_what_counts_as_a_change(fl):
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Item", "title": "same", "qty": 2, "amount": 5}).insert()
	# a Currency that only differs in type is no change (both format as "5.00"); an Int is not formatted
	doc.amount = "5.0"
	doc.qty = "2"
	# a field left None in memory while the row holds 0 is a change (v15 compares None != 0)
	doc.save()
	(data,) = versions(frappe, doc.name)
	changed = {c[0]: c[1:] for c in data["changed"]}
	assert "amount" not in changed and "flag" not in changed
	assert changed["qty"] == [2, "2"]
	assert changed["big"] == [0, None] and changed["rate"] == [0.0, None]
	# nothing changed at all: no Version
	fresh = frappe.get_doc("LF Item", doc.name)
	fresh.save()
	assert len(versions(frappe, doc.name)) == 1


def test_child_rows_and_when_versions_are_skipped(fl):
	frappe = fl
	doc = frappe.get_doc(
		{"doctype": "LF Item", "title": "rows", "lines": [{"item_code": "A", "qty": 1}]}
	).insert()
	doc = frappe.get_doc("LF Item", doc.name)
	doc.lines[0].qty = 3
	doc.append("lines", {"item_code": "B", "qty": 1})
	doc.save()
	(data,) = versions(frappe, doc.name)
	assert data["row_changed"] == [["lines", 0, doc.lines[0].name, [["qty", 1, 3]]]]
	assert data["added"][0][0] == "lines" and data["added"][0][1]["item_code"] == "B"
	# frappe.flags.in_test: saves skip versions unless save(ignore_version=False); so does ignore_version
	frappe.flags.in_test = True
	try:
		doc.title = "rows 2"
		doc.save()
		assert len(versions(frappe, doc.name)) == 1
		doc.title = "rows 3"
		doc.save(ignore_version=False)
		assert len(versions(frappe, doc.name)) == 2
	finally:
		frappe.flags.in_test = False
	doc.title = "rows 4"
	doc.save(ignore_version=True)
	assert len(versions(frappe, doc.name)) == 2
	# a DocType without track_changes never gets one
	note = frappe.get_doc({"doctype": "LF Note", "subject": "x"}).insert()
	note.subject = "y"
	note.save()
	assert not frappe.db.exists("Version", {"ref_doctype": "LF Note"})
