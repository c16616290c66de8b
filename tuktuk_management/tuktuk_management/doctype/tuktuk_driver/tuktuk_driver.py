# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from tuktuk_management import ledger
from tuktuk_management.money import to_money
from tuktuk_management.phone import InvalidMSISDN, normalise_msisdn

DRIVER, VEHICLE = "TukTuk Driver", "TukTuk Vehicle"


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
		driver_middle_name: DF.Data | None
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
		self.driver_middle_name = (self.driver_middle_name or "").strip()
		self.driver_last_name = (self.driver_last_name or "").strip()
		self.driver_name = " ".join(
			p for p in (self.driver_first_name, self.driver_middle_name, self.driver_last_name) if p
		)
		self.validate_mpesa_number()
		self.validate_terms()
		# Balances never come from the form: the ledger puts back what is stored.
		ledger.guard_driver_form(self)

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

	def on_update(self):
		# A new driver's first period is opened, a new daily target recomputes what is left: by the ledger.
		ledger.after_driver_save(self)
		self.take_vehicle()

	def take_vehicle(self):
		"""The assignment is stored here, on the driver, and nowhere else (payments resolve through this
		indexed field; the vehicle shows it under Connections). A vehicle has one driver: taking it takes it
		from whoever had it. The vehicles' status follows: Assigned when taken, Available when let go."""
		before = self.get_doc_before_save()
		previous = before.assigned_tuktuk if before else None
		if previous == self.assigned_tuktuk:
			return
		if previous:
			frappe.db.set_value(VEHICLE, previous, "status", "Available")
		if not self.assigned_tuktuk:
			return
		for other in frappe.get_all(
			DRIVER, filters={"assigned_tuktuk": self.assigned_tuktuk, "name": ("!=", self.name)}, pluck="name"
		):
			# The vehicle changes hands: the previous driver no longer has it.
			frappe.db.set_value(DRIVER, other, "assigned_tuktuk", None, update_modified=False)
		if frappe.db.get_value(VEHICLE, self.assigned_tuktuk, "status") in ("Available", None, ""):
			frappe.db.set_value(VEHICLE, self.assigned_tuktuk, "status", "Assigned")
