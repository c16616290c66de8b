# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

from frappe.model.document import Document

from tuktuk_management import records


class TukTukDailyClose(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		balance_period: DF.Date | None
		closing_balance: DF.Currency
		consecutive_misses: DF.Int
		daily_target: DF.Currency
		driver: DF.Link
		new_period: DF.Date | None
		target_met: DF.Check
	# end: auto-generated types

	def before_insert(self):
		records.guard_insert(self, "tuktuk_management.ledger")

	def validate(self):
		records.guard_save(self)

	def on_trash(self):
		records.refuse_delete(self)
