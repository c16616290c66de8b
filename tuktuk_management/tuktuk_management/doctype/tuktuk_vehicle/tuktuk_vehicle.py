# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document

ACCOUNT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_]{0,19}$")


class TukTukVehicle(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		assigned_driver: DF.Link | None
		mpesa_account: DF.Data
		status: DF.Literal["Available", "Assigned", "Charging", "Maintenance", "Inactive"]
		tuktuk_id: DF.Data
	# end: auto-generated types

	def before_insert(self):
		self.tuktuk_id = (self.tuktuk_id or "").strip()
		self.mpesa_account = (self.mpesa_account or "").strip()
		# The friendly error; the unique index on mpesa_account is the truth.
		self.validate_account_unique()

	def validate(self):
		self.tuktuk_id = (self.tuktuk_id or "").strip()
		self.mpesa_account = (self.mpesa_account or "").strip()
		if self.mpesa_account and not ACCOUNT_PATTERN.match(self.mpesa_account):
			frappe.throw(
				_("M-Pesa account {0} may only contain letters, digits, '-' and '_' (at most 20)").format(
					frappe.bold(self.mpesa_account)
				),
				title=_("Invalid M-Pesa Account"),
			)
		if not self.is_new() and self.has_value_changed("mpesa_account"):
			self.validate_account_unique()
		if self.assigned_driver and self.status == "Available":
			self.status = "Assigned"
		elif not self.assigned_driver and self.status == "Assigned":
			self.status = "Available"

	def validate_account_unique(self):
		"""M-Pesa account numbers are compared case-insensitively (passengers type them by hand)."""
		if not self.mpesa_account:
			return
		clash = frappe.db.sql(
			"""select name from `tabTukTuk Vehicle`
			where upper(mpesa_account) = upper(%s) and name != %s limit 1""",
			(self.mpesa_account, self.name or ""),
		)
		if clash:
			frappe.throw(
				_("M-Pesa account {0} is already used by TukTuk {1}").format(
					frappe.bold(self.mpesa_account), frappe.bold(clash[0][0])
				),
				frappe.UniqueValidationError,
				title=_("Duplicate M-Pesa Account"),
			)

	def on_update(self):
		self.sync_driver_assignment()

	def sync_driver_assignment(self):
		"""Keep TukTuk Driver.assigned_tuktuk in step with assigned_driver (the field payments resolve through)."""
		before = self.get_doc_before_save()
		previous = before.assigned_driver if before else None
		if previous and previous != self.assigned_driver:
			if frappe.db.get_value("TukTuk Driver", previous, "assigned_tuktuk") == self.name:
				frappe.db.set_value("TukTuk Driver", previous, "assigned_tuktuk", None, update_modified=False)
		if self.assigned_driver:
			other = frappe.db.get_value("TukTuk Driver", self.assigned_driver, "assigned_tuktuk")
			if other != self.name:
				if (
					other
					and frappe.db.get_value("TukTuk Vehicle", other, "assigned_driver")
					== self.assigned_driver
				):
					frappe.db.set_value(
						"TukTuk Vehicle", other, {"assigned_driver": None, "status": "Available"}
					)
				frappe.db.set_value(
					"TukTuk Driver", self.assigned_driver, "assigned_tuktuk", self.name, update_modified=False
				)
