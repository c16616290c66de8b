"""frappe.delete_doc as in v15 (model/delete_doc.py): on_trash and on_change before the link checks, Link
and Dynamic Link checks with Frappe's message (LinkExistsError), force skips them, rows that only refer to
the document (Comment, Version) do not block and are removed after it — on SQLite and on MariaDB."""

import pytest


def link(doctype, name):
	return f'<a href="/app/Form/{doctype}/{name}">{name}</a>'


def linked_message(doctype, name, ref_doctype, ref_name, row=""):
	return (
		f"Cannot delete or cancel because {doctype} {link(doctype, name)} is linked with "
		f"{'' if ref_doctype == ref_name else ref_doctype} {link(ref_doctype, ref_name)} {row}"
	)


def item(frappe, title="Item", **kw):
	return frappe.get_doc({"doctype": "LF Item", "title": title, **kw}).insert()


def note(frappe, **kw):
	return frappe.get_doc({"doctype": "LF Note", "subject": "n", **kw}).insert()


def test_order_on_trash_then_link_check(fl):
	"""v15: permission → on_trash → on_change → link checks → rows deleted → after_delete."""
	frappe = fl
	from lite_fixture.events import EVENTS

	target = item(frappe, "target")
	referrer = note(frappe, item=target.name)
	EVENTS.clear()
	frappe.clear_messages()
	with pytest.raises(frappe.LinkExistsError) as raised:
		frappe.delete_doc("LF Item", target.name)
	assert EVENTS == ["on_trash", "on_change"]  # the controller's hooks ran before the refusal
	message = linked_message("LF Item", target.name, "LF Note", referrer.name)
	assert str(raised.value) == message
	assert frappe.local.message_log[-1]["message"] == message
	assert raised.value.http_status_code == 417
	assert frappe.db.exists("LF Item", target.name)

	EVENTS.clear()
	frappe.delete_doc("LF Item", target.name, force=True)
	assert EVENTS == ["on_trash", "on_change"]
	assert not frappe.db.exists("LF Item", target.name)


def test_child_row_single_and_self_links(fl):
	frappe = fl
	target = item(frappe, "target")
	holder = item(frappe, "holder", lines=[{"item_code": "x", "item": target.name}])
	with pytest.raises(frappe.LinkExistsError) as raised:
		frappe.delete_doc("LF Item", target.name)
	# a child row's link names its parent
	assert str(raised.value) == linked_message("LF Item", target.name, "LF Item", holder.name)
	frappe.delete_doc("LF Item", holder.name)
	assert not frappe.db.exists("LF Item Line", {"parent": holder.name})

	settings = frappe.get_single("LF Settings")
	settings.default_item = target.name
	settings.save()
	with pytest.raises(frappe.LinkExistsError) as raised:
		frappe.delete_doc("LF Item", target.name)
	assert str(raised.value) == linked_message("LF Item", target.name, "LF Settings", "LF Settings")
	frappe.db.set_single_value("LF Settings", "default_item", None)

	# a document linking to itself does not stop its own deletion
	self_linked = item(frappe, "self")
	self_linked.db_set("ref", self_linked.name)
	frappe.delete_doc("LF Item", self_linked.name)
	frappe.delete_doc("LF Item", target.name)
	assert not frappe.db.exists("LF Item", target.name)


def test_dynamic_links(fl):
	frappe = fl
	target = item(frappe, "dyn")
	referrer = note(frappe, ref_type="LF Item", ref_name=target.name)
	with pytest.raises(frappe.LinkExistsError) as raised:
		frappe.delete_doc("LF Item", target.name)
	assert str(raised.value) == linked_message("LF Item", target.name, "LF Note", referrer.name)
	frappe.delete_doc("LF Note", referrer.name)
	frappe.delete_doc("LF Item", target.name)


def test_a_document_that_can_be_disabled(fl):
	frappe = fl
	tag = frappe.get_doc({"doctype": "LF Tag", "tag_name": "t-disable"}).insert()
	note(frappe, tag=tag.name)
	with pytest.raises(frappe.LinkExistsError) as raised:
		frappe.delete_doc("LF Tag", tag.name)
	assert str(raised.value) == "You can disable this LF Tag instead of deleting it."


def test_comments_and_versions_do_not_block_and_go_after(fl):
	frappe = fl
	target = item(frappe, "commented")
	comment = target.add_comment("Comment", "a remark")
	target.title = "commented 2"
	target.save(ignore_version=False)
	assert frappe.db.exists("Version", {"ref_doctype": "LF Item", "docname": target.name})
	frappe.flags.in_test = True  # Frappe deletes them at once in tests, else after the commit
	try:
		frappe.delete_doc("LF Item", target.name)
	finally:
		frappe.flags.in_test = False
	assert not frappe.db.exists("Comment", comment.name)
	assert not frappe.db.exists("Version", {"ref_doctype": "LF Item", "docname": target.name})

	other = item(frappe, "commented later")
	later = other.add_comment("Comment", "stays until the commit")
	frappe.delete_doc("LF Item", other.name)
	assert not frappe.db.exists("LF Item", other.name)
	assert frappe.db.exists("Comment", later.name)  # removed by a job after the commit


def test_missing_permission_and_passwords(fl):
	frappe = fl
	assert frappe.delete_doc("LF Item", "LFI-missing") is False
	frappe.clear_messages()
	with pytest.raises(frappe.DoesNotExistError):
		frappe.delete_doc("LF Item", "LFI-missing", ignore_missing=False)
	assert frappe.local.message_log == []

	secret = item(frappe, "secret", secret="s3cret")
	assert frappe.db.sql("select count(*) from `__Auth` where `name`=%s", (secret.name,))[0][0] == 1
	if not frappe.db.exists("User", "nobody@example.com"):
		frappe.get_doc({"doctype": "User", "email": "nobody@example.com", "first_name": "Nobody"}).insert(
			ignore_permissions=True
		)
	frappe.set_user("nobody@example.com")
	try:
		with pytest.raises(frappe.PermissionError):
			frappe.delete_doc("LF Item", secret.name)
		assert frappe.local.message_log[-1]["message"] == f"User not allowed to delete LF Item: {secret.name}"
	finally:
		frappe.set_user("Administrator")
	frappe.delete_doc("LF Item", secret.name)
	assert frappe.db.sql("select count(*) from `__Auth` where `name`=%s", (secret.name,))[0][0] == 0
