# Values as people read them, following frappe/utils/formatters.py (v15) format_value, for the field types
# frappe_lite's documents have (Version rows record changes in this form).
import datetime

import frappe
from frappe.utils.data import (
	cint,
	cstr,
	flt,
	fmt_money,
	format_datetime,
	format_time,
	formatdate,
)


def format_value(value, df=None, doc=None, currency=None, translated=False, format=None):
	if isinstance(df, str):
		df = frappe._dict(fieldtype=df)
	if not df:
		df = frappe._dict()
		if isinstance(value, datetime.datetime):
			df.fieldtype = "Datetime"
		elif isinstance(value, datetime.date):
			df.fieldtype = "Date"
		elif isinstance(value, datetime.timedelta):
			df.fieldtype = "Time"
		elif isinstance(value, int):
			df.fieldtype = "Int"
		elif isinstance(value, float):
			df.fieldtype = "Float"
		else:
			df.fieldtype = "Data"
	elif isinstance(df, dict):
		df = frappe._dict(df)

	if value is None:
		value = ""
	elif translated:
		value = frappe._(value)

	fieldtype = df.get("fieldtype")
	if fieldtype == "Date":
		return formatdate(value)
	if fieldtype == "Datetime":
		return format_datetime(value)
	if fieldtype == "Time":
		try:
			return format_time(value)
		except ValueError:
			return format_timedelta(value)
	if (
		value == 0
		and fieldtype in ("Int", "Float", "Currency", "Percent")
		and df.get("print_hide_if_no_value")
	):
		return ""
	if fieldtype == "Currency":
		return fmt_money(value, precision=get_field_precision(df), currency=currency, format=format)
	if fieldtype == "Float":
		precision = get_field_precision(df)
		# show 1.000000 as 1
		if not df.get("options") and value is not None:
			temp = cstr(value).split(".")
			if len(temp) == 1 or cint(temp[1]) == 0:
				precision = 0
		return fmt_money(value, precision=precision, currency=currency)
	if fieldtype == "Percent":
		return f"{flt(value, 2)}%"
	if fieldtype in ("Text", "Small Text"):
		if not ("<br" in value or "<div" in value or "<p" in value):
			return frappe.safe_decode(value).replace("\n", "<br>")
	if fieldtype == "Text Editor":
		return f"<div class='ql-snow'>{value}</div>"
	return value


def get_field_precision(df, doc=None, currency=None):
	"""A field's precision, else the site's currency/float precision (frappe.model.meta.get_field_precision)."""
	from frappe.utils.data import get_number_format_info

	if df.get("precision"):
		return cint(df.precision)
	if df.get("fieldtype") == "Currency":
		precision = cint(frappe.db.get_default("currency_precision"))
		if not precision:
			number_format = frappe.db.get_default("number_format") or "#,###.##"
			precision = get_number_format_info(number_format)[2]
		return precision
	return cint(frappe.db.get_default("float_precision")) or 3


def format_timedelta(o):
	total_seconds = o.total_seconds() if isinstance(o, datetime.timedelta) else cint(o)
	hours, remainder = divmod(total_seconds, 3600)
	minutes, seconds = divmod(remainder, 60)
	rounded_seconds = round(seconds, 6)
	int_seconds = int(seconds)
	seconds = int_seconds if rounded_seconds == int_seconds else rounded_seconds
	return f"{int(hours):01}:{int(minutes):02}:{seconds:02}"
