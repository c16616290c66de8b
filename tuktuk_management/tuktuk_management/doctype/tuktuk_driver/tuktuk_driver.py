# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from tuktuk_management.money import to_money
from tuktuk_management.phone import InvalidMSISDN, normalise_msisdn
from tuktuk_management.split import effective_daily_target, left_to_target
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

# Written only by the ledger code (crediting, daily close, reconciliation) with SQL under the row lock.
BALANCE_FIELDS = ("current_balance", "left_to_target", "consecutive_misses", "balance_period", "share_carry")


class TukTukDriver(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		assigned_tuktuk: DF.Link | None
		balance_period: DF.Date | None
		consecutive_misses: DF.Int
		current_balance: DF.Currency
		daily_target: DF.Currency
		driver_first_name: DF.Data
		driver_last_name: DF.Data | None
		driver_name: DF.Data | None
		driver_national_id: DF.Data | None
		fare_percentage: DF.Percent
		left_to_target: DF.Currency
		mpesa_number: DF.Data
		share_carry: DF.Currency
		status: DF.Literal["Active", "Inactive"]
		target_sharing_override: DF.Literal["Follow Global", "Enable", "Disable"]
	# end: auto-generated types

	def validate(self):
		self.driver_first_name = (self.driver_first_name or "").strip()
		self.driver_last_name = (self.driver_last_name or "").strip()
		self.driver_name = " ".join(p for p in (self.driver_first_name, self.driver_last_name) if p)
		self.validate_mpesa_number()
		self.validate_terms()
		self.protect_balance_fields()

	def validate_mpesa_number(self):
		try:
			self.mpesa_number = normalise_msisdn(self.mpesa_number)
		except InvalidMSISDN:
			frappe.throw(
				_(
					"M-Pesa number {0} is not valid: use 2547XXXXXXXX or 2541XXXXXXXX (07..., 01... and +254... are converted)"
				).format(frappe.bold(self.mpesa_number or "")),
				title=_("Invalid M-Pesa Number"),
			)

	def validate_terms(self):
		fare = to_money(self.fare_percentage)
		if fare and not (1 <= fare <= 100):
			frappe.throw(
				_("Fare percentage must be between 1 and 100 (0 uses the global percentage)"),
				title=_("Invalid Fare Percentage"),
			)
		if to_money(self.daily_target) < 0:
			frappe.throw(_("Daily target cannot be negative"), title=_("Invalid Daily Target"))

	def protect_balance_fields(self):
		"""Balances never come from the form: a new driver starts at zero for today's business date, and a
		save puts back what is in the database (read under the row lock ``save`` already holds), so a stale
		form cannot overwrite a balance that payments have moved since it was loaded."""
		settings = get_settings()
		target = effective_daily_target(self.daily_target, settings.global_target)
		if self.is_new():
			self.current_balance = 0
			self.left_to_target = target
			self.consecutive_misses = 0
			self.balance_period = settings.business_date()
			self.share_carry = 0
			return
		stored = frappe.db.get_value(
			"TukTuk Driver", self.name, BALANCE_FIELDS, as_dict=True, for_update=True
		)
		if not stored:
			return
		for fieldname in BALANCE_FIELDS:
			self.set(fieldname, stored.get(fieldname))
		if self.has_value_changed("daily_target"):
			# A new target changes what is left, computed from the locked balance, never the form's.
			self.left_to_target = left_to_target(target, stored.current_balance)

	def on_update(self):
		self.sync_vehicle_assignment()

	def sync_vehicle_assignment(self):
		"""Keep TukTuk Vehicle.assigned_driver (what payments resolve through) in step with assigned_tuktuk."""
		before = self.get_doc_before_save()
		previous = before.assigned_tuktuk if before else None
		if previous and previous != self.assigned_tuktuk:
			if frappe.db.get_value("TukTuk Vehicle", previous, "assigned_driver") == self.name:
				frappe.db.set_value(
					"TukTuk Vehicle", previous, {"assigned_driver": None, "status": "Available"}
				)
		if not self.assigned_tuktuk:
			return
		vehicle = frappe.db.get_value(
			"TukTuk Vehicle", self.assigned_tuktuk, ["assigned_driver", "status"], as_dict=True
		)
		if vehicle and vehicle.assigned_driver != self.name:
			if vehicle.assigned_driver:
				# The vehicle changes hands: the previous driver no longer has it.
				frappe.db.set_value(
					"TukTuk Driver", vehicle.assigned_driver, "assigned_tuktuk", None, update_modified=False
				)
			values = {"assigned_driver": self.name}
			if vehicle.status in ("Available", None, ""):
				values["status"] = "Assigned"
			frappe.db.set_value("TukTuk Vehicle", self.assigned_tuktuk, values)
