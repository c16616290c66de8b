# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

from frappe.model.document import Document

from tuktuk_management import records


class TukTukCallback(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		attempts: DF.Int
		bill_ref_number: DF.Data | None
		callback_type: DF.Literal[
			"C2B Validation", "C2B Confirmation", "B2C Result", "B2C Timeout", "Status Result", "Manual Entry"
		]
		conversation_id: DF.Data | None
		error: DF.SmallText | None
		msisdn: DF.Data | None
		originator_conversation_id: DF.Data | None
		payload: DF.LongText | None
		payout: DF.Link | None
		processed_at: DF.Datetime | None
		remote_addr: DF.Data | None
		status: DF.Literal["Received", "Processed", "Duplicate", "Uncaptured", "Rejected", "Failed"]
		trans_id: DF.Data | None
		trans_time: DF.Datetime | None
		transaction: DF.Link | None
	# end: auto-generated types

	def before_insert(self):
		records.guard_insert(self, "tuktuk_management.inbox")

	def validate(self):
		records.guard_save(self)

	def on_trash(self):
		records.refuse_delete(self)
