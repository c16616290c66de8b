# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import inbox


class TestTukTukCallback(FrappeTestCase):
	"""The inbox keeps the body exactly as received."""

	def test_store_keeps_body_verbatim(self):
		body = '{"TransID": "ABC123",  "TransAmount": "10.00", "note": "spaces  kept"}'
		name = inbox.store_callback("C2B Confirmation", body, trans_id="ABC123", amount="10.00")
		row = frappe.db.get_value("TukTuk Callback", name, ["payload", "status", "trans_id"], as_dict=True)
		self.assertEqual(row.payload, body)
		self.assertEqual(row.status, "Received")
		inbox.mark(name, "Processed")
		self.assertEqual(frappe.db.get_value("TukTuk Callback", name, "status"), "Processed")
		self.assertTrue(frappe.db.get_value("TukTuk Callback", name, "processed_at"))
