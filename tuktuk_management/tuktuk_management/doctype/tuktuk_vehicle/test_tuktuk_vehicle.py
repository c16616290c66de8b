# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management.tests.utils import make_driver, make_vehicle, unique
from tuktuk_management.tuktuk_management.doctype.tuktuk_vehicle.tuktuk_vehicle import assigned_driver


class TestTukTukVehicle(FrappeTestCase):
	"""mpesa_account is unique (friendly check and DB index, case-insensitive) and well-formed; the driver is
	derived from the driver side, where the assignment is stored."""

	def test_named_by_tuktuk_id(self):
		vehicle = make_vehicle(tuktuk_id=unique("KTWA"))
		self.assertEqual(vehicle.name, vehicle.tuktuk_id)

	def test_duplicate_account_refused_friendly(self):
		account = unique("ACC")
		make_vehicle(mpesa_account=account)
		with self.assertRaises(frappe.UniqueValidationError):
			make_vehicle(mpesa_account=account)
		with self.assertRaises(frappe.UniqueValidationError):
			make_vehicle(mpesa_account=account.lower())

	def test_duplicate_account_refused_by_database(self):
		"""Even past the controller (two racing inserts), the unique index holds."""
		account = unique("ACC")
		make_vehicle(mpesa_account=account)
		doc = frappe.get_doc(
			{"doctype": "TukTuk Vehicle", "tuktuk_id": unique("TT"), "mpesa_account": account}
		)
		doc.validate_account_unique = lambda: None  # skip the friendly check
		with self.assertRaises((frappe.UniqueValidationError, frappe.DuplicateEntryError)):
			doc.insert(ignore_permissions=True)

	def test_changed_account_checked_on_save(self):
		a, b = make_vehicle(), make_vehicle()
		b.mpesa_account = a.mpesa_account
		with self.assertRaises(frappe.UniqueValidationError):
			b.save()

	def test_account_format(self):
		for bad in ("has space", "semi;colon", "x" * 21):
			with self.subTest(bad=bad), self.assertRaises(frappe.ValidationError):
				make_vehicle(mpesa_account=bad)
		vehicle = make_vehicle(mpesa_account="  " + unique("PAD") + "  ")
		self.assertEqual(vehicle.mpesa_account, vehicle.mpesa_account.strip())

	def test_the_driver_is_read_from_the_driver_side(self):
		"""The assignment is stored once, on the driver; the vehicle's driver and status follow it."""
		vehicle = make_vehicle()
		self.assertIsNone(assigned_driver(vehicle.name))
		self.assertEqual(vehicle.status, "Available")
		self.assertFalse(frappe.get_meta("TukTuk Vehicle").has_field("assigned_driver"))
		driver = make_driver(vehicle=vehicle.name)
		self.assertEqual(assigned_driver(vehicle.name), driver.name)
		self.assertEqual(frappe.db.get_value("TukTuk Vehicle", vehicle.name, "status"), "Assigned")
		vehicle.reload()
		vehicle.status = "Available"  # a stale form cannot say the vehicle is free while a driver has it
		vehicle.save()
		self.assertEqual(vehicle.status, "Assigned")

	def test_maintenance_is_kept_whoever_drives(self):
		vehicle = make_vehicle(status="Maintenance")
		make_driver(vehicle=vehicle.name)
		self.assertEqual(frappe.db.get_value("TukTuk Vehicle", vehicle.name, "status"), "Maintenance")
