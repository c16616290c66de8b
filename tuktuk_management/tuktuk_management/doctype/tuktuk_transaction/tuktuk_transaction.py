# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from tuktuk_management import records
from tuktuk_management.money import to_money

# The ledger is append-only for money: these never change once a row is written.
IMMUTABLE_FIELDS = (
	"transaction_id",
	"driver",
	"amount",
	"driver_share",
	"target_contribution",
	"balance_period",
)


class TukTukTransaction(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		b2c_payment_sent: DF.Check
		balance_period: DF.Date | None
		bill_ref_number: DF.Data | None
		callback: DF.Link | None
		customer_phone: DF.Data | None
		driver: DF.Link | None
		driver_share: DF.Currency
		driver_type: DF.Literal["", "Regular", "Substitute"]
		former_driver: DF.Data | None
		is_substitute_transaction: DF.Check
		payment_status: DF.Literal["Completed", "Pending", "Failed", "Reversed"]
		payout: DF.Link | None
		remarks: DF.SmallText | None
		substitute_driver: DF.Link | None
		target_contribution: DF.Currency
		timestamp: DF.Datetime | None
		transaction_id: DF.Data
		transaction_type: DF.Literal[
			"Payment", "Adjustment", "Driver Repayment", "Deposit", "Target Reduction/Deposit"
		]
		tuktuk: DF.Link | None
	# end: auto-generated types

	def before_insert(self):
		records.guard_insert(self, "tuktuk_management.ledger")
		self.transaction_id = (self.transaction_id or "").strip()
		# The friendly error; the unique index on transaction_id is the truth.
		if self.transaction_id and frappe.db.exists(
			"TukTuk Transaction", {"transaction_id": self.transaction_id}
		):
			frappe.throw(
				_("Transaction {0} is already recorded").format(frappe.bold(self.transaction_id)),
				frappe.UniqueValidationError,
				title=_("Duplicate Transaction"),
			)

	def validate(self):
		amount, share, contribution = (
			to_money(self.get(f)) for f in ("amount", "driver_share", "target_contribution")
		)
		if self.is_new() and not self.driver:
			# Rows the original app wrote for substitute or since-archived drivers have none; ours always do.
			frappe.throw(_("Driver is required"), frappe.MandatoryError, title=_("Missing Driver"))
		# The split is checked when a row is written; it never changes afterwards (IMMUTABLE_FIELDS), and the
		# original app's rows carry float shares that need not add up to the cent.
		if self.is_new() and self.transaction_type in ("Payment", "Deposit"):
			if amount <= 0:
				frappe.throw(_("Amount must be greater than zero"), title=_("Invalid Amount"))
			if share < 0 or contribution < 0:
				frappe.throw(
					_("Driver share and target contribution cannot be negative"), title=_("Invalid Split")
				)
			if share + contribution != amount:
				frappe.throw(
					_("Driver share {0} plus target contribution {1} must equal the amount {2}").format(
						share, contribution, amount
					),
					title=_("Invalid Split"),
				)
		if not self.is_new():
			records.guard_save(self)
			for fieldname in IMMUTABLE_FIELDS:
				if self.has_value_changed(fieldname):
					frappe.throw(
						_("{0} of a recorded transaction cannot be changed").format(
							self.meta.get_label(fieldname)
						),
						title=_("Ledger Is Append-Only"),
					)

	def on_trash(self):
		records.refuse_delete(self)


def on_doctype_update():
	# Reconciliation sums one driver's open period (driver = %s and balance_period = %s): a composite index
	# serves it without scanning every driver's rows of the day.
	frappe.db.add_index("TukTuk Transaction", ["driver", "balance_period"])
