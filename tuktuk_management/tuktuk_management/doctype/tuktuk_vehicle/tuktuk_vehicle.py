# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document

ACCOUNT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_]{0,19}$")
DRIVER = "TukTuk Driver"


def assigned_driver(vehicle: str) -> str | None:
	"""The driver who has ``vehicle``. The assignment is stored on the driver (``assigned_tuktuk``, indexed)
	and only there; the vehicle form shows it under Connections."""
	return frappe.db.get_value(DRIVER, {"assigned_tuktuk": vehicle}, "name", order_by="modified desc")


class TukTukVehicle(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		mpesa_account: DF.Data | None
		status: DF.Literal["Available", "Assigned", "Charging", "Maintenance", "Inactive"]
		tuktuk_id: DF.Data
	# end: auto-generated types

	def before_insert(self):
		self.tuktuk_id = (self.tuktuk_id or "").strip()
		self.mpesa_account = (self.mpesa_account or "").strip() or None
		# The friendly error; the unique index on mpesa_account is the truth.
		self.validate_account_unique()

	def validate(self):
		self.tuktuk_id = (self.tuktuk_id or "").strip()
		self.mpesa_account = (self.mpesa_account or "").strip() or None
		if not self.mpesa_account and self.status != "Inactive":
			# Only an Inactive vehicle may lack one (vehicles the original app kept without an account).
			frappe.throw(
				_("M-Pesa Account is required (only an Inactive vehicle may have none)"),
				frappe.MandatoryError,
				title=_("Missing M-Pesa Account"),
			)
		if self.mpesa_account and not ACCOUNT_PATTERN.match(self.mpesa_account):
			frappe.throw(
				_("M-Pesa account {0} may only contain letters, digits, '-' and '_' (at most 20)").format(
					frappe.bold(self.mpesa_account)
				),
				title=_("Invalid M-Pesa Account"),
			)
		if not self.is_new() and self.has_value_changed("mpesa_account"):
			self.validate_account_unique()
		self.keep_status_with_assignment()

	def keep_status_with_assignment(self):
		"""Available and Assigned follow whether a driver has the vehicle (other statuses are an operator's)."""
		if self.status not in ("Available", "Assigned"):
			return
		taken = not self.is_new() and bool(assigned_driver(self.name))
		self.status = "Assigned" if taken else "Available"

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
