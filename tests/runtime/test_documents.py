"""Documents behave as in Frappe v15: constructor forms, defaults, hook order, naming, validation,
child tables, versions, comments, passwords — on SQLite and on MariaDB."""

import datetime
import json

import pytest


def make_item(frappe, **kw):
	d = {"doctype": "LF Item", "title": "Item"}
	d.update(kw)
	return frappe.get_doc(d).insert()


def test_get_doc_forms(fl):
	frappe = fl
	doc = make_item(frappe, title="forms", code="F-1")
	assert frappe.get_doc(doc) is doc
	loaded = frappe.get_doc("LF Item", doc.name)
	assert loaded.title == "forms" and loaded.doctype == "LF Item"
	assert frappe.get_doc("LF Item", {"code": "F-1"}).name == doc.name
	kw = frappe.get_doc(doctype="LF Item", title="kw")
	assert kw.title == "kw" and not kw.name
	with pytest.raises(ValueError):
		frappe.get_doc({"title": "no doctype"})
	with pytest.raises(frappe.DoesNotExistError):
		frappe.get_doc("LF Item", "LFI-99999")
	assert "not found" in frappe.local.message_log[-1]["message"]
	single = frappe.get_doc("LF Settings")
	assert single.name == "LF Settings" and single.label == "hello"
	assert frappe.get_single("LF Settings").label == "hello"


def test_controller_class_and_hook_order(fl):
	frappe = fl
	from lite_fixture.events import EVENTS

	EVENTS.clear()
	doc = make_item(frappe, title="hooks")
	assert type(doc).__name__ == "LFItem"
	assert EVENTS == [
		"before_insert",
		"before_naming",
		"before_validate",
		"validate:name_set=True",
		"doc_events:validate",
		"before_save",
		"after_insert",
		"doc_events*:after_insert",
		"on_update",
		"doc_events:on_update",
		"on_change",
	]
	EVENTS.clear()
	doc.title = "hooks 2"
	doc.save()
	assert EVENTS == [
		"before_validate",
		"validate:name_set=True",
		"doc_events:validate",
		"before_save",
		"on_update",
		"doc_events:on_update",
		"on_change",
	]


def test_new_doc_defaults(fl):
	frappe = fl
	doc = frappe.new_doc("LF Item")
	assert doc.is_new()
	assert doc.status == "Open"  # a Select without a default takes its first option
	assert doc.flag == 0
	assert str(doc.due) == frappe.utils.nowdate()
	assert doc.category == "general"
	raw = frappe.get_doc({"doctype": "LF Item", "title": "raw"})
	assert raw.status is None  # get_doc({...}) applies defaults only at insert
	raw.insert()
	assert raw.status == "Open" and raw.category == "general" and raw.flag == 0


def test_naming_series_and_formats(fl, lite_site):
	frappe = fl
	a = make_item(frappe)
	b = make_item(frappe)
	assert a.name.startswith("LFI-") and len(a.name) == 9
	assert int(b.name[4:]) == int(a.name[4:]) + 1
	assert frappe.db.sql("select current from tabSeries where name='LFI-'")[0][0] == int(b.name[4:])
	f1 = frappe.get_doc({"doctype": "LF Formatted", "title": "x"}).insert()
	assert f1.name.startswith("DRV-112") and len(f1.name) == 10
	# Frappe keeps a format: counter under the key '' (only the braced part's own prefix)
	assert frappe.db.sql("select current from tabSeries where name=''")[0][0] == int(f1.name[7:])
	f2 = frappe.get_doc({"doctype": "LF Formatted Two", "title": "y"}).insert()
	month = frappe.utils.now_datetime().strftime("%m")
	assert f2.name.startswith(f"VEH-{month}-")
	named = frappe.get_doc({"doctype": "LF Field Named", "code": " ABC-1 "}).insert()
	assert named.name == "ABC-1"
	with pytest.raises(frappe.MandatoryError):
		frappe.get_doc({"doctype": "LF Field Named", "code": ""}).insert()
	h = frappe.get_doc({"doctype": "LF Hash", "title": "h"}).insert()
	assert len(h.name) == 10 and h.name == h.name.lower()
	s = frappe.get_doc({"doctype": "LF Hash", "title": "s"}).insert(set_name="chosen-name")
	assert s.name == "chosen-name"
	# a primary-key clash on a hash-named DocType is retried with a new hash, as Frappe does
	retried = frappe.get_doc({"doctype": "LF Hash", "title": "dup"}).insert(set_name="chosen-name")
	assert retried.name != "chosen-name" and len(retried.name) == 10
	with pytest.raises(frappe.DuplicateEntryError):
		frappe.get_doc({"doctype": "LF Field Named", "code": "ABC-1"}).insert()
	assert "already exists" in frappe.local.message_log[-1]["message"]


@pytest.mark.parametrize(
	"fields,exc",
	[
		({"title": None}, "MandatoryError"),
		({"title": "x" * 21}, "CharacterLengthExceededError"),
		({"status": "Bogus"}, "ValidationError"),
		({"amount": -1}, "NonNegativeError"),
		({"ref": "LFI-00000"}, "LinkValidationError"),
		({"title": "reject me"}, "ValidationError"),
	],
)
def test_bad_values_raise_and_write_nothing(fl, fields, exc):
	frappe = fl
	before = frappe.db.count("LF Item")
	series_before = frappe.db.sql("select current from tabSeries where name='LFI-'")
	doc = frappe.get_doc({"doctype": "LF Item", "title": "ok", **fields})
	with pytest.raises(getattr(frappe, exc)) as info:
		doc.insert()
	assert type(info.value).__name__ == exc
	assert frappe.db.count("LF Item") == before
	# failed validation happens before the INSERT; the transaction holds no row of it
	frappe.db.rollback()
	assert frappe.db.sql("select current from tabSeries where name='LFI-'") == series_before


def test_unique_violation_raises_unique_validation_error(fl):
	frappe = fl
	make_item(frappe, code="U-1")
	frappe.db.commit()
	with pytest.raises(frappe.UniqueValidationError):
		make_item(frappe, code="U-1")
	assert any("must be unique" in m["message"] for m in frappe.local.message_log)
	frappe.db.rollback()
	assert frappe.db.count("LF Item", {"code": "U-1"}) == 1
	# MariaDB's utf8mb4_unicode_ci compares case-insensitively; the SQLite schema does too
	with pytest.raises(frappe.UniqueValidationError):
		make_item(frappe, code="u-1")


def test_value_coercion_and_types_roundtrip(fl):
	frappe = fl
	doc = make_item(
		frappe,
		title="types",
		qty="3.7",
		amount="1,234.50",
		flag="1",
		at="2026-01-02 03:04:05.123456",
		t="06:30:00",
		payload={"a": 1},
		big=12345678901,
	)
	assert doc.qty == "3.7"  # insert does not coerce the in-memory value (docs/frappe_slice.md §11)
	row = frappe.db.get_value(
		"LF Item", doc.name, ["qty", "amount", "flag", "at", "t", "payload", "big", "due"], as_dict=True
	)
	assert row.qty == 3 and row.flag == 1 and row.big == 12345678901
	assert row.amount == 1234.5 and isinstance(row.amount, float)
	assert row.at == datetime.datetime(2026, 1, 2, 3, 4, 5, 123456)
	assert row.t == datetime.timedelta(hours=6, minutes=30)
	assert json.loads(row.payload) == {"a": 1}
	assert isinstance(row.due, datetime.date)


def test_check_if_latest_refuses_stale_save(fl):
	frappe = fl
	doc = make_item(frappe, title="stale")
	frappe.db.commit()
	other = frappe.get_doc("LF Item", doc.name)
	other.title = "newer"
	other.save()
	doc.title = "older"
	with pytest.raises(frappe.TimestampMismatchError):
		doc.save()
	assert frappe.db.get_value("LF Item", doc.name, "title") == "newer"


def test_child_tables_append_save_and_remove(fl):
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Item", "title": "parent", "lines": [{"item_code": "A", "qty": 1}]})
	row = doc.append("lines", {"item_code": "B", "qty": 2, "amount": 10})
	assert row.idx == 2 and row.parentfield == "lines"
	doc.insert()
	assert row.parent == doc.name and row.parenttype == "LF Item"
	loaded = frappe.get_doc("LF Item", doc.name)
	assert [d.item_code for d in loaded.lines] == ["A", "B"]
	loaded.lines = [d for d in loaded.lines if d.item_code == "B"]
	loaded.append("lines", {"item_code": "C"})
	loaded.save()
	codes = frappe.db.sql(
		"select item_code from `tabLF Item Line` where parent=%s order by idx", (doc.name,), pluck=True
	)
	assert sorted(codes) == ["B", "C"]
	with pytest.raises(frappe.MandatoryError):
		frappe.get_doc({"doctype": "LF Item", "title": "bad child", "lines": [{"qty": 1}]}).insert()
	d = loaded.as_dict()
	assert d["doctype"] == "LF Item" and len(d["lines"]) == 2 and d["lines"][0]["doctype"] == "LF Item Line"


def test_db_set_reload_comment_version_and_delete(fl):
	frappe = fl
	from lite_fixture.events import EVENTS

	doc = make_item(frappe, title="v1")
	# v15: an insert writes no Version (tests/runtime/test_v15_versions.py has the details)
	assert frappe.db.count("Version", {"ref_doctype": "LF Item", "docname": doc.name}) == 0
	doc.title = "v2"
	doc.save()
	versions = frappe.get_all(
		"Version", filters={"docname": doc.name}, fields=["data"], order_by="creation asc"
	)
	assert len(versions) == 1
	assert ["title", "v1", "v2"] in json.loads(versions[0].data)["changed"]
	modified = doc.modified
	doc.db_set("notes", "set directly")
	assert frappe.db.get_value("LF Item", doc.name, "notes") == "set directly"
	assert str(frappe.db.get_value("LF Item", doc.name, "modified")) != str(modified)
	doc.db_set("qty", 5, update_modified=False)
	doc.reload()
	assert doc.qty == 5 and doc.notes == "set directly"
	comment = doc.add_comment("Comment", "hello")
	assert comment.reference_name == doc.name and comment.comment_email == "Administrator"
	assert frappe.db.get_value("Comment", comment.name, "content") == "hello"
	EVENTS.clear()
	frappe.delete_doc("LF Item", doc.name)
	assert "on_trash" in EVENTS
	assert not frappe.db.exists("LF Item", doc.name)


def test_single_doctype_save_and_values(fl):
	frappe = fl
	s = frappe.get_single("LF Settings")
	s.count = 7
	s.rate = "12.5"
	s.enabled = 1
	s.save()
	assert frappe.db.get_single_value("LF Settings", "count") == 7
	assert frappe.db.get_single_value("LF Settings", "rate") == 12.5
	frappe.db.set_single_value("LF Settings", "label", "changed")
	assert frappe.db.get_single_value("LF Settings", "label", cache=False) == "changed"
	assert frappe.db.get_value("LF Settings", None, "label") == "changed"
	assert frappe.db.exists("LF Settings", "LF Settings") == "LF Settings"
	assert frappe.get_doc("LF Settings").count == 7


def test_password_fields_are_encrypted(fl):
	frappe = fl
	doc = make_item(frappe, title="pw", secret="s3cret!")
	assert doc.secret == "*******"
	assert frappe.db.get_value("LF Item", doc.name, "secret") == "*******"
	stored = frappe.db.sql("select password from __Auth where doctype='LF Item' and name=%s", (doc.name,))[0][
		0
	]
	assert "s3cret" not in stored
	assert frappe.get_doc("LF Item", doc.name).get_password("secret") == "s3cret!"
	s = frappe.get_single("LF Settings")
	s.token = "tok-123"
	s.save()
	assert frappe.get_single("LF Settings").get_password("token") == "tok-123"


def test_get_cached_doc_is_cleared_on_save(fl):
	frappe = fl
	doc = make_item(frappe, title="cache")
	first = frappe.get_cached_doc("LF Item", doc.name)
	assert frappe.get_cached_doc("LF Item", doc.name) is first
	doc.title = "cache 2"
	doc.save()
	assert frappe.get_cached_doc("LF Item", doc.name).title == "cache 2"
	assert frappe.get_cached_value("LF Item", "nope", "title") is None
