# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

from frappe.model.document import Document

from tuktuk_management import records

# Derived from the ledger row by the outbox when the payout is created (payouts/outbox.create_payout), and
# never changed afterwards: what is paid, to whom, for which ledger row.
FIXED_FIELDS = ("driver", "transaction", "amount", "share", "carry_in", "carry_out", "phone")


class TukTukPayout(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		attempts: DF.Int
		carry_in: DF.Currency
		carry_out: DF.Currency
		conversation_id: DF.Data | None
		driver: DF.Link
		last_attempt_at: DF.Datetime | None
		last_error: DF.SmallText | None
		mpesa_receipt: DF.Data | None
		next_attempt_at: DF.Datetime | None
		originator_conversation_id: DF.Data | None
		phone: DF.Data | None
		receiver_name: DF.Data | None
		result_code: DF.Data | None
		result_desc: DF.SmallText | None
		share: DF.Currency
		status: DF.Literal["Queued", "On Hold", "Sent", "Paid", "Failed", "Unknown"]
		transaction: DF.Link | None
		transaction_completed_at: DF.Datetime | None
	# end: auto-generated types

	def before_insert(self):
		records.guard_insert(self, "tuktuk_management.payouts.outbox")

	def validate(self):
		records.guard_save(self, FIXED_FIELDS)
		# Our name is the OriginatorConversationID Daraja sees: the idempotency key of this payout.
		if not self.originator_conversation_id:
			self.originator_conversation_id = self.name

	def on_trash(self):
		records.refuse_delete(self)
