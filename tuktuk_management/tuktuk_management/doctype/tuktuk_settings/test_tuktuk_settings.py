# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management.settings import business_date, get_callback_secret, get_settings


class TestTukTukSettings(FrappeTestCase):
	"""Settings are validated on save, defaulted on read, and a callback secret exists after install."""

	def test_defaults_and_secret(self):
		settings = get_settings()
		self.assertGreater(settings.global_fare_percentage, 0)
		self.assertIsInstance(settings.global_daily_target, Decimal)
		self.assertGreaterEqual(len(get_callback_secret()), 32)

	def test_seeding_is_idempotent_and_keeps_operator_values(self):
		from tuktuk_management.install import seed_settings

		secret = get_callback_secret()
		before = frappe.db.get_single_value("TukTuk Settings", "global_daily_target")
		frappe.db.set_single_value("TukTuk Settings", "global_daily_target", 4500)
		try:
			seed_settings()  # commits
			self.assertEqual(get_callback_secret(), secret)
			self.assertEqual(get_settings().global_daily_target, Decimal("4500.00"))
		finally:
			frappe.db.set_single_value("TukTuk Settings", "global_daily_target", before)
			frappe.db.commit()

	def test_validations(self):
		for field, bad in (
			("global_fare_percentage", 0),
			("global_fare_percentage", 101),
			("global_daily_target", -1),
			("allowed_callback_ips", "10.0.0.1\nnot-an-ip"),
			("mpesa_paybill", "60x000"),
			("site_url", "ftp://example.com"),
		):
			with self.subTest(field=field, bad=bad):
				doc = frappe.get_single("TukTuk Settings")
				doc.set(field, bad)
				with self.assertRaises(frappe.ValidationError):
					doc.save()

	def test_ip_allowlist_accepts_networks(self):
		doc = frappe.get_single("TukTuk Settings")
		doc.allowed_callback_ips = "196.201.214.200\n196.201.213.0/24\n"
		doc.save()
		try:
			self.assertEqual(len(get_settings().allowed_callback_ips), 2)
		finally:
			frappe.db.set_single_value("TukTuk Settings", "allowed_callback_ips", "")

	def test_business_date_starts_at_operating_hours(self):
		settings = get_settings()
		self.assertEqual(str(business_date("2026-03-10 05:59:59", settings)), "2026-03-09")
		self.assertEqual(str(business_date("2026-03-10 06:00:00", settings)), "2026-03-10")
		self.assertEqual(str(business_date("2026-03-10 23:59:00", settings)), "2026-03-10")
