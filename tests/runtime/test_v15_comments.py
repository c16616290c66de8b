"""Document.add_comment as v15: it inserts a Comment (ignore_permissions) and returns it; the Comment
controller defaults the commenter and mirrors comments in the document's `_comments` — SQLite and MariaDB."""

import json


def test_add_comment_returns_the_inserted_comment(fl):
	frappe = fl
	item = frappe.get_doc({"doctype": "LF Item", "title": "commented"}).insert()
	modified = frappe.db.get_value("LF Item", item.name, "modified")
	comment = item.add_comment("Comment", "first remark")
	assert type(comment).__name__ == "Comment" and comment.doctype == "Comment"
	assert not comment.is_new() and frappe.db.exists("Comment", comment.name)
	assert comment.comment_type == "Comment" and comment.content == "first remark"
	assert comment.comment_email == "Administrator" and comment.comment_by is None
	assert comment.reference_doctype == "LF Item" and comment.reference_name == item.name
	assert comment.published == 0 and comment.seen == 0 and comment.docstatus == 0
	# the document lists its comments in `_comments`, without its `modified` changing
	row = frappe.db.get_value("LF Item", item.name, ["_comments", "modified"], as_dict=True)
	assert json.loads(row._comments) == [
		{"comment": "first remark", "by": "Administrator", "name": comment.name}
	]
	assert row.modified == modified

	# content defaults to the type; other types are not mirrored; long text is truncated in the mirror
	info = item.add_comment("Info")
	assert info.content == "Info"
	item.add_comment("Comment", "x" * 150, comment_email="someone@example.com", comment_by="Someone")
	mirrored = json.loads(frappe.db.get_value("LF Item", item.name, "_comments"))
	assert [c["comment"] for c in mirrored] == ["first remark", "x" * 97 + "..."]
	assert mirrored[1]["by"] == "someone@example.com"

	# deleting a comment takes it out of the mirror
	frappe.delete_doc("Comment", comment.name)
	assert [c["name"] for c in json.loads(frappe.db.get_value("LF Item", item.name, "_comments"))] == [
		mirrored[1]["name"]
	]
