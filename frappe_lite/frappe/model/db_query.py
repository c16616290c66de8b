# frappe.get_list / frappe.get_all, following frappe/model/db_query.py DatabaseQuery.execute (v15).
import datetime

import frappe
from frappe.database.utils import DefaultOrderBy
from frappe.utils.data import cint, cstr, get_datetime, get_time, getdate, nowdate


class DatabaseQuery:
	def __init__(self, doctype, user=None):
		self.doctype = doctype
		self.user = user or frappe.session.user

	def execute(
		self,
		fields=None,
		filters=None,
		or_filters=None,
		docstatus=None,
		group_by=None,
		order_by=DefaultOrderBy,
		limit_start=False,
		limit_page_length=None,
		as_list=False,
		with_childnames=False,
		debug=False,
		ignore_permissions=False,
		user=None,
		with_comment_count=False,
		join="left join",
		distinct=False,
		start=None,
		page_length=None,
		limit=None,
		ignore_ifnull=False,
		save_user_settings=False,
		save_user_settings_fields=False,
		update=None,
		add_total_row=None,
		user_settings=None,
		reference_doctype=None,
		run=True,
		strict=True,
		pluck=None,
		ignore_ddl=False,
		*,
		parent_doctype=None,
	):
		"""Rows as a list of _dict (a tuple of tuples with as_list, values with pluck); checks read permission."""
		if user:
			self.user = user
		if not ignore_permissions:
			from frappe.permissions import has_permission

			# as v15's _set_permission_map: "select" only for a user with select but not read rights;
			# a refusal raises a bare PermissionError, its reason in the message log
			only_select = has_permission(
				self.doctype, "select", user=self.user, raise_exception=False
			) and not has_permission(self.doctype, "read", user=self.user, raise_exception=False)
			frappe.has_permission(
				self.doctype,
				ptype="select" if only_select else "read",
				throw=True,
				user=self.user,
				parent_doctype=parent_doctype,
			)
		if isinstance(fields, str):
			fields = [fields] if fields != "*" else ["*"]
		if pluck:
			fields = [pluck]
		fields = fields or ["name"]
		if isinstance(filters, str):
			filters = frappe.parse_json(filters)
		if isinstance(or_filters, str):
			or_filters = frappe.parse_json(or_filters)
		limit = cint(limit or limit_page_length or page_length)
		offset = cint(limit_start or start)
		if order_by == DefaultOrderBy:
			meta = frappe.get_meta(self.doctype)
			order_by = f"{meta.sort_field or 'modified'} {(meta.sort_order or 'desc').lower()}"
			if group_by:
				order_by = None
		rows = frappe.db._select(
			self.doctype,
			fields=fields,
			filters=filters,
			or_filters=or_filters,
			order_by=order_by,
			limit=limit or None,
			offset=offset or None,
			distinct=distinct,
			as_dict=not as_list,
			debug=debug,
			group_by=group_by,
			coerce_filter=prepare_filter_value,
		)
		if pluck:
			return [r[pluck] if pluck in r else list(r.values())[0] for r in rows]
		# as_list: frappe.db.sql's own rows, a tuple of tuples (Frappe passes as_dict=not as_list)
		return rows


def prepare_filter_value(doctype, fieldname, operator, value):
	"""A filter's value as DatabaseQuery.prepare_filter_condition (v15) writes it into the query: Date
	values through getdate (a bad one: "... is not a valid date string."), Datetime through get_datetime,
	Time through get_time, `between` on dates and datetimes as whole days."""
	if operator in ("in", "not in", "is"):
		return value
	df = None
	if "." not in fieldname:
		try:
			df = frappe.get_meta(doctype).get_field(fieldname)
		except frappe.DoesNotExistError:
			frappe.clear_last_message()
	fieldtype = df.fieldtype if df else None
	if operator == "between" and (fieldname in ("creation", "modified") or fieldtype in ("Date", "Datetime")):
		return get_between_date_filter(value, df)
	if operator in (">", "<", ">=", "<=") and fieldname in ("creation", "modified"):
		return cstr(value)
	if fieldtype == "Date":
		return frappe.db.format_date(value)
	if fieldtype == "Datetime" or isinstance(value, datetime.datetime):
		return frappe.db.format_datetime(value)
	if fieldtype == "Time":
		return get_time(value).strftime("%H:%M:%S.%f")
	return value


def get_between_date_filter(value, df=None):
	"""[from, to] of a `between` on a Date (whole dates) or Datetime (from the start of the first day to
	the end of the last) field; a missing bound is today (frappe/model/db_query.py)."""
	fieldtype = df.fieldtype if df else "Datetime"
	from_date = to_date = nowdate()
	if value and isinstance(value, list | tuple):
		if len(value) >= 1:
			from_date = value[0]
		if len(value) >= 2:
			to_date = value[1]
	if fieldtype == "Datetime":
		from_date = _convert_type_for_between_filters(from_date, set_time=datetime.time())
		to_date = _convert_type_for_between_filters(to_date, set_time=datetime.time(23, 59, 59, 999999))
		return [frappe.db.format_datetime(from_date), frappe.db.format_datetime(to_date)]
	return [frappe.db.format_date(from_date), frappe.db.format_date(to_date)]


def _convert_type_for_between_filters(value, set_time):
	if isinstance(value, str):
		value = get_datetime(value) if " " in value.strip() else getdate(value)
	if isinstance(value, datetime.datetime):
		return value
	if isinstance(value, datetime.date):
		return datetime.datetime.combine(value, set_time)
	return value
