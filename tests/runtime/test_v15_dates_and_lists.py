"""Bad dates as v15 refuses them, and get_all(as_list=True) rows, on SQLite and on MariaDB.

- frappe.get_list/get_all parse filter values by fieldtype (model/db_query.py prepare_filter_condition):
  a bad Date is a ValidationError "... is not a valid date string.", a bad Datetime or Time dateutil's
  ParserError; `between` on a Datetime covers whole days. frappe.db.get_value passes values through.
- A Date/Datetime/Time value the database refuses fails the write with MariaDB's error 1292 (the SQLite
  backend refuses what MariaDB refuses, and stores what it accepts in canonical form).
- get_all(..., as_list=True) returns frappe.db.sql's rows: a tuple of tuples."""

import datetime

import pymysql
import pytest
from dateutil.parser import ParserError


def test_bad_dates_in_list_filters(fl):
	frappe = fl
	frappe.get_doc(
		{"doctype": "LF Item", "title": "dated", "due": "2024-01-05", "at": "2024-01-05 10:00:00"}
	).insert()
	frappe.clear_messages()
	with pytest.raises(frappe.ValidationError) as raised:
		frappe.get_all("LF Item", filters={"due": "2024-13-45"})
	assert str(raised.value) == "<strong>2024-13-45</strong> is not a valid date string."
	assert frappe.local.message_log[-1]["title"] == "Invalid Date"
	assert raised.value.http_status_code == 417
	with pytest.raises(frappe.ValidationError):
		frappe.get_list("LF Item", filters=[["due", ">", "garbage"]])
	with pytest.raises(ParserError):
		frappe.get_all("LF Item", filters={"at": ["<", "not a datetime"]})
	with pytest.raises(ParserError):
		frappe.get_all("LF Item", filters={"t": "half past seven"})
	# frappe.db does not parse: the database compares, and nothing matches
	assert frappe.db.get_value("LF Item", {"due": "2024-13-45"}) is None


def test_dates_in_list_filters_are_normalised(fl):
	frappe = fl
	doc = frappe.get_doc(
		{
			"doctype": "LF Item",
			"title": "norm",
			"due": "2024-02-10",
			"at": "2024-02-10 23:30:00",
			"t": "07:30:00",
		}
	).insert()
	assert frappe.get_all("LF Item", filters={"due": "2024-2-10", "name": doc.name}, pluck="name") == [
		doc.name
	]
	assert frappe.get_all("LF Item", filters={"due": datetime.datetime(2024, 2, 10, 9), "name": doc.name})
	# between on a Datetime: from the start of the first day to the end of the last
	assert frappe.get_all(
		"LF Item", filters=[["at", "between", ["2024-02-10", "2024-02-10"]], ["name", "=", doc.name]]
	)
	assert frappe.get_all("LF Item", filters={"t": "7:30", "name": doc.name})


def test_bad_dates_in_fields_are_refused_like_mariadb(fl):
	frappe = fl
	db_name = frappe.conf.db_name
	for field, value, kind in (
		("due", "2024-02-30", "date"),
		("at", "garbage", "datetime"),
		("at", "2024-01-05 25:00:00", "datetime"),
		("t", "10:61:00", "time"),
	):
		with pytest.raises(pymysql.err.OperationalError) as raised:
			frappe.get_doc({"doctype": "LF Item", "title": "bad", field: value}).insert()
		assert raised.value.args == (
			1292,
			f"Incorrect {kind} value: '{value}' for column `{db_name}`.`tabLF Item`.`{field}` at row 1",
		)
	doc = frappe.get_doc({"doctype": "LF Item", "title": "lenient", "due": "2024/1/5", "t": "7:5"}).insert()
	row = frappe.db.get_value("LF Item", doc.name, ["due", "t"], as_dict=True)
	assert row.due == datetime.date(2024, 1, 5) and row.t == datetime.timedelta(hours=7, minutes=5)
	with pytest.raises(pymysql.err.OperationalError):
		frappe.db.set_value("LF Item", doc.name, "due", "2024-13-01")


def test_get_all_as_list_rows_are_tuples(fl):
	frappe = fl
	frappe.get_doc({"doctype": "LF Hash", "title": "as-list", "amount": 3}).insert()
	rows = frappe.get_all("LF Hash", filters={"title": "as-list"}, fields=["title", "amount"], as_list=True)
	assert rows == (("as-list", 3.0),) and type(rows) is tuple and type(rows[0]) is tuple
	assert frappe.get_all("LF Hash", filters={"title": "none"}, as_list=True) == ()
	assert frappe.get_list("LF Hash", filters={"title": "as-list"}, fields=["title"], as_list=1) == (
		("as-list",),
	)
