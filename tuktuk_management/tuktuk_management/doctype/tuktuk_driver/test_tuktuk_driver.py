# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management.money import to_money
from tuktuk_management.tests.utils import make_driver, make_payment, make_vehicle, settings_changed
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings
from tuktuk_management.tuktuk_management.doctype.tuktuk_vehicle.tuktuk_vehicle import assigned_driver


class TestTukTukDriver(FrappeTestCase):
	"""Driver validations, naming, and the rule that a form save never writes a balance."""

	def test_naming_series(self):
		driver = make_driver(vehicle=None)
		self.assertRegex(driver.name, r"^DRV-112\d{3,}$")

	def test_mpesa_number_normalised(self):
		driver = make_driver(vehicle=None, mpesa_number="0712 345 678")
		self.assertEqual(driver.mpesa_number, "254712345678")
		driver = make_driver(vehicle=None, mpesa_number="+254112345678")
		self.assertEqual(driver.mpesa_number, "254112345678")

	def test_invalid_mpesa_number_refused(self):
		for bad in ("12345", "0812345678", "not a phone", "2557123456789"):
			with self.subTest(bad=bad), self.assertRaises(frappe.ValidationError):
				make_driver(vehicle=None, mpesa_number=bad)

	def test_fare_percentage_range(self):
		for bad in (-1, 0.5, 101, 150):
			with self.subTest(bad=bad), self.assertRaises(frappe.ValidationError):
				make_driver(vehicle=None, fare_percentage=bad)
		for good in (0, 1, 50, 100):
			make_driver(vehicle=None, fare_percentage=good)

	def test_full_name(self):
		driver = make_driver(vehicle=None, driver_first_name=" Amina ", driver_last_name="Otieno")
		self.assertEqual(driver.driver_name, "Amina Otieno")

	def test_new_driver_starts_at_zero_whatever_the_form_says(self):
		driver = make_driver(
			vehicle=None, daily_target=1200, current_balance=999, left_to_target=5, consecutive_misses=4
		)
		self.assertEqual(to_money(driver.current_balance), Decimal("0.00"))
		self.assertEqual(to_money(driver.left_to_target), Decimal("1200.00"))
		self.assertEqual(driver.consecutive_misses, 0)
		self.assertEqual(str(driver.balance_period), str(get_settings().business_date()))

	def test_stale_form_cannot_overwrite_balance(self):
		with settings_changed(b2c_enabled=0):
			driver = make_driver(daily_target=1000, fare_percentage=50)
			stale = frappe.get_doc("TukTuk Driver", driver.name)  # a form opened before the payment
			make_payment(driver, 200)  # contribution 100
			stale.current_balance = 0
			stale.left_to_target = 1000
			stale.consecutive_misses = 7
			stale.driver_national_id = "12345678"
			stale.save()
			row = frappe.db.get_value(
				"TukTuk Driver",
				driver.name,
				["current_balance", "left_to_target", "consecutive_misses"],
				as_dict=True,
			)
			self.assertEqual(to_money(row.current_balance), Decimal("100.00"))
			self.assertEqual(to_money(row.left_to_target), Decimal("900.00"))
			self.assertEqual(row.consecutive_misses, 0)
			self.assertEqual(
				frappe.db.get_value("TukTuk Driver", driver.name, "driver_national_id"), "12345678"
			)

	def test_target_change_recomputes_left_to_target_from_stored_balance(self):
		with settings_changed(b2c_enabled=0):
			driver = make_driver(daily_target=1000, fare_percentage=50)
			make_payment(driver, 200)
			doc = frappe.get_doc("TukTuk Driver", driver.name)
			doc.daily_target = 500
			doc.save()
			self.assertEqual(
				to_money(frappe.db.get_value("TukTuk Driver", driver.name, "left_to_target")),
				Decimal("400.00"),
			)

	def test_assignment_is_stored_on_the_driver(self):
		vehicle = make_vehicle()
		driver = make_driver(vehicle=vehicle.name)
		self.assertEqual(assigned_driver(vehicle.name), driver.name)
		self.assertEqual(frappe.db.get_value("TukTuk Vehicle", vehicle.name, "status"), "Assigned")
		# Another driver takes the vehicle: the first one loses it.
		other = make_driver(vehicle=vehicle.name)
		self.assertEqual(assigned_driver(vehicle.name), other.name)
		self.assertFalse(frappe.db.get_value("TukTuk Driver", driver.name, "assigned_tuktuk"))
		# The driver moves to another vehicle: the first is free again.
		second = make_vehicle()
		doc = frappe.get_doc("TukTuk Driver", other.name)
		doc.assigned_tuktuk = second.name
		doc.save()
		self.assertIsNone(assigned_driver(vehicle.name))
		self.assertEqual(frappe.db.get_value("TukTuk Vehicle", vehicle.name, "status"), "Available")
		self.assertEqual(frappe.db.get_value("TukTuk Vehicle", second.name, "status"), "Assigned")

	def test_copying_an_old_vehicle_side_assignment(self):
		"""The migration patch for sites that kept the assignment on the vehicle too."""
		from tuktuk_management.patches.v1_0.assignment_on_the_driver import copy_assignments

		free_driver, busy_driver = make_driver(vehicle=None), make_driver()
		free_vehicle, taken_vehicle = make_vehicle(), make_vehicle()
		make_driver(vehicle=taken_vehicle.name)
		copied = copy_assignments(
			[
				(free_vehicle.name, free_driver.name),  # copied
				(make_vehicle().name, busy_driver.name),  # the driver has a vehicle already: kept
				(taken_vehicle.name, make_driver(vehicle=None).name),  # another driver has it: kept
				(make_vehicle().name, "DRV-NOPE"),  # no such driver
			]
		)
		self.assertEqual(copied, [(free_vehicle.name, free_driver.name)])
		self.assertEqual(assigned_driver(free_vehicle.name), free_driver.name)
