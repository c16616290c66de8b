"""The text, markup and titles of v15's validation errors (model/base_document.py, model/document.py), on
SQLite and on MariaDB: what a user reads in _server_messages is what a bench would show."""

import pytest


def last(frappe):
	return frappe.local.message_log[-1]


def make(frappe, **fields):
	return frappe.get_doc({"doctype": "LF Item", "title": "ok", **fields})


def test_mandatory(fl):
	frappe = fl
	frappe.clear_messages()
	doc = make(frappe, title=None, lines=[{"qty": 1}])
	with pytest.raises(frappe.MandatoryError) as raised:
		doc.insert()
	# the exception names the fieldnames; the messages the labels, a child row by its DocType and row
	assert str(raised.value) == f"[LF Item, {doc.name}]: title, item_code"
	assert [m["message"] for m in frappe.local.message_log] == [
		"Error: Value missing for LF Item: Title",
		"Error: <strong>LF Item Line</strong> Row #1: Value missing for: Item Code",
	]
	# markup alone is no content
	with pytest.raises(frappe.MandatoryError):
		make(frappe, title="<p> </p>").insert()


def test_select(fl):
	frappe = fl
	frappe.clear_messages()
	with pytest.raises(frappe.ValidationError) as raised:
		make(frappe, status="Bogus").insert()
	message = ' Status cannot be "Bogus". It should be one of "Open", "Closed", "Cancelled"'
	assert str(raised.value) == message and type(raised.value) is frappe.ValidationError
	assert last(frappe)["message"] == message and last(frappe)["title"] == "Message"
	assert make(frappe, status=" Closed ").insert().status == "Closed"  # stripped


def test_length(fl):
	frappe = fl
	frappe.clear_messages()
	doc = make(frappe, title="x" * 21)
	with pytest.raises(frappe.CharacterLengthExceededError) as raised:
		doc.insert()
	assert str(raised.value) == (
		f"LF Item {doc.name}: '<strong>Title</strong>' ({'x' * 21}) will get truncated, as max characters allowed is 20"
	)
	assert last(frappe)["title"] == "Value too big"
	with pytest.raises(frappe.CharacterLengthExceededError) as raised:
		make(frappe, lines=[{"item_code": "y" * 141}]).insert()
	assert str(raised.value).startswith("LF Item Line, Row 1: '<strong>Item Code</strong>' (")
	assert str(raised.value).endswith("will get truncated, as max characters allowed is 140")
	# an Int beyond int(11)
	doc = make(frappe, qty=2**31)
	with pytest.raises(frappe.CharacterLengthExceededError) as raised:
		doc.insert()
	assert str(raised.value) == (
		f"LF Item {doc.name}: '<strong>Qty</strong>' (2147483648) will get truncated, as max characters allowed is 2147483647"
	)


def test_non_negative(fl):
	frappe = fl
	frappe.clear_messages()
	with pytest.raises(frappe.NonNegativeError) as raised:
		make(frappe, amount=-1).insert()
	assert str(raised.value) == "Value cannot be negative for LF Item: <strong>Amount</strong>"
	assert last(frappe)["title"] == "Negative Value"
	# v15 checks Int, Float and Currency only: a negative Percent passes
	assert make(frappe, rate=-5).insert().rate == -5


def test_links(fl):
	frappe = fl
	frappe.clear_messages()
	with pytest.raises(frappe.LinkValidationError) as raised:
		make(frappe, ref="LFI-00000", lines=[{"item_code": "a", "item": "nope"}]).insert()
	assert str(raised.value) == "Could not find Ref: LFI-00000, Row #1: Item: nope"
	assert last(frappe)["title"] == "Message"  # v15: msgprint titles every message
	# the stored name wins over the case typed (both databases compare case-insensitively)
	frappe.get_doc({"doctype": "LF Tag", "tag_name": "Mixed Case"}).insert()
	note = frappe.get_doc({"doctype": "LF Note", "tag": "mixed case"}).insert()
	assert note.tag == "Mixed Case"
	# Dynamic Link: the DocType field first, then the document
	with pytest.raises(frappe.ValidationError) as raised:
		frappe.get_doc({"doctype": "LF Note", "ref_name": "x"}).insert()
	assert str(raised.value) == "Reference Type must be set first"
	with pytest.raises(frappe.LinkValidationError) as raised:
		frappe.get_doc({"doctype": "LF Note", "ref_type": "LF Item", "ref_name": "nope"}).insert()
	assert str(raised.value) == "Could not find Reference Name: nope"


def test_permission_message(fl):
	frappe = fl
	if not frappe.db.exists("User", "plain@example.com"):
		frappe.get_doc({"doctype": "User", "email": "plain@example.com", "first_name": "Plain"}).insert(
			ignore_permissions=True
		)
	frappe.set_user("plain@example.com")
	try:
		with pytest.raises(frappe.PermissionError):
			make(frappe).insert()
		assert frappe.flags.error_message == "Insufficient Permission for LF Item (<strong>create</strong>)"
	finally:
		frappe.set_user("Administrator")
