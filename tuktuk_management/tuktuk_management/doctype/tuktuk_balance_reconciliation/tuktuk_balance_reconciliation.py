# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from tuktuk_management import records


class TukTukBalanceReconciliation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		balance_period: DF.Date | None
		calculated_balance: DF.Currency
		discrepancy: DF.Currency
		driver: DF.Link
		fixed: DF.Check
		new_balance: DF.Currency
		notes: DF.SmallText | None
		old_balance: DF.Currency
		run_by: DF.Data | None
		source: DF.Literal["Manual", "Scheduled", "Self Check"]
		transactions_count: DF.Int
	# end: auto-generated types

	def before_insert(self):
		records.guard_insert(self, "tuktuk_management.reconciliation")
		if not self.run_by:
			self.run_by = frappe.session.user

	def validate(self):
		records.guard_save(self)

	def on_trash(self):
		records.refuse_delete(self)
