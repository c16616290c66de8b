# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import inbox
from tuktuk_management.inbox import Received


class TestTukTukCallback(FrappeTestCase):
	"""The inbox keeps the body exactly as received."""

	def test_store_keeps_body_verbatim(self):
		body = '{"TransID": "ABC123",  "TransAmount": "10.00", "note": "spaces  kept"}'
		name = inbox.store_callback(
			"C2B Confirmation", Received.parse(body), trans_id="ABC123", amount="10.00"
		)
		row = frappe.db.get_value("TukTuk Callback", name, ["payload", "status", "trans_id"], as_dict=True)
		self.assertEqual(row.payload, body)
		self.assertEqual(row.status, "Received")
		inbox.mark(name, "Processed")
		self.assertEqual(frappe.db.get_value("TukTuk Callback", name, "status"), "Processed")
		self.assertTrue(frappe.db.get_value("TukTuk Callback", name, "processed_at"))

	def test_body_parsed_once_as_received(self):
		received = Received.parse('{"a": 1}', remote_addr="196.201.214.1")
		self.assertEqual((received.data, received.error), ({"a": 1}, None))
		for text in ("", "  ", "{broken"):
			with self.subTest(text=text):
				self.assertIsNone(Received.parse(text).data)
				self.assertTrue(Received.parse(text).error)
		name = inbox.store_callback("B2C Result", received)
		self.assertEqual(frappe.db.get_value("TukTuk Callback", name, "remote_addr"), "196.201.214.1")
