"""In-process scenarios: each a small piece of app-like code run on a site with the probe app installed,
returning what that code would see (values AND their types). Written once; run by probe.py on frappe_lite
(SQLite, MariaDB) and on a real Frappe v15 bench, then compared (compare.py).

Rules for a scenario: import only frappe (no frappe_lite internals), leave nothing committed unless the area
needs it (the probe rolls back after each), name what it creates with TAG so runs never collide, and reduce
what depends on a site's history (series counters, hash names) to its shape with `shape()`."""

import re

import frappe

SCENARIOS = []
TAG = None  # set by probe.py: a short random token unique to this run


def scenario(area):
	def register(fn):
		SCENARIOS.append((area, fn.__name__, fn))
		return fn

	return register


def shape(name):
	"""A name reduced to its form: digits → 9, a 10-char hash → <hash>, the run's tag kept as <tag>."""
	if name is None:
		return None
	name = str(name).replace(TAG or "\0", "<tag>")
	if re.fullmatch(r"[0-9a-z]{10}", name):
		return "<hash>"
	return re.sub(r"\d", "9", name)


def category(suffix="a", **extra):
	name = f"cat-{TAG}-{suffix}"
	if not frappe.db.exists("Probe Category", name):
		frappe.get_doc({"doctype": "Probe Category", "category_name": name, **extra}).insert()
	return name


def record(**values):
	return frappe.get_doc({"doctype": "Probe Record", **values}).insert()


FIELDS = [
	"data_field", "int_field", "float_field", "currency_field", "percent_field", "check_field", "date_field",
	"datetime_field", "time_field", "select_field", "status", "category", "small_text", "long_text",
	"code_field", "unique_code", "balance", "title", "photo", "location", "stamped_at",
]  # fmt: skip


def fields_of(doc):
	return {f: doc.get(f) for f in FIELDS}


# ---------------------------------------------------------------- new documents and defaults


@scenario("new_doc")
def new_doc_defaults_per_fieldtype():
	return fields_of(frappe.new_doc("Probe Record"))


@scenario("new_doc")
def new_doc_flags():
	doc = frappe.new_doc("Probe Record")
	return {
		"is_new": doc.is_new(),
		"name": doc.name,
		"docstatus": doc.docstatus,
		"docstatus_type": type(doc.docstatus).__name__,
		"idx": doc.idx,
		"owner": doc.owner,
		"items": doc.items,
		"doctype": doc.doctype,
	}


@scenario("new_doc")
def get_doc_dict_before_insert():
	doc = frappe.get_doc({"doctype": "Probe Record", "title": "x"})
	return {"is_new": doc.is_new(), **fields_of(doc)}


@scenario("new_doc")
def new_doc_with_kwargs():
	doc = frappe.new_doc("Probe Record", data_field="given")
	return {"data_field": doc.data_field, "int_field": doc.int_field}


@scenario("new_doc")
def new_child_row_defaults():
	doc = frappe.new_doc("Probe Record")
	row = doc.append("items", {"item_name": "a"})
	return {
		"qty": row.qty,
		"rate": row.rate,
		"idx": row.idx,
		"parentfield": row.parentfield,
		"parenttype": row.parenttype,
		"doctype": row.doctype,
		"class": type(row).__name__,
	}


@scenario("new_doc")
def document_get_with_default():
	doc = frappe.new_doc("Probe Record")
	return {
		"column_none": doc.get("datetime_field", "dflt"),
		"not_a_column": doc.get("no_such_field", "dflt"),
		"missing_attr": getattr(doc, "no_such_field", "absent"),
		"get_dict": doc.get({"item_name": "a"}) if False else None,
	}


@scenario("new_doc")
def new_doc_as_dict_keys():
	doc = frappe.new_doc("Probe Record")
	return sorted(k for k in doc.as_dict() if not k.startswith("_"))


# ---------------------------------------------------------------- insert, save, reload


@scenario("insert")
def insert_defaults_and_types():
	doc = record(title=f"t-{TAG}")
	return {**fields_of(doc), "name": shape(doc.name), "docstatus": doc.docstatus, "is_new": doc.is_new()}


@scenario("insert")
def insert_then_reload_types():
	doc = record(title=f"t-{TAG}", datetime_field="2024-01-05 10:30:00", percent_field=12.5, long_text="long")
	doc.reload()
	return fields_of(doc)


@scenario("insert")
def attach_and_geolocation_roundtrip():
	geo = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[36.8,-1.3]}}]}'
	doc = record(title=f"t-{TAG}", photo="/files/probe.png", location=geo)
	fresh = frappe.get_doc("Probe Record", doc.name)
	return {
		"photo": fresh.photo,
		"location": fresh.location,
		"types": [type(fresh.photo).__name__, type(fresh.location).__name__],
	}


@scenario("insert")
def insert_then_get_doc_types():
	doc = record(
		title=f"t-{TAG}",
		int_field="3",
		float_field="2.25",
		currency_field="9.999",
		check_field=0,
		date_field="2024-02-29",
		time_field="23:59:59",
	)
	fresh = frappe.get_doc("Probe Record", doc.name)
	return {"in_memory": fields_of(doc), "loaded": fields_of(fresh)}


@scenario("insert")
def insert_standard_fields():
	doc = record(title=f"t-{TAG}")
	fresh = frappe.get_doc("Probe Record", doc.name)
	return {
		"owner": fresh.owner,
		"modified_by": fresh.modified_by,
		"creation_type": type(fresh.creation).__name__,
		"modified_type": type(fresh.modified).__name__,
		"creation_eq_modified": fresh.creation == fresh.modified,
		"idx": fresh.idx,
		"docstatus": fresh.docstatus,
		"in_memory_creation_type": type(doc.creation).__name__,
	}


@scenario("insert")
def save_changes_and_modified():
	doc = record(title=f"t-{TAG}")
	before = doc.modified
	doc.int_field = 42
	doc.save()
	return {
		"int_field": frappe.db.get_value("Probe Record", doc.name, "int_field"),
		"modified_changed": str(doc.modified) != str(before),
		"modified_type": type(doc.modified).__name__,
	}


@scenario("insert")
def hook_order_insert():
	frappe.flags.probe_events = []
	record(title=f"t-{TAG}")
	return frappe.flags.probe_events


@scenario("insert")
def hook_order_save():
	doc = record(title=f"t-{TAG}")
	frappe.flags.probe_events = []
	doc.title = "changed"
	doc.save()
	return frappe.flags.probe_events


@scenario("insert")
def hook_order_delete():
	doc = record(title=f"t-{TAG}")
	frappe.flags.probe_events = []
	frappe.delete_doc("Probe Record", doc.name)
	return {"events": frappe.flags.probe_events, "exists": frappe.db.exists("Probe Record", doc.name)}


@scenario("insert")
def get_doc_returns_document_class():
	doc = record(title=f"t-{TAG}")
	fresh = frappe.get_doc("Probe Record", doc.name)
	return {"class": type(fresh).__name__, "module": type(fresh).__module__.split(".")[-1]}


@scenario("insert")
def db_set_value_on_document():
	doc = record(title=f"t-{TAG}")
	doc.db_set("int_field", 99)
	return {"memory": doc.int_field, "db": frappe.db.get_value("Probe Record", doc.name, "int_field")}


@scenario("insert")
def get_doc_before_save():
	doc = record(title=f"t-{TAG}", int_field=1)
	doc.int_field = 2
	doc.save()
	before = doc.get_doc_before_save()
	return {"before": before.int_field if before else None, "class": type(before).__name__}


@scenario("insert")
def has_value_changed():
	doc = record(title=f"t-{TAG}", int_field=1)
	doc = frappe.get_doc("Probe Record", doc.name)
	doc.int_field = 5
	doc.save()
	return {"int": doc.has_value_changed("int_field"), "title": doc.has_value_changed("title")}


@scenario("insert")
def insert_coerces_row_not_memory():
	doc = record(title=f"t-{TAG}", int_field="3.7", check_field="1")
	return {
		"memory_int": doc.int_field,
		"memory_check": doc.check_field,
		"db": frappe.db.get_value("Probe Record", doc.name, ["int_field", "check_field"], as_dict=True),
	}


@scenario("insert")
def password_field_roundtrip():
	doc = record(title=f"t-{TAG}", secret="s3cret")
	fresh = frappe.get_doc("Probe Record", doc.name)
	return {
		"memory": doc.secret,
		"loaded": fresh.secret,
		"get_password": fresh.get_password("secret"),
		"column": frappe.db.get_value("Probe Record", doc.name, "secret"),
	}


@scenario("insert")
def dynamic_link_roundtrip():
	cat = category()
	doc = record(title=f"t-{TAG}", ref_doctype="Probe Category", ref_name=cat)
	return frappe.db.get_value("Probe Record", doc.name, ["ref_doctype", "ref_name"], as_dict=True)


@scenario("insert")
def get_title():
	doc = record(title=f"t-{TAG}")
	return doc.get_title()


@scenario("insert")
def as_dict_of_saved_doc():
	doc = record(title=f"t-{TAG}", datetime_field="2024-01-05 10:30:00")
	d = frappe.get_doc("Probe Record", doc.name).as_dict()
	return {
		k: d[k]
		for k in sorted(d)
		if k not in ("name", "creation", "modified", "secret") and not k.startswith("_")
	}


@scenario("insert")
def as_dict_no_nulls():
	doc = frappe.get_doc("Probe Record", record(title=f"t-{TAG}").name)
	return sorted(k for k in doc.as_dict(no_nulls=True) if not k.startswith("_"))


@scenario("insert")
def run_method_controller():
	doc = frappe.new_doc("Probe Record")
	frappe.flags.probe_events = []
	doc.run_method("validate")
	return frappe.flags.probe_events


# ---------------------------------------------------------------- validation and its messages


@scenario("validation")
def mandatory_missing():
	frappe.get_doc({"doctype": "Probe Strict"}).insert()


@scenario("validation")
def mandatory_missing_amount_zero():
	frappe.get_doc({"doctype": "Probe Strict", "required_note": "n", "required_amount": 0}).insert()
	return "inserted"


@scenario("validation")
def link_to_missing():
	frappe.get_doc({"doctype": "Probe Record", "category": f"nope-{TAG}"}).insert()


@scenario("validation")
def dynamic_link_to_missing():
	frappe.get_doc(
		{"doctype": "Probe Record", "ref_doctype": "Probe Category", "ref_name": f"nope-{TAG}"}
	).insert()


@scenario("validation")
def select_bad_option():
	frappe.get_doc({"doctype": "Probe Record", "status": "Weird"}).insert()


@scenario("validation")
def unique_violation():
	record(title="a", unique_code=f"u-{TAG}")
	record(title="b", unique_code=f"u-{TAG}")


@scenario("validation")
def duplicate_name():
	category("dup")
	frappe.get_doc({"doctype": "Probe Category", "category_name": f"cat-{TAG}-dup"}).insert()


@scenario("validation")
def length_exceeded():
	frappe.get_doc(
		{"doctype": "Probe Strict", "required_note": "n", "required_amount": 1, "short": "toolong"}
	).insert()


@scenario("validation")
def non_negative_refused():
	record(title="neg", balance=-5)


@scenario("validation")
def controller_throw():
	record(title="r", data_field="refuse")


@scenario("validation")
def bad_date_value():
	record(title="bd", date_field="2024-02-30")


@scenario("validation")
def bad_time_value():
	record(title="bt", time_field="25:61:00")


@scenario("validation")
def bad_datetime_value():
	record(title="bdt", datetime_field="garbage")


@scenario("validation")
def get_doc_missing():
	frappe.get_doc("Probe Record", f"missing-{TAG}")


@scenario("validation")
def get_doc_unknown_doctype():
	frappe.get_doc("No Such DocType", "x")


@scenario("validation")
def timestamp_mismatch():
	doc = record(title=f"t-{TAG}")
	other = frappe.get_doc("Probe Record", doc.name)
	other.title = "first"
	other.save()
	doc.modified = "2020-01-01 00:00:00"
	doc.title = "second"
	doc.save()


@scenario("validation")
def mandatory_child_field():
	frappe.get_doc({"doctype": "Probe Record", "items": [{"qty": 1}]}).insert()


# ---------------------------------------------------------------- child tables


@scenario("child_tables")
def child_rows_insert_and_load():
	doc = record(title=f"t-{TAG}", items=[{"item_name": "a", "qty": 2, "rate": 1.5}, {"item_name": "b"}])
	fresh = frappe.get_doc("Probe Record", doc.name)
	return [
		{
			k: r.get(k)
			for k in ("item_name", "qty", "rate", "amount", "idx", "parentfield", "parenttype", "docstatus")
		}
		| {"class": type(r).__name__, "parent_is_name": r.parent == doc.name}
		for r in fresh.items
	]


@scenario("child_tables")
def child_rows_remove_on_save():
	doc = record(title=f"t-{TAG}", items=[{"item_name": "a"}, {"item_name": "b"}, {"item_name": "c"}])
	doc.items = [r for r in doc.items if r.item_name != "b"]
	doc.save()
	rows = frappe.get_all(
		"Probe Item", filters={"parent": doc.name}, fields=["item_name", "idx"], order_by="idx"
	)
	return rows


@scenario("child_tables")
def child_append_then_save():
	doc = record(title=f"t-{TAG}")
	doc.append("items", {"item_name": "late", "qty": 3})
	doc.save()
	return frappe.db.count("Probe Item", {"parent": doc.name})


@scenario("child_tables")
def child_get_all_with_parent():
	doc = record(title=f"t-{TAG}", items=[{"item_name": "a", "qty": 2}])
	return frappe.get_all(
		"Probe Item", filters={"parent": doc.name, "parenttype": "Probe Record"}, fields=["item_name", "qty"]
	)


@scenario("child_tables")
def child_deleted_with_parent():
	doc = record(title=f"t-{TAG}", items=[{"item_name": "a"}])
	frappe.delete_doc("Probe Record", doc.name)
	return frappe.db.count("Probe Item", {"parent": doc.name})


@scenario("child_tables")
def get_all_child_doctype_direct():
	record(title=f"t-{TAG}", items=[{"item_name": f"x-{TAG}"}])
	return frappe.get_all("Probe Item", filters={"item_name": f"x-{TAG}"}, pluck="item_name")


# ---------------------------------------------------------------- naming


@scenario("naming")
def hash_name_shape():
	name = record(title=f"t-{TAG}").name
	return {"shape": shape(name), "len": len(name), "lower": name == name.lower()}


@scenario("naming")
def field_name():
	return category("fn")


@scenario("naming")
def format_name():
	doc = frappe.get_doc({"doctype": "Probe Strict", "required_note": "n", "required_amount": 1}).insert()
	return shape(doc.name)


@scenario("naming")
def naming_series_name():
	doc = frappe.get_doc({"doctype": "Probe Series", "amount": 1}).insert()
	return {"shape": shape(doc.name), "series": doc.naming_series}


@scenario("naming")
def naming_series_consecutive():
	a = frappe.get_doc({"doctype": "Probe Series", "amount": 1}).insert()
	b = frappe.get_doc({"doctype": "Probe Series", "amount": 1}).insert()
	return int(b.name.rsplit("-", 1)[1]) - int(a.name.rsplit("-", 1)[1])


@scenario("naming")
def set_name_on_insert():
	doc = frappe.get_doc({"doctype": "Probe Record", "title": "x"})
	doc.insert(set_name=f"given-{TAG}")
	return doc.name


@scenario("naming")
def name_given_in_dict():
	return shape(frappe.get_doc({"doctype": "Probe Record", "name": f"named-{TAG}"}).insert().name)


@scenario("naming")
def rename_doc():
	old = category("old")
	doc = record(title="r", category=old)
	new = frappe.rename_doc("Probe Category", old, f"cat-{TAG}-new")
	return {
		"new": new,
		"link": frappe.db.get_value("Probe Record", doc.name, "category"),
		"old": frappe.db.exists("Probe Category", old),
	}


@scenario("naming")
def generate_hash_shape():
	return {"10": len(frappe.generate_hash(length=10)), "default": len(frappe.generate_hash())}


# ---------------------------------------------------------------- submit / cancel


@scenario("submit")
def submit_and_cancel():
	doc = frappe.get_doc({"doctype": "Probe Series", "amount": 3}).insert()
	doc.submit()
	submitted = frappe.db.get_value("Probe Series", doc.name, "docstatus")
	doc.cancel()
	return {"submitted": submitted, "cancelled": frappe.db.get_value("Probe Series", doc.name, "docstatus")}


@scenario("submit")
def docstatus_values():
	from frappe.model.docstatus import DocStatus

	return {
		"draft": DocStatus.draft(),
		"submitted": DocStatus.submitted(),
		"cancelled": DocStatus.cancelled(),
		"type": type(DocStatus.submitted()).__name__,
		"is_int": isinstance(DocStatus.submitted(), int),
		"eq": DocStatus.submitted() == 1,
	}


@scenario("submit")
def save_submitted_doc_refused():
	doc = frappe.get_doc({"doctype": "Probe Series", "amount": 3}).insert()
	doc.submit()
	doc.amount = 4
	doc.save()


@scenario("submit")
def delete_submitted_refused():
	doc = frappe.get_doc({"doctype": "Probe Series", "amount": 3}).insert()
	doc.submit()
	frappe.delete_doc("Probe Series", doc.name)


# ---------------------------------------------------------------- delete


@scenario("delete")
def delete_linked_refused():
	cat = category("linked")
	record(title="l", category=cat)
	frappe.delete_doc("Probe Category", cat)


@scenario("delete")
def delete_missing():
	frappe.delete_doc("Probe Category", f"nope-{TAG}")


@scenario("delete")
def delete_missing_ignored():
	return frappe.delete_doc("Probe Category", f"nope-{TAG}", ignore_missing=True)


@scenario("delete")
def document_delete_method():
	doc = record(title=f"t-{TAG}")
	doc.delete()
	return frappe.db.exists("Probe Record", doc.name)


# ---------------------------------------------------------------- Singles


@scenario("singles")
def single_defaults_after_install():
	doc = frappe.get_single("Probe Settings")
	return {
		f: doc.get(f) for f in ("enabled", "threshold", "fee", "ratio", "label", "mode", "start_date")
	} | {"start_time_type": type(doc.start_time).__name__}


@scenario("singles")
def single_value_types():
	frappe.db.set_single_value(
		"Probe Settings", {"threshold": 9, "fee": 3.5, "start_date": "2024-01-05", "ratio": 0.5}
	)
	return {
		f: frappe.db.get_single_value("Probe Settings", f)
		for f in ("enabled", "threshold", "fee", "ratio", "label", "start_date", "mode")
	}


@scenario("singles")
def single_doc_after_set():
	frappe.db.set_single_value("Probe Settings", "threshold", 11)
	doc = frappe.get_doc("Probe Settings")
	return {
		"threshold": doc.threshold,
		"fee": doc.fee,
		"enabled": doc.enabled,
		"name": doc.name,
		"start_date": doc.start_date,
	}


@scenario("singles")
def single_save():
	doc = frappe.get_single("Probe Settings")
	doc.label = "saved"
	doc.start_date = "2024-03-01"
	doc.save()
	return {
		"label": frappe.db.get_single_value("Probe Settings", "label"),
		"start_date": frappe.db.get_single_value("Probe Settings", "start_date"),
		"raw": frappe.db.get_value("Probe Settings", "Probe Settings", "label"),
	}


@scenario("singles")
def singles_dict():
	d = frappe.db.get_singles_dict("Probe Settings")
	return {"type": type(d).__name__, **{k: d.get(k) for k in ("enabled", "threshold", "fee", "label")}}


@scenario("singles")
def single_missing_field_value():
	return frappe.db.get_single_value("Probe Settings", "no_such_field")


@scenario("singles")
def single_password():
	doc = frappe.get_single("Probe Settings")
	doc.api_secret = "pw-1"
	doc.save()
	return {
		"get_password": frappe.get_single("Probe Settings").get_password("api_secret"),
		"raw": frappe.db.get_single_value("Probe Settings", "api_secret"),
	}


@scenario("singles")
def single_is_new_and_docstatus():
	doc = frappe.get_single("Probe Settings")
	return {"is_new": doc.is_new(), "docstatus": doc.docstatus, "name": doc.name}


# ---------------------------------------------------------------- frappe.db helpers


def _two_records():
	cat = category("db")
	a = record(title=f"a-{TAG}", int_field=1, currency_field=10, category=cat, date_field="2024-01-01")
	b = record(title=f"b-{TAG}", int_field=2, currency_field=20.5, category=cat, date_field="2024-01-02")
	return a, b, cat


@scenario("db")
def get_value_single_field():
	a, _, _ = _two_records()
	return frappe.db.get_value("Probe Record", a.name, "currency_field")


@scenario("db")
def get_value_many_fields():
	a, _, _ = _two_records()
	return frappe.db.get_value("Probe Record", a.name, ["int_field", "currency_field", "date_field"])


@scenario("db")
def get_value_as_dict():
	a, _, _ = _two_records()
	return frappe.db.get_value("Probe Record", a.name, ["int_field", "title"], as_dict=True)


@scenario("db")
def get_value_filters_dict():
	_two_records()
	return frappe.db.get_value("Probe Record", {"title": f"b-{TAG}"}, "int_field")


@scenario("db")
def get_value_missing():
	return frappe.db.get_value("Probe Record", f"nope-{TAG}", "int_field")


@scenario("db")
def get_value_missing_as_dict():
	return frappe.db.get_value("Probe Record", f"nope-{TAG}", ["int_field"], as_dict=True)


@scenario("db")
def get_value_order_by():
	_, _, cat = _two_records()
	return frappe.db.get_value("Probe Record", {"category": cat}, "title", order_by="int_field desc")


@scenario("db")
def get_value_star():
	a, _, _ = _two_records()
	row = frappe.db.get_value("Probe Record", a.name, "*", as_dict=True)
	return {"type": type(row).__name__, "int_field": row.int_field, "has_secret": "secret" in row}


@scenario("db")
def get_value_for_update():
	a, _, _ = _two_records()
	return frappe.db.get_value("Probe Record", a.name, "int_field", for_update=True)


@scenario("db")
def get_values_list():
	_, _, cat = _two_records()
	return frappe.db.get_values(
		"Probe Record", {"category": cat}, ["title", "int_field"], order_by="int_field"
	)


@scenario("db")
def get_values_as_dict():
	_, _, cat = _two_records()
	return frappe.db.get_values(
		"Probe Record", {"category": cat}, ["title", "int_field"], as_dict=True, order_by="int_field"
	)


@scenario("db")
def exists_by_name():
	a, _, _ = _two_records()
	return {
		"hit": frappe.db.exists("Probe Record", a.name) == a.name,
		"miss": frappe.db.exists("Probe Record", "nope"),
	}


@scenario("db")
def exists_by_filters():
	_two_records()
	return {
		"hit": bool(frappe.db.exists("Probe Record", {"title": f"a-{TAG}"})),
		"type": type(frappe.db.exists("Probe Record", {"title": f"a-{TAG}"})).__name__,
		"miss": frappe.db.exists("Probe Record", {"title": "nope"}),
	}


@scenario("db")
def exists_doctype_row():
	return {
		"dt": frappe.db.exists("DocType", "Probe Record"),
		"role": frappe.db.exists("Role", "Probe Reader"),
	}


@scenario("db")
def count_helpers():
	_, _, cat = _two_records()
	return {
		"filters": frappe.db.count("Probe Record", {"category": cat}),
		"list_filters": frappe.db.count("Probe Record", [["category", "=", cat], ["int_field", ">", 1]]),
	}


@scenario("db")
def set_value_one():
	a, _, _ = _two_records()
	frappe.db.set_value("Probe Record", a.name, "int_field", 50)
	return frappe.db.get_value("Probe Record", a.name, ["int_field", "modified_by"])


@scenario("db")
def set_value_dict():
	a, _, _ = _two_records()
	frappe.db.set_value("Probe Record", a.name, {"int_field": 51, "title": "new"})
	return frappe.db.get_value("Probe Record", a.name, ["int_field", "title"], as_dict=True)


@scenario("db")
def set_value_no_modified():
	a, _, _ = _two_records()
	before = frappe.db.get_value("Probe Record", a.name, "modified")
	frappe.db.set_value("Probe Record", a.name, "int_field", 5, update_modified=False)
	return frappe.db.get_value("Probe Record", a.name, "modified") == before


@scenario("db")
def sql_tuples():
	a, _, _ = _two_records()
	rows = frappe.db.sql(
		"select int_field, currency_field, date_field, title from `tabProbe Record` where name=%s", a.name
	)
	return rows


@scenario("db")
def sql_as_dict():
	a, _, _ = _two_records()
	return frappe.db.sql(
		"select int_field, currency_field, check_field from `tabProbe Record` where name=%(n)s",
		{"n": a.name},
		as_dict=True,
	)


@scenario("db")
def sql_as_list():
	a, _, _ = _two_records()
	return frappe.db.sql(
		"select int_field, title from `tabProbe Record` where name=%s", (a.name,), as_list=True
	)


@scenario("db")
def sql_aggregates():
	_, _, cat = _two_records()
	return frappe.db.sql(
		"select count(*), sum(currency_field), max(int_field), avg(int_field) from `tabProbe Record` where category=%s",
		cat,
	)


@scenario("db")
def sql_empty_result():
	return frappe.db.sql("select name from `tabProbe Record` where name=%s", "nope")


@scenario("db")
def sql_update_returns():
	a, _, _ = _two_records()
	return frappe.db.sql("update `tabProbe Record` set int_field=int_field+1 where name=%s", a.name)


@scenario("db")
def sql_in_tuple():
	a, b, _ = _two_records()
	return frappe.db.sql("select count(*) from `tabProbe Record` where name in %s", [(a.name, b.name)])


@scenario("db")
def sql_ifnull_coalesce():
	a, _, _ = _two_records()
	return frappe.db.sql(
		"select ifnull(datetime_field, 'none'), coalesce(small_text, 'x'), greatest(int_field, 5) from `tabProbe Record` where name=%s",
		a.name,
	)


@scenario("db")
def sql_like_escaping():
	_two_records()
	return frappe.db.sql("select count(*) from `tabProbe Record` where title like %s", f"a-{TAG}%")


@scenario("db")
def sql_missing_table():
	frappe.db.sql("select * from `tabNo Such Table`")


@scenario("db")
def sql_unknown_column():
	frappe.db.sql("select no_such_col from `tabProbe Record`")


@scenario("db")
def duplicate_entry_detection():
	category("dupe")
	try:
		frappe.db.sql(
			"insert into `tabProbe Category` (name, category_name) values (%s, %s)", (f"cat-{TAG}-dupe", "x")
		)
	except Exception as e:
		return {"is_duplicate": frappe.db.is_duplicate_entry(e), "type": type(e).__name__, "code": e.args[0]}


@scenario("db")
def savepoint_rollback():
	frappe.db.savepoint("probe_sp")
	category("sp")
	frappe.db.rollback(save_point="probe_sp")
	return frappe.db.exists("Probe Category", f"cat-{TAG}-sp")


@scenario("db")
def has_column_and_table():
	return {
		"col": frappe.db.has_column("Probe Record", "int_field"),
		"nocol": frappe.db.has_column("Probe Record", "nope"),
		"table": frappe.db.table_exists("Probe Record"),
		"notable": frappe.db.table_exists("No Such"),
	}


@scenario("db")
def db_delete_helper():
	a, _, _ = _two_records()
	frappe.db.delete("Probe Record", {"name": a.name})
	return frappe.db.exists("Probe Record", a.name)


@scenario("db")
def get_list_as_list_rows():
	_, _, cat = _two_records()
	return frappe.get_all(
		"Probe Record",
		filters={"category": cat},
		fields=["title", "int_field"],
		order_by="int_field",
		as_list=True,
	)


@scenario("db")
def escape_and_db_type():
	return {"escape": frappe.db.escape("it's"), "db_type_is_str": isinstance(frappe.db.db_type, str)}


@scenario("db")
def get_all_fields_types():
	_, _, cat = _two_records()
	return frappe.get_all(
		"Probe Record",
		filters={"category": cat},
		fields=[
			"int_field",
			"float_field",
			"currency_field",
			"check_field",
			"date_field",
			"time_field",
			"datetime_field",
			"percent_field",
		],
		order_by="int_field asc",
	)


@scenario("db")
def get_cached_value():
	a, _, _ = _two_records()
	return frappe.get_cached_value("Probe Record", a.name, ["int_field", "title"])


# ---------------------------------------------------------------- filters, operators, ordering


def _filter_rows():
	cat = category("flt")
	for i, (title, n, cur, d) in enumerate(
		[
			("apple", 1, 5, "2024-01-01"),
			("banana", 2, 10, "2024-01-15"),
			("cherry", 3, 15, "2024-02-01"),
			("date", 4, 0, None),
		]
	):
		record(
			title=f"{title}-{TAG}",
			int_field=n,
			currency_field=cur,
			date_field=d,
			category=cat,
			select_field="Beta" if i % 2 else "Alpha",
		)
	return cat


def _titles(filters, **kw):
	cat = _filter_rows()
	rows = frappe.get_all(
		"Probe Record",
		filters=[["category", "=", cat], *filters],
		pluck="title",
		order_by=kw.pop("order_by", "int_field asc"),
		**kw,
	)
	return [r.replace(f"-{TAG}", "") for r in rows]


@scenario("filters")
def op_equals():
	return _titles([["int_field", "=", 2]])


@scenario("filters")
def op_not_equals():
	return _titles([["int_field", "!=", 2]])


@scenario("filters")
def op_gt_lt():
	return {"gt": _titles([["int_field", ">", 2]]), "le": _titles([["int_field", "<=", 2]])}


@scenario("filters")
def op_in_notin():
	return {
		"in": _titles([["int_field", "in", [1, 3]]]),
		"not in": _titles([["int_field", "not in", [1, 3]]]),
	}


@scenario("filters")
def op_in_string():
	return _titles([["select_field", "in", "Alpha, Beta"]])


@scenario("filters")
def op_like():
	return {
		"like": _titles([["title", "like", "%an%"]]),
		"not like": _titles([["title", "not like", "%an%"]]),
	}


@scenario("filters")
def op_between_dates():
	return _titles([["date_field", "between", ["2024-01-01", "2024-01-31"]]])


@scenario("filters")
def op_is_set():
	return {
		"set": _titles([["date_field", "is", "set"]]),
		"not set": _titles([["date_field", "is", "not set"]]),
	}


@scenario("filters")
def op_date_compare():
	return _titles([["date_field", ">=", "2024-01-15"]])


@scenario("filters")
def op_currency_zero():
	return _titles([["currency_field", "=", 0]])


@scenario("filters")
def dict_filters_ops():
	cat = _filter_rows()
	rows = frappe.get_all(
		"Probe Record",
		filters={"category": cat, "int_field": [">", 1], "title": ["not like", "%an%"]},
		pluck="int_field",
		order_by="int_field",
	)
	return rows


@scenario("filters")
def or_filters():
	cat = _filter_rows()
	return sorted(
		frappe.get_all(
			"Probe Record",
			filters={"category": cat},
			or_filters=[["int_field", "=", 1], ["int_field", "=", 4]],
			pluck="int_field",
		)
	)


@scenario("filters")
def filter_none_value():
	return _titles([["date_field", "=", None]])


@scenario("filters")
def filter_bad_date():
	return _titles([["date_field", ">", "not-a-date"]])


@scenario("filters")
def filter_unknown_field():
	return _titles([["no_such_field", "=", 1]])


@scenario("filters")
def filter_bad_operator():
	return _titles([["int_field", "~~", 1]])


@scenario("ordering")
def order_desc():
	return _titles([], order_by="int_field desc")


@scenario("ordering")
def order_two_keys():
	return _titles([], order_by="select_field asc, int_field desc")


@scenario("ordering")
def default_order_is_modified_desc():
	cat = _filter_rows()
	return [
		r.replace(f"-{TAG}", "")
		for r in frappe.get_all("Probe Record", filters={"category": cat}, pluck="title")
	]


@scenario("ordering")
def limit_and_start():
	return {
		"limit": _titles([], limit=2),
		"start": _titles([], limit_start=1, limit_page_length=2),
	}


@scenario("ordering")
def group_by_count():
	cat = _filter_rows()
	return frappe.get_all(
		"Probe Record",
		filters={"category": cat},
		fields=["select_field", "count(name) as n"],
		group_by="select_field",
		order_by="select_field",
	)


@scenario("ordering")
def fields_sum_alias():
	cat = _filter_rows()
	return frappe.get_all("Probe Record", filters={"category": cat}, fields=["sum(currency_field) as total"])


@scenario("ordering")
def get_list_default_fields():
	cat = _filter_rows()
	rows = frappe.get_all("Probe Record", filters={"category": cat}, limit=1)
	return {"keys": sorted(rows[0].keys()), "type": type(rows[0]).__name__, "list_type": type(rows).__name__}


@scenario("ordering")
def get_all_pluck_name_count():
	cat = _filter_rows()
	return len(frappe.get_all("Probe Record", filters={"category": cat}, pluck="name"))


@scenario("ordering")
def get_all_star_fields():
	cat = _filter_rows()
	row = frappe.get_all("Probe Record", filters={"category": cat}, fields=["*"], limit=1)[0]
	return sorted(k for k in row if not k.startswith("_"))


# ---------------------------------------------------------------- query builder


@scenario("query_builder")
def qb_select():
	_, _, cat = _two_records()
	t = frappe.qb.DocType("Probe Record")
	return frappe.qb.from_(t).select(t.int_field).where(t.category == cat).orderby(t.int_field).run()


@scenario("query_builder")
def qb_as_dict_sum():
	from frappe.query_builder.functions import Sum

	_, _, cat = _two_records()
	t = frappe.qb.DocType("Probe Record")
	return (
		frappe.qb.from_(t)
		.select(Sum(t.currency_field).as_("total"))
		.where(t.category == cat)
		.run(as_dict=True)
	)


# ---------------------------------------------------------------- permissions and roles


def _reader():
	email = f"reader-{TAG}@probe.example"
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": f"R{TAG}", "send_welcome_email": 0}
		)
		user.append("roles", {"role": "Probe Reader"})
		user.insert(ignore_permissions=True)
	return email


def _plain():
	email = f"plain-{TAG}@probe.example"
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": f"P{TAG}", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	return email


@scenario("permissions")
def roles_of_users():
	reader = _reader()
	return {
		"admin_has_sysmgr": "System Manager" in frappe.get_roles("Administrator"),
		"reader": sorted(r for r in frappe.get_roles(reader) if r not in ("Desk User",)),
		"guest": frappe.get_roles("Guest"),
	}


@scenario("permissions")
def has_permission_matrix():
	reader = _reader()
	return {
		p: [frappe.has_permission("Probe Record", p, user=u) for u in ("Administrator", reader, "Guest")]
		for p in ("read", "write", "create", "delete")
	}


@scenario("permissions")
def reader_cannot_insert():
	frappe.set_user(_reader())
	try:
		frappe.get_doc({"doctype": "Probe Record", "title": "x"}).insert()
	finally:
		frappe.set_user("Administrator")


@scenario("permissions")
def reader_insert_ignore_permissions():
	frappe.set_user(_reader())
	try:
		doc = frappe.get_doc({"doctype": "Probe Record", "title": "x"}).insert(ignore_permissions=True)
		return {"owner_is_reader": doc.owner == frappe.session.user}
	finally:
		frappe.set_user("Administrator")


@scenario("permissions")
def reader_get_list():
	_two_records()
	frappe.set_user(_reader())
	try:
		return len(frappe.get_list("Probe Record", filters={"title": f"a-{TAG}"})) == 1
	finally:
		frappe.set_user("Administrator")


@scenario("permissions")
def plain_user_get_list_refused():
	frappe.set_user(_plain())
	try:
		return frappe.get_list("Probe Record", limit=1)
	finally:
		frappe.set_user("Administrator")


@scenario("permissions")
def plain_user_get_all_allowed():
	_two_records()
	frappe.set_user(_plain())
	try:
		return len(frappe.get_all("Probe Record", filters={"title": f"a-{TAG}"}))
	finally:
		frappe.set_user("Administrator")


@scenario("permissions")
def check_permission_raises():
	doc = record(title=f"t-{TAG}")
	frappe.set_user(_plain())
	try:
		doc.check_permission("write")
	finally:
		frappe.set_user("Administrator")


@scenario("permissions")
def only_for_refuses():
	frappe.set_user(_plain())
	try:
		frappe.only_for("System Manager")
	finally:
		frappe.set_user("Administrator")


@scenario("permissions")
def session_user_after_set_user():
	frappe.set_user(_reader())
	try:
		return {
			"user": frappe.session.user.replace(TAG, "<tag>"),
			"is_reader": frappe.session.user.startswith("reader-"),
		}
	finally:
		frappe.set_user("Administrator")


@scenario("permissions")
def user_type_of_users():
	return {
		"reader": frappe.db.get_value("User", _reader(), "user_type"),
		"plain": frappe.db.get_value("User", _plain(), "user_type"),
	}


# ---------------------------------------------------------------- comments, versions, Error Log


@scenario("comments")
def add_comment_returns():
	doc = record(title=f"t-{TAG}")
	c = doc.add_comment("Comment", text="hello <b>there</b>")
	return {
		"class": type(c).__name__,
		"comment_type": c.comment_type,
		"content": c.content,
		"reference_doctype": c.reference_doctype,
		"ref_ok": c.reference_name == doc.name,
		"comment_email": c.comment_email,
		"is_new": c.is_new(),
	}


@scenario("comments")
def add_comment_info():
	doc = record(title=f"t-{TAG}")
	doc.add_comment("Info", "an info")
	return frappe.get_all(
		"Comment",
		filters={"reference_name": doc.name, "comment_type": "Info"},
		fields=["content", "comment_type"],
	)


@scenario("comments")
def field_html_sanitised_on_save():
	doc = record(
		title=f"t-{TAG}",
		data_field="<b onclick='x()'>bold</b><script>bad()</script>",
		small_text="a < b and c > d",
		code_field="<script>kept()</script>",
		long_text='{"json": "<i>kept</i>"}',
	)
	return frappe.db.get_value(
		"Probe Record", doc.name, ["data_field", "small_text", "code_field", "long_text"], as_dict=True
	)


@scenario("comments")
def comment_script_sanitised():
	doc = record(title=f"t-{TAG}")
	c = doc.add_comment("Comment", text="<script>alert(1)</script>ok")
	return frappe.db.get_value("Comment", c.name, "content")


@scenario("versions")
def version_on_insert():
	doc = record(title=f"t-{TAG}")
	return frappe.db.count("Version", {"ref_doctype": "Probe Record", "docname": doc.name})


@scenario("versions")
def version_on_save():
	doc = record(title=f"t-{TAG}", int_field=1)
	doc = frappe.get_doc("Probe Record", doc.name)
	doc.int_field = 2
	doc.title = "changed"
	doc.save()
	rows = frappe.get_all(
		"Version", filters={"ref_doctype": "Probe Record", "docname": doc.name}, fields=["data"]
	)
	import json

	return [json.loads(r.data) for r in rows]


@scenario("versions")
def version_on_unchanged_save():
	doc = frappe.get_doc("Probe Record", record(title=f"t-{TAG}").name)
	doc.save()
	return frappe.db.count("Version", {"ref_doctype": "Probe Record", "docname": doc.name})


@scenario("versions")
def version_child_rows():
	doc = frappe.get_doc("Probe Record", record(title=f"t-{TAG}", items=[{"item_name": "a"}]).name)
	doc.append("items", {"item_name": "b"})
	doc.items[0].qty = 5
	doc.save()
	import json

	data = json.loads(frappe.get_all("Version", filters={"docname": doc.name}, pluck="data")[0])
	return {k: (len(v) if isinstance(v, list) else v) for k, v in data.items()}


@scenario("error_log")
def log_error_returns():
	e = frappe.log_error(title=f"probe {TAG}", message="the message")
	return {
		"class": type(e).__name__,
		"method": e.method,
		"error": e.error,
		"seen": e.seen,
		"doctype": e.doctype,
	}


@scenario("error_log")
def log_error_with_traceback():
	try:
		raise ValueError("boom")
	except ValueError:
		e = frappe.log_error(title=f"probe {TAG}")
	return {"has_traceback": "ValueError: boom" in e.error, "method": e.method}


@scenario("error_log")
def log_error_reference():
	e = frappe.log_error(f"probe {TAG}", "msg", reference_doctype="Probe Record", reference_name="x")
	return frappe.db.get_value(
		"Error Log", e.name, ["reference_doctype", "reference_name", "method"], as_dict=True
	)


@scenario("error_log")
def log_error_survives_rollback():
	e = frappe.log_error(title=f"probe {TAG}", message="kept")
	frappe.db.rollback()
	return bool(frappe.db.exists("Error Log", e.name))


# ---------------------------------------------------------------- exceptions and messages


@scenario("exceptions")
def throw_default():
	frappe.throw("plain")


@scenario("exceptions")
def throw_with_exc_and_title():
	frappe.throw("not allowed", frappe.PermissionError, title="Nope")


@scenario("exceptions")
def msgprint_log():
	frappe.msgprint("hello", title="T", indicator="green")
	frappe.msgprint("second")
	return len(frappe.local.message_log)


@scenario("exceptions")
def exception_hierarchy():
	names = [
		"ValidationError", "PermissionError", "DoesNotExistError", "MandatoryError", "LinkValidationError",
		"UniqueValidationError", "DuplicateEntryError", "TimestampMismatchError", "CharacterLengthExceededError",
		"QueryDeadlockError", "QueryTimeoutError", "AuthenticationError", "LinkExistsError", "NameError",
		"InvalidStatusError", "DocstatusTransitionError", "CSRFTokenError", "OutgoingEmailError",
	]  # fmt: skip
	out = {}
	for n in names:
		cls = getattr(frappe, n, None) or getattr(frappe.exceptions, n, None)
		if cls is None:
			out[n] = None
			continue
		out[n] = {
			"validation": issubclass(cls, frappe.ValidationError),
			"status": getattr(cls, "http_status_code", None),
		}
	return out


@scenario("exceptions")
def bold_and_translate():
	return {"bold": frappe.bold("x"), "_": frappe._("Hello {0}").format("w"), "_dict": frappe._dict(a=1).a}


@scenario("exceptions")
def get_traceback_text():
	try:
		raise KeyError("k")
	except KeyError:
		tb = frappe.get_traceback()
	return {"type": type(tb).__name__, "has": "KeyError" in tb, "starts": tb.startswith("Traceback")}


@scenario("exceptions")
def does_not_exist_message():
	try:
		frappe.get_doc("Probe Category", f"nope-{TAG}")
	except frappe.DoesNotExistError as e:
		return {"args": [str(a) for a in e.args], "str": str(e)}


# ---------------------------------------------------------------- utils


@scenario("utils")
def flt_cint_cstr():
	from frappe.utils import cint, cstr, flt

	return {
		"flt": [flt("1,234.5"), flt(None), flt("x"), flt(2.675, 2), flt("1.005", 2), flt(0.125, 2)],
		"cint": [cint("3.7"), cint(None), cint("x"), cint(True), cint("10")],
		"cstr": [cstr(None), cstr(1), cstr(1.5)],
	}


@scenario("utils")
def getdate_variants():
	from frappe.utils import getdate

	return [
		getdate("2024-01-05"),
		getdate("2024-1-5"),
		getdate("05-01-2024"),
		getdate(None),
		getdate("2024-01-05 10:00:00"),
	]


@scenario("utils")
def getdate_bad():
	from frappe.utils import getdate

	return getdate("2024-13-45")


@scenario("utils")
def get_datetime_variants():
	from frappe.utils import get_datetime

	return [
		get_datetime("2024-01-05 10:30:00"),
		get_datetime("2024-01-05"),
		get_datetime("2024-01-05 10:30:00.123456"),
	]


@scenario("utils")
def add_to_date_variants():
	from frappe.utils import add_days, add_months, add_to_date, add_years

	return [
		add_days("2024-01-31", 1),
		add_months("2024-01-31", 1),
		add_years("2024-02-29", 1),
		add_to_date("2024-01-05", hours=5),
		add_to_date("2024-01-05 10:00:00", days=1),
		add_to_date("2024-01-05", days=1, as_datetime=True),
		add_days(__import__("datetime").date(2024, 1, 5), 2),
	]


@scenario("utils")
def date_diff_helpers():
	from frappe.utils import date_diff, time_diff_in_seconds

	return {
		"diff": date_diff("2024-03-01", "2024-02-01"),
		"secs": time_diff_in_seconds("2024-01-01 10:00:00", "2024-01-01 09:00:00"),
	}


@scenario("utils")
def now_helpers_types():
	from frappe.utils import now, now_datetime, nowdate, nowtime, today

	return {
		"now": type(now()).__name__,
		"now_datetime": type(now_datetime()).__name__,
		"nowdate": type(nowdate()).__name__,
		"today": today() == nowdate(),
		"nowtime": type(nowtime()).__name__,
		"now_len": len(now()),
	}


@scenario("utils")
def money_formatting():
	from frappe.utils import fmt_money

	return [
		fmt_money(1234.5),
		fmt_money(1234.5, currency="KES"),
		fmt_money(0),
		fmt_money(-12.345, precision=2),
	]


@scenario("utils")
def format_value_helpers():
	from frappe.utils import format_date, format_datetime, format_time

	return [format_date("2024-01-05"), format_datetime("2024-01-05 10:30:00"), format_time("10:30:00")]


@scenario("utils")
def rounding_helpers():
	from frappe.utils import rounded

	return [rounded(2.5), rounded(3.5), rounded(2.675, 2), rounded(-1.5)]


@scenario("utils")
def strip_html_and_escape():
	from frappe.utils import escape_html, strip_html

	return [strip_html("<b>x</b> y"), escape_html("<a href='x'>&</a>")]


@scenario("utils")
def parse_json_and_as_json():
	return {"parsed": frappe.parse_json('{"a": [1, 2]}'), "dumped": frappe.as_json({"b": 1, "a": 2})}


@scenario("utils")
def scrub_unscrub():
	return [frappe.scrub("TukTuk Driver-X"), frappe.unscrub("tuktuk_driver")]


@scenario("utils")
def cache_roundtrip():
	frappe.cache.set_value(f"probe-{TAG}", {"a": 1})
	value = frappe.cache.get_value(f"probe-{TAG}")
	frappe.cache.delete_value(f"probe-{TAG}")
	return {
		"value": value,
		"after": frappe.cache.get_value(f"probe-{TAG}"),
		"callable": frappe.cache().get_value(f"probe-{TAG}"),
	}


@scenario("utils")
def sanitize_html():
	from frappe.utils.html_utils import sanitize_html

	return sanitize_html("<p onclick='x()'>hi<script>bad()</script></p>")


@scenario("utils")
def password_helpers():
	from frappe.utils.password import get_decrypted_password

	doc = record(title=f"t-{TAG}", secret="pw")
	return get_decrypted_password("Probe Record", doc.name, "secret")


# ---------------------------------------------------------------- hooks and jobs


@scenario("hooks")
def hooks_lookup():
	return {
		"doc_events": sorted(frappe.get_hooks("doc_events").get("Probe Record", {})),
		"override": frappe.get_hooks("override_whitelisted_methods").get("conformance_probe.api.overridden"),
		"app_name_hook": frappe.get_hooks("app_name", app_name="conformance_probe"),
		"installed": "conformance_probe" in frappe.get_installed_apps(),
	}


@scenario("hooks")
def scheduler_jobs_synced():
	return frappe.get_all(
		"Scheduled Job Type",
		filters={"method": "conformance_probe.events.scheduled_tick"},
		fields=["method", "frequency", "cron_format", "stopped"],
		order_by="frequency",
	)


@scenario("hooks")
def enqueue_now_runs_inline():
	return frappe.enqueue("conformance_probe.events.scheduled_tick", now=True)


@scenario("hooks")
def call_drops_unknown_kwargs():
	return frappe.call("conformance_probe.api.echo", a=1, b=2, c=3)


@scenario("hooks")
def whitelist_registry():
	from conformance_probe import api

	return {
		"is": api.ping in frappe.whitelisted,
		"guest": api.ping in frappe.guest_methods,
		"not": api.not_whitelisted in frappe.whitelisted,
	}


@scenario("hooks")
def get_meta_basics():
	meta = frappe.get_meta("Probe Record")
	return {
		"istable": meta.istable,
		"issingle": meta.issingle,
		"autoname": meta.autoname,
		"title_field": meta.title_field,
		"has_field": meta.has_field("int_field"),
		"fieldtype": meta.get_field("int_field").fieldtype,
		"table_fields": [f.fieldname for f in meta.get_table_fields()],
		"link_fields": [f.fieldname for f in meta.get_link_fields()],
		"track_changes": meta.track_changes,
	}


# ---------------------------------------------------------------- more of what the app calls


@scenario("db")
def before_commit_callback_runs():
	seen = []
	frappe.db.before_commit.add(lambda: seen.append("before"))
	frappe.db.commit()
	return seen


@scenario("db")
def commit_then_rollback_keeps():
	name = category("committed")
	frappe.db.commit()
	frappe.db.rollback()
	kept = bool(frappe.db.exists("Probe Category", name))
	frappe.delete_doc("Probe Category", name)
	frappe.db.commit()
	return kept


@scenario("hooks")
def site_path_and_conf():
	path = frappe.get_site_path("private", "backups")
	return {
		"ends": path.replace("\\", "/").split("/")[-3:][1:],
		"conf_type": type(frappe.conf).__name__,
		"missing": frappe.conf.get("no_such_key"),
		"db_name_set": bool(frappe.conf.db_name) or frappe.conf.get("db_type") == "sqlite",
	}


@scenario("hooks")
def scheduler_is_dormant():
	from frappe.utils import scheduler

	fn = getattr(scheduler, "is_dormant", None)
	return {"exists": fn is not None, "type": type(fn()).__name__ if fn else None}


@scenario("hooks")
def is_whitelisted_refuses():
	from conformance_probe import api

	frappe.set_user("Guest")
	try:
		frappe.is_whitelisted(api.whoami)
	finally:
		frappe.set_user("Administrator")


@scenario("naming")
def rename_to_taken_name():
	a, b = category("ra"), category("rb")
	frappe.rename_doc("Probe Category", a, b)


@scenario("db")
def get_value_for_update_skip_locked():
	a, _, _ = _two_records()
	return frappe.db.get_value(
		"Probe Record", a.name, ["int_field", "title"], for_update=True, skip_locked=True
	)


@scenario("insert")
def clear_document_cache_then_cached_doc():
	doc = record(title=f"t-{TAG}")
	first = frappe.get_cached_doc("Probe Record", doc.name)
	frappe.db.set_value("Probe Record", doc.name, "title", "changed")
	frappe.clear_document_cache("Probe Record", doc.name)
	return {
		"first": first.title.replace(TAG, "<tag>"),
		"after": frappe.get_cached_doc("Probe Record", doc.name).title,
	}
