# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import records
from tuktuk_management.records import RecordProtectedError
from tuktuk_management.tests.utils import make_driver, make_payment, settings_changed, unique


class TestTukTukTransaction(FrappeTestCase):
	"""The ledger: unique TransID, split adds up, rows written only by the ledger and never changed or deleted."""

	def _row(self, driver, **fields):
		values = {
			"doctype": "TukTuk Transaction",
			"transaction_id": unique("TX", 10),
			"driver": driver.name,
			"amount": 100,
			"driver_share": 50,
			"target_contribution": 50,
			**fields,
		}
		return records.by_app(frappe.get_doc(values))

	def test_duplicate_transaction_id(self):
		driver = make_driver()
		row = self._row(driver).insert(ignore_permissions=True)
		with self.assertRaises(frappe.UniqueValidationError):
			self._row(driver, transaction_id=row.transaction_id).insert(ignore_permissions=True)

	def test_split_must_add_up(self):
		driver = make_driver()
		with self.assertRaises(frappe.ValidationError):
			self._row(driver, driver_share=60).insert(ignore_permissions=True)
		with self.assertRaises(frappe.ValidationError):
			self._row(driver, amount=0, driver_share=0, target_contribution=0).insert(ignore_permissions=True)

	def test_money_fields_immutable(self):
		with settings_changed(b2c_enabled=0):
			driver = make_driver()
			result = make_payment(driver, 100)
		doc = frappe.get_doc("TukTuk Transaction", result.transaction)
		doc.amount = 1000
		doc.driver_share = 500
		doc.target_contribution = 500
		with self.assertRaises(frappe.ValidationError):
			records.by_app(doc).save()
		doc = frappe.get_doc("TukTuk Transaction", result.transaction)
		doc.remarks = "checked by the manager"
		doc.payment_status = "Reversed"
		with self.assertRaises(RecordProtectedError):
			doc.save()
		self.assertEqual(frappe.db.get_value("TukTuk Transaction", doc.name, "payment_status"), "Completed")

	def test_rows_come_only_from_the_ledger(self):
		driver = make_driver()
		with self.assertRaises(RecordProtectedError):
			frappe.get_doc({**self._row(driver).as_dict(), "name": None}).insert(ignore_permissions=True)

	def test_rows_are_never_deleted(self):
		with settings_changed(b2c_enabled=0):
			result = make_payment(make_driver(), 100)
		with self.assertRaises(RecordProtectedError):
			frappe.delete_doc("TukTuk Transaction", result.transaction, ignore_permissions=True, force=True)
		self.assertTrue(frappe.db.exists("TukTuk Transaction", result.transaction))
