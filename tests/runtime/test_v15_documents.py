"""What documents hold before and after they are saved, as Frappe v15 (model/create_new.py,
model/base_document.py, model/document.py, installer.init_singles), on SQLite and on MariaDB."""

import datetime
import re

TIME_TEXT = re.compile(r"^\d\d:\d\d:\d\d\.\d{6}$")


def seconds_of(time_text):
	h, m, s = time_text.split(":")
	return int(h) * 3600 + int(m) * 60 + float(s)


def close_to_now(frappe, time_text, slack=120):
	now = frappe.utils.now_datetime()
	now_seconds = now.hour * 3600 + now.minute * 60 + now.second
	return abs(seconds_of(time_text) - now_seconds) <= slack


def test_new_doc_values_and_types(fl):
	"""frappe.new_doc: static defaults (not for the title field), a Select's first option even when empty,
	numbers fixed (Check 0, Int/Float only when a default exists), Datetime "now", and every Time field the
	current time whatever its JSON default."""
	frappe = fl
	from frappe.model.docstatus import DocStatus

	doc = frappe.new_doc("LF Note")
	assert doc.is_new() and doc.get("__unsaved") == 1
	assert doc.subject is None  # the title field takes no default
	assert doc.kind == ""  # first option of "\nPlain\nUrgent"
	assert doc.ratio == 1.5 and isinstance(doc.ratio, float)
	assert doc.price == 10.0 and isinstance(doc.price, float)
	assert doc.count is None and doc.weight is None
	assert doc.done == 0 and isinstance(doc.done, int)
	assert isinstance(doc.at, datetime.datetime)
	assert doc.on == frappe.utils.nowdate() and isinstance(doc.on, str)
	assert isinstance(doc.opens, str) and TIME_TEXT.match(doc.opens), doc.opens
	assert doc.opens != "06:00:00" and close_to_now(frappe, doc.opens)
	assert doc.owner == "Administrator" and doc.name is None and doc.idx == 0
	assert isinstance(doc.docstatus, DocStatus) and doc.docstatus.is_draft()
	assert doc.get("item") is None and "ref_name" in doc.as_dict()

	as_dict = frappe.new_doc("LF Note", as_dict=True)
	assert as_dict["doctype"] == "LF Note" and as_dict["__islocal"] == 1
	assert TIME_TEXT.match(as_dict["opens"]) and "lines" not in as_dict
	assert frappe.new_doc("LF Note", subject="given").subject == "given"

	# LF Item's Time field `t` has no default: it still gets the time
	item = frappe.new_doc("LF Item")
	assert TIME_TEXT.match(item.t) and item.lines == []


def test_get_doc_applies_no_defaults_until_insert(fl):
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Note"})
	assert doc.kind is None and doc.ratio is None and doc.opens is None and doc.done is None
	assert doc.docstatus == 0 and doc.idx == 0
	doc.insert()
	assert doc.kind == "" and doc.ratio == 1.5 and doc.done == 0 and doc.price == 10.0
	assert doc.subject is None  # nothing fills the title field
	assert TIME_TEXT.match(doc.opens) and close_to_now(frappe, doc.opens)
	assert doc.count is None  # an Int without default stays None in memory...
	assert frappe.db.get_value("LF Note", doc.name, "count") == 0  # ...the row gets 0
	stored = frappe.db.get_value("LF Note", doc.name, "opens")
	assert isinstance(stored, datetime.timedelta)
	assert not doc.is_new() and "__islocal" not in doc.as_dict() and "__unsaved" not in doc.as_dict()


def test_values_given_are_kept(fl):
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Note", "opens": "07:15:00", "kind": "Urgent", "subject": "s"})
	doc.insert()
	assert doc.opens == "07:15:00" and doc.kind == "Urgent"
	assert frappe.db.get_value("LF Note", doc.name, "opens") == datetime.timedelta(hours=7, minutes=15)


def test_single_never_saved_holds_a_new_docs_values(fl):
	"""get_doc/get_single of a Single with no rows in tabSingles: the new document's values (Time fields at
	the current time), numbers fixed, no __islocal."""
	frappe = fl
	frappe.db.delete("LF Settings")
	single = frappe.get_single("LF Settings")
	assert single.name == "LF Settings" and not single.is_new()
	assert single.label == "hello" and single.mode == "" and single.ratio == 1.5
	assert single.enabled == 0 and single.count is None and single.rate is None and single.day is None
	assert TIME_TEXT.match(single.opens) and close_to_now(frappe, single.opens)
	assert single.docstatus == 0 and single.docstatus.is_draft()


def test_singles_are_initialised_at_install(lite_site):
	"""installer.init_singles saves every Single right after its app's DocTypes are synced: its defaults are
	in tabSingles from the start, the Time field holding the install's time (as text)."""
	with lite_site.connect() as frappe:
		stored = frappe.db.get_singles_dict("LF Settings")
		assert stored["label"] == "hello" and stored["ratio"] == "1.5" and stored["enabled"] == "0"
		assert stored["count"] == "0" and stored["rate"] == "0"  # Int/Currency None saved as 0
		assert TIME_TEXT.match(stored["opens"]) and stored["opens"] != "06:00:00"
		assert "day" not in stored  # None is not stored
		settings = frappe.get_single("System Settings")
		assert settings.time_zone


def test_saved_single_loads_as_stored_text_with_numbers_fixed(fl):
	"""Document.load_from_db reads tabSingles without casting (get_singles_dict) and fixes only numbers:
	Date/Time/Datetime come back as text; get_single_value casts."""
	frappe = fl
	single = frappe.get_single("LF Settings")
	single.day = datetime.date(2024, 5, 6)
	single.opens = datetime.timedelta(hours=7, minutes=30)
	single.stamp = datetime.datetime(2024, 5, 6, 7, 30, 1)
	single.count = "7"
	single.rate = 12.5
	single.enabled = True
	single.save()
	loaded = frappe.get_single("LF Settings")
	assert loaded.day == "2024-05-06" and loaded.opens == "07:30:00"
	assert loaded.stamp == "2024-05-06 07:30:01"
	assert loaded.count == 7 and loaded.rate == 12.5 and loaded.enabled == 1
	assert frappe.db.get_singles_dict("LF Settings")["rate"] == "12.5"
	assert frappe.db.get_single_value("LF Settings", "day") == datetime.date(2024, 5, 6)
	assert frappe.db.get_single_value("LF Settings", "opens") == datetime.timedelta(hours=7, minutes=30)
	assert frappe.db.get_single_value("LF Settings", "count") == 7


def test_docstatus_is_a_docstatus(fl):
	frappe = fl
	from frappe.model.docstatus import DocStatus

	doc = frappe.get_doc({"doctype": "LF Note", "subject": "ds"}).insert()
	loaded = frappe.get_doc("LF Note", doc.name)
	assert isinstance(loaded.docstatus, DocStatus) and loaded.docstatus.is_draft()
	assert not loaded.docstatus.is_submitted() and not loaded.docstatus.is_cancelled()
	assert DocStatus.submitted() == 1 and DocStatus.cancelled() == 2 and isinstance(DocStatus.draft(), int)
	loaded.docstatus = "1"
	assert loaded.docstatus == 1 and isinstance(loaded.docstatus, DocStatus)
	# get() reads the stored value as it is: the database's int for a loaded document
	assert type(frappe.get_doc("LF Note", doc.name).get("docstatus")) is int


def test_get_with_a_default(fl):
	"""Document.get(key, default): a non-dict second argument is the default; every column of a document
	exists (None) so the default only answers for names that are not columns."""
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Item", "title": "g"})
	assert doc.get("notes", "fallback") is None
	assert doc.get("no_such_field", "fallback") == "fallback"
	assert doc.get("no_such_field") is None
	doc.append("lines", {"item_code": "A", "qty": 1})
	doc.append("lines", {"item_code": "B", "qty": 2})
	doc.append("lines", {"item_code": "C", "qty": 2})
	assert [r.item_code for r in doc.get("lines", {"qty": 2})] == ["B", "C"]
	assert [r.item_code for r in doc.get("lines", {"qty": 2}, limit=1)] == ["B"]
	assert [r.item_code for r in doc.get({"item_code": "A"})] == ["A"]
	assert doc.getone("lines", {"item_code": "C"}).qty == 2
	assert [r.idx for r in doc.lines] == [1, 2, 3] and doc.lines[0].parent_doc is doc


def test_as_dict_holds_coerced_column_values(fl):
	"""as_dict is get_valid_dict: numbers coerced (None → 0 / 0.0), every column present, child rows."""
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Note"})
	d = doc.as_dict()
	assert d["count"] == 0 and d["weight"] == 0.0 and d["done"] == 0 and d["subject"] is None
	assert d["doctype"] == "LF Note" and d["docstatus"] == 0
	no_nulls = doc.as_dict(no_nulls=True)
	assert no_nulls["count"] == 0 and "subject" not in no_nulls
