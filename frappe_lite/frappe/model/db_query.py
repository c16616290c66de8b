# frappe.get_list / frappe.get_all, following frappe/model/db_query.py DatabaseQuery.execute (v15).
import frappe
from frappe.database.utils import DefaultOrderBy
from frappe.utils.data import cint


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
		"""Rows as a list of _dict (or lists with as_list, or values with pluck); checks read permission."""
		if user:
			self.user = user
		if not ignore_permissions:
			from frappe.permissions import has_permission

			if not has_permission(self.doctype, "select", user=self.user) and not has_permission(
				self.doctype, "read", user=self.user
			):
				frappe.flags.error_message = frappe._("Insufficient Permission for {0}").format(
					frappe.bold(self.doctype)
				)
				raise frappe.PermissionError(self.doctype)
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
		)
		if pluck:
			return [r[pluck] if pluck in r else list(r.values())[0] for r in rows]
		if as_list:
			return [list(r) for r in rows]
		return rows
