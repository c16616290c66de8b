"""frappe.db matches Frappe v15's API and return shapes, transactions and error mapping, on both backends."""

import threading
import time

import pymysql
import pytest


def seed(frappe, n=3):
	names = []
	for i in range(n):
		d = frappe.get_doc({"doctype": "LF Hash", "title": f"row{i}", "amount": 10 * (i + 1)}).insert()
		names.append(d.name)
	return names


def test_sql_shapes_and_parameters(fl):
	frappe = fl
	seed(frappe)
	rows = frappe.db.sql("select title, amount from `tabLF Hash` order by title")
	assert isinstance(rows, tuple) and isinstance(rows[0], tuple)
	assert rows[0] == ("row0", 10.0)
	as_dict = frappe.db.sql("select title from `tabLF Hash` where title=%s", ("row1",), as_dict=True)
	assert as_dict == [{"title": "row1"}] and as_dict[0].title == "row1"
	assert frappe.db.sql("select title from `tabLF Hash` where title=%(t)s", {"t": "row2"}, as_list=True) == [
		["row2"]
	]
	assert frappe.db.sql("select title from `tabLF Hash` order by title", pluck=True) == [
		"row0",
		"row1",
		"row2",
	]
	# values are never %-interpolated: a `%%` inside a *value* stays two wildcards
	assert frappe.db.sql("select count(*) from `tabLF Hash` where title like %s", ("row%%",))[0][0] == 3
	assert (
		frappe.db.sql("select count(*) from `tabLF Hash` where title like concat(%s, '%%')", ("row",))[0][0]
		== 3
	)
	assert frappe.db.sql("select count(*) from `tabLF Hash` where title like 'row%'")[0][0] == 3
	assert (
		frappe.db.sql("select count(*) from `tabLF Hash` where title in %s", (("row0", "row2"),))[0][0] == 2
	)
	assert frappe.db.sql("update `tabLF Hash` set amount = amount + %s where title=%s", (1, "row0")) == ()
	assert frappe.db.sql("select ifnull(null, 'x')")[0][0] == "x"
	assert frappe.db.sql("select greatest(1, 5, 3), coalesce(null, 2), nullif(1, 1)")[0] == (5, 2, None)
	assert frappe.db.sql("select title from `tabLF Hash` where title='row0' for update") == (("row0",),)
	assert frappe.db.sql("select now()")[0][0]


def test_get_value_filters_and_operators(fl):
	frappe = fl
	names = seed(frappe)
	gv = frappe.db.get_value
	assert gv("LF Hash", names[0], "title") == "row0"
	assert gv("LF Hash", {"title": "row1"}) == names[1]
	assert gv("LF Hash", {"title": "row1"}, ["title", "amount"]) == ("row1", 20.0)
	assert gv("LF Hash", {"title": "row1"}, ["title"], as_dict=True) == {"title": "row1"}
	assert gv("LF Hash", {"title": "row1"}, "*")["amount"] == 20.0
	assert gv("LF Hash", {"title": "nope"}) is None
	assert gv("LF Hash", [["amount", ">", 25]], "title") == "row2"
	assert gv("LF Hash", [["LF Hash", "amount", "<", 15]], "title") == "row0"
	checks = {
		"=": ({"amount": ("=", 20)}, 1),
		"!=": ({"amount": ("!=", 20)}, 2),
		">=": ({"amount": (">=", 20)}, 2),
		"<=": ({"amount": ("<=", 20)}, 2),
		"in": ({"title": ("in", ["row0", "row1"])}, 2),
		"not in": ({"title": ("not in", ["row0"])}, 2),
		"like": ({"title": ("like", "row%")}, 3),
		"not like": ({"title": ("not like", "%1")}, 2),
		"between": ({"amount": ("between", [15, 30])}, 2),
		"is set": ({"title": ("is", "set")}, 3),
		"is not set": ({"title": ("is", "not set")}, 0),
		"names": (names[:2], 2),
	}
	for label, (filters, expected) in checks.items():
		assert frappe.db.count("LF Hash", filters) == expected, label
	values = frappe.db.get_values("LF Hash", {"amount": (">", 0)}, ["title", "amount"], order_by="amount asc")
	assert [v[0] for v in values] == ["row0", "row1", "row2"]
	assert frappe.db.get_values(
		"LF Hash", {"amount": (">", 0)}, "title", as_dict=True, limit=1, order_by="amount desc"
	) == [{"title": "row2"}]


def test_set_value_exists_count_delete_get_all(fl):
	frappe = fl
	names = seed(frappe)
	frappe.db.set_value("LF Hash", names[0], "title", "renamed")
	assert frappe.db.get_value("LF Hash", names[0], "title") == "renamed"
	before = frappe.db.get_value("LF Hash", names[1], "modified")
	frappe.db.set_value("LF Hash", names[1], {"title": "multi", "amount": 99}, update_modified=False)
	assert frappe.db.get_value("LF Hash", names[1], ["title", "amount", "modified"]) == (
		"multi",
		99.0,
		before,
	)
	assert frappe.db.exists("LF Hash", names[2]) == names[2]
	assert frappe.db.exists("LF Hash", {"title": "multi"}) == names[1]
	assert frappe.db.exists({"doctype": "LF Hash", "title": "renamed"}) == names[0]
	assert frappe.db.exists("LF Hash", "missing") is None
	assert frappe.db.count("LF Hash") == 3
	rows = frappe.get_all(
		"LF Hash", fields=["title", "amount"], filters={"amount": (">", 20)}, order_by="amount desc"
	)
	assert [r.title for r in rows] == ["multi", "row2"]
	assert frappe.get_all("LF Hash", pluck="title", order_by="title asc", limit=2) == ["multi", "renamed"]
	assert frappe.get_list("LF Hash", fields=["count(name) as n"])[0].n == 3
	assert frappe.get_all("LF Hash", fields=["sum(amount) as total"])[0].total == 99 + 10 + 30
	frappe.db.delete("LF Hash", {"title": "multi"})
	assert frappe.db.count("LF Hash") == 2


def test_get_list_checks_permission(fl):
	frappe = fl
	seed(frappe, 1)
	frappe.set_user("Guest")
	with pytest.raises(frappe.PermissionError):
		frappe.get_list("LF Hash")
	assert len(frappe.get_all("LF Hash")) == 1  # get_all ignores permissions
	frappe.set_user("Administrator")
	assert len(frappe.get_list("LF Hash")) == 1


def test_savepoint_rollback_keeps_earlier_work(fl):
	frappe = fl
	frappe.get_doc({"doctype": "LF Hash", "title": "before"}).insert()
	frappe.db.savepoint("sp_one")
	frappe.get_doc({"doctype": "LF Hash", "title": "inside"}).insert()
	frappe.db.rollback(save_point="sp_one")
	frappe.get_doc({"doctype": "LF Hash", "title": "after"}).insert()
	frappe.db.commit()
	assert sorted(frappe.db.sql("select title from `tabLF Hash`", pluck=True)) == ["after", "before"]
	from frappe.database.database import savepoint

	with savepoint(catch=ValueError):
		frappe.get_doc({"doctype": "LF Hash", "title": "ctx"}).insert()
		raise ValueError("undo")
	assert not frappe.db.exists("LF Hash", {"title": "ctx"})
	frappe.db.savepoint("sp_two")
	frappe.get_doc({"doctype": "LF Hash", "title": "released"}).insert()
	frappe.db.release_savepoint("sp_two")
	frappe.db.commit()
	assert frappe.db.exists("LF Hash", {"title": "released"})


def test_commit_callbacks_and_rollback(fl):
	frappe = fl
	calls = []
	frappe.db.before_commit.add(lambda: calls.append("before"))
	frappe.db.after_commit.add(lambda: calls.append("after"))
	frappe.get_doc({"doctype": "LF Hash", "title": "cb"}).insert()
	frappe.db.commit()
	assert calls == ["before", "after"]
	frappe.db.after_commit.add(lambda: calls.append("dropped"))
	frappe.db.after_rollback.add(lambda: calls.append("rolled back"))
	frappe.get_doc({"doctype": "LF Hash", "title": "gone"}).insert()
	frappe.db.rollback()
	frappe.db.commit()
	assert calls == ["before", "after", "rolled back"]
	assert not frappe.db.exists("LF Hash", {"title": "gone"})


def test_rolled_back_insert_rolls_back_series(fl):
	frappe = fl
	first = frappe.get_doc({"doctype": "LF Item", "title": "s1"}).insert()
	frappe.db.commit()
	frappe.get_doc({"doctype": "LF Item", "title": "s2"}).insert()
	frappe.db.rollback()
	third = frappe.get_doc({"doctype": "LF Item", "title": "s3"}).insert()
	assert int(third.name[4:]) == int(first.name[4:]) + 1


def test_duplicate_key_error_is_pymysql_integrity_error(fl):
	frappe = fl
	frappe.db.sql("insert into `tabLF Field Named` (name, code) values ('K1', 'K1')")
	with pytest.raises(pymysql.err.IntegrityError) as info:
		frappe.db.sql("insert into `tabLF Field Named` (name, code) values ('K1', 'K1')")
	assert frappe.db.is_duplicate_entry(info.value)
	assert frappe.db.is_primary_key_violation(info.value)
	with pytest.raises(Exception) as missing:
		frappe.db.sql("select * from `tabNo Such Table`")
	assert frappe.db.is_table_missing(missing.value)


def test_log_error_and_messages(fl):
	frappe = fl
	try:
		raise RuntimeError("boom")
	except RuntimeError:
		log = frappe.log_error(title="Something Failed")
	assert log.method == "Something Failed" and "RuntimeError: boom" in log.error
	explicit = frappe.log_error(
		"Balance Fixed", "details here", reference_doctype="LF Hash", reference_name="x"
	)
	assert explicit.error == "details here" and explicit.reference_doctype == "LF Hash"
	# Error Log is MyISAM on MariaDB (docs/frappe_slice.md §11): the row survives a rollback on both backends
	frappe.db.rollback()
	assert frappe.db.exists("Error Log", explicit.name)
	frappe.local.message_log = []
	frappe.msgprint("note")
	with pytest.raises(frappe.ValidationError):
		frappe.throw("bad", title="Bad")
	assert [m["message"] for m in frappe.local.message_log] == ["note", "bad"]
	assert frappe.local.message_log[1]["indicator"] == "red"
	with pytest.raises(frappe.PermissionError):
		frappe.throw("no", frappe.PermissionError)


def test_money_sums_do_not_drift(fl):
	"""1000 credits of 0.10 by atomic UPDATE, and SUM() over 1000 rows of 0.10, are exactly 100.00."""
	frappe = fl
	from decimal import Decimal

	doc = frappe.get_doc({"doctype": "LF Hash", "title": "money", "amount": 0}).insert()
	for _ in range(1000):
		frappe.db.sql(
			"update `tabLF Hash` set amount = amount + %s where name=%s", (Decimal("0.10"), doc.name)
		)
	assert Decimal(str(frappe.db.get_value("LF Hash", doc.name, "amount"))) == Decimal("100")
	rows = [(f"m{i}", "sum", Decimal("0.10")) for i in range(1000)]
	for row in rows:
		frappe.db.sql("insert into `tabLF Hash` (name, title, amount) values (%s, %s, %s)", row)
	total = frappe.db.sql("select sum(amount) from `tabLF Hash` where title='sum'")[0][0]
	assert Decimal(str(total)) == Decimal("100")
	frappe.db.sql("update `tabLF Hash` set amount = 0.1 + 0.2 where name=%s", (doc.name,))
	assert str(frappe.db.get_value("LF Hash", doc.name, "amount")) == "0.3"


def _second_connection(site):
	"""A connection to the same site outside frappe.local (as another process would have)."""
	import frappe
	from frappe.database import get_db

	return get_db(frappe.get_site_config(site.sites_path, f"{site.sites_path}/{site.name}")).connect()


def test_commit_visible_to_other_connection_rollback_not(fl, lite_site):
	frappe = fl
	other = _second_connection(lite_site)
	try:
		frappe.get_doc({"doctype": "LF Hash", "title": "visible"}).insert()
		frappe.get_doc({"doctype": "LF Hash", "title": "hidden"}).insert()
		frappe.db.commit()
		frappe.get_doc({"doctype": "LF Hash", "title": "never"}).insert()
		frappe.db.rollback()
		other.commit()
		titles = set(other.sql("select title from `tabLF Hash`", pluck=True))
		assert {"visible", "hidden"} <= titles and "never" not in titles
	finally:
		other.close()


def test_for_update_blocks_second_writer_until_commit(fl, lite_site):
	"""A second connection's locking read waits for the first's commit, then sees its write (both backends)."""
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Hash", "title": "locked", "amount": 1}).insert()
	frappe.db.commit()
	frappe.db.sql("select amount from `tabLF Hash` where name=%s for update", (doc.name,))
	frappe.db.sql("update `tabLF Hash` set amount = 2 where name=%s", (doc.name,))
	seen = {}

	def second():
		other = _second_connection(lite_site)
		try:
			seen["value"] = other.sql(
				"select amount from `tabLF Hash` where name=%s for update", (doc.name,)
			)[0][0]
			seen["at"] = time.monotonic()
			other.commit()
		finally:
			other.close()

	t = threading.Thread(target=second)
	t.start()
	time.sleep(0.6)
	assert "value" not in seen, "the second locking read must wait for the first transaction"
	committed_at = time.monotonic()
	frappe.db.commit()
	t.join(10)
	assert seen["value"] == 2.0 and seen["at"] >= committed_at


def test_lock_wait_timeout_maps_to_query_timeout_error(fl, lite_site):
	frappe = fl
	doc = frappe.get_doc({"doctype": "LF Hash", "title": "timeout"}).insert()
	frappe.db.commit()
	frappe.db.sql("update `tabLF Hash` set amount = 5 where name=%s", (doc.name,))
	import frappe as fr

	conf = fr.get_site_config(lite_site.sites_path, f"{lite_site.sites_path}/{lite_site.name}")
	conf["db_lock_wait_timeout"] = 1
	conf["sqlite_busy_timeout"] = 1
	from frappe.database import get_db

	other = get_db(conf).connect()
	try:
		with pytest.raises(frappe.QueryTimeoutError):
			other.sql("update `tabLF Hash` set amount = 6 where name=%s", (doc.name,))
	finally:
		other.close()
		frappe.db.rollback()


def test_deadlock_maps_to_query_deadlock_error(fl, lite_site):
	frappe = fl
	if frappe.db.db_type != "mariadb":
		pytest.skip("SQLite takes the write lock up front, so two writers cannot deadlock")
	a = frappe.get_doc({"doctype": "LF Hash", "title": "a"}).insert()
	b = frappe.get_doc({"doctype": "LF Hash", "title": "b"}).insert()
	frappe.db.commit()
	other = _second_connection(lite_site)
	errors = []
	try:
		frappe.db.sql("update `tabLF Hash` set amount = 1 where name=%s", (a.name,))
		other.sql("update `tabLF Hash` set amount = 1 where name=%s", (b.name,))

		def cross():
			try:
				other.sql("update `tabLF Hash` set amount = 2 where name=%s", (a.name,))
			except Exception as e:
				errors.append(e)

		t = threading.Thread(target=cross)
		t.start()
		time.sleep(0.3)
		try:
			frappe.db.sql("update `tabLF Hash` set amount = 2 where name=%s", (b.name,))
		except Exception as e:
			errors.append(e)
		t.join(10)
	finally:
		frappe.db.rollback()
		other.rollback()
		other.close()
	assert any(isinstance(e, frappe.QueryDeadlockError) for e in errors), errors
