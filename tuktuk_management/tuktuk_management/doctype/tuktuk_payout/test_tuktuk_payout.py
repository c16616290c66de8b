# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import records
from tuktuk_management.tests.utils import make_driver, make_payment, settings_changed


class TestTukTukPayout(FrappeTestCase):
	"""A payout's name is its OriginatorConversationID; one payout per ledger row."""

	def test_originator_conversation_id_is_name(self):
		with settings_changed(b2c_enabled=0):
			result = make_payment(make_driver(), 100)
		payout = frappe.get_doc("TukTuk Payout", result.payout)
		self.assertEqual(payout.originator_conversation_id, payout.name)
		self.assertEqual(payout.status, "On Hold")
		self.assertEqual(frappe.db.get_value("TukTuk Transaction", result.transaction, "payout"), payout.name)

	def test_one_payout_per_transaction(self):
		with settings_changed(b2c_enabled=0):
			driver = make_driver()
			result = make_payment(driver, 100)
		with self.assertRaises((frappe.UniqueValidationError, frappe.DuplicateEntryError)):
			records.insert(
				{
					"doctype": "TukTuk Payout",
					"driver": driver.name,
					"transaction": result.transaction,
					"amount": 1,
				}
			)
