# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

import datetime
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import flt

from tuktuk_management.install import seed_settings
from tuktuk_management.tests.reconciliation_utils import CountCommits
from tuktuk_management.tests.utils import settings_changed
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
	SETTINGS,
	TukTukSettings,
	get_callback_secret,
	get_settings,
)


class TestTukTukSettings(FrappeTestCase):
	"""One settings class (the controller) with typed accessors; defaults only in the DocType JSON, seeded
	at install; validated on save; a callback secret exists after install."""

	def test_one_class_with_typed_accessors(self):
		settings = get_settings()
		self.assertIsInstance(settings, TukTukSettings)
		self.assertIsInstance(settings.global_target, Decimal)
		self.assertIsInstance(settings.global_fare, Decimal)
		self.assertGreater(settings.global_fare, 0)
		self.assertIsInstance(settings.target_sharing, bool)
		self.assertIsInstance(settings.day_start, datetime.time)
		self.assertIsInstance(settings.callback_networks, tuple)
		self.assertGreaterEqual(len(get_callback_secret()), 32)
		self.assertEqual(settings.secret("callback_secret"), get_callback_secret())

	def test_unset_values_read_the_json_default(self):
		settings = get_settings()
		for fieldname in ("global_daily_target", "b2c_max_attempts", "mpesa_environment"):
			settings.set(fieldname, None)
		self.assertEqual(
			settings.global_target, Decimal(settings.meta.get_field("global_daily_target").default)
		)
		self.assertEqual(settings.max_attempts, int(settings.meta.get_field("b2c_max_attempts").default))
		self.assertEqual(settings.environment, settings.meta.get_field("mpesa_environment").default)

	def test_seeding_a_never_saved_single_writes_the_json_defaults(self):
		"""Frappe v15 gives a never-saved Single's Time fields the current time (frappe.new_doc), not their
		default: seeding must write 06:00 and 00:00 itself."""
		frappe.db.sql("delete from `tabSingles` where `doctype` = %s", (SETTINGS,))
		with CountCommits():  # seeding commits; keep it inside this test's transaction
			seed_settings()
		stored = frappe.db.get_singles_dict(SETTINGS)
		meta = frappe.get_meta(SETTINGS)
		self.assertEqual(get_settings().day_start, datetime.time(6, 0))
		self.assertEqual(get_settings().day_end, datetime.time(0, 0))
		for df in meta.fields:
			if df.get("default") in (None, "") or df.fieldtype == "Time":
				continue
			if df.fieldtype in ("Check", "Int", "Currency", "Percent"):
				self.assertEqual(flt(stored.get(df.fieldname)), flt(df.default), df.fieldname)
			else:
				self.assertEqual(stored.get(df.fieldname), df.default, df.fieldname)
		frappe.db.rollback()
		# Frappe keeps single values in db.value_cache across a rollback: forget any of the seeded ones.
		cache = getattr(frappe.db, "value_cache", {})
		for key in [k for k in cache if SETTINGS in (k, k[0] if isinstance(k, tuple) else None)]:
			cache.pop(key)

	def test_install_seeds_the_business_day_over_the_install_time(self):
		"""v15's install_app saves every Single with new_doc's values (Time fields = the current time) before
		the app's after_install: installing must still leave the business day at 06:00-00:00."""
		with settings_changed(operating_hours_start="13:47:12", operating_hours_end="13:47:12"):
			with CountCommits():
				seed_settings(installing=True)
			self.assertEqual(get_settings().day_start, datetime.time(6, 0))
			self.assertEqual(get_settings().day_end, datetime.time(0, 0))
			with CountCommits():
				seed_settings()  # a migrate keeps what is there
			self.assertEqual(get_settings().day_start, datetime.time(6, 0))

	def test_seeding_is_idempotent_and_keeps_operator_values(self):
		secret = get_callback_secret()
		with settings_changed(global_daily_target=4500, operating_hours_start="05:30:00"):
			seed_settings()  # commits
			self.assertEqual(get_callback_secret(), secret)
			self.assertEqual(get_settings().global_target, Decimal("4500.00"))
			self.assertEqual(get_settings().day_start, datetime.time(5, 30))

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
				doc = frappe.get_single(SETTINGS)
				doc.set(field, bad)
				with self.assertRaises(frappe.ValidationError):
					doc.save()

	def test_numbers_sent_as_text_validate(self):
		"""A REST PUT or a form-encoded save sends Int fields as text: "5" validates, "0" and "x" are refused
		with a message (never a TypeError answered as HTTP 500)."""
		doc = frappe.get_single(SETTINGS)
		doc.update({"b2c_max_attempts": "5", "http_timeout_seconds": "30", "b2c_retry_backoff_minutes": "2"})
		doc.validate()
		for bad in ("0", "x"):
			with self.subTest(bad=bad):
				doc = frappe.get_single(SETTINGS)
				doc.set("b2c_max_attempts", bad)
				with self.assertRaises(frappe.ValidationError):
					doc.validate()
		frappe.db.rollback()

	def test_incoherent_mpesa_settings_are_refused(self):
		"""Production with sandbox or non-public URLs, B2C without an initiator, malformed shortcodes
		(docs/going-live.md; every case on both backends in tests/live/test_connection.py)."""
		for values in (
			{"mpesa_paybill": "1234"},
			{"mpesa_environment": "production", "site_url": "http://fleet.example.com"},
			{"mpesa_environment": "production", "mpesa_paybill": "174379"},
			{"mpesa_environment": "custom", "mpesa_base_url": "https://sandbox.safaricom.co.ke"},
			{
				"b2c_enabled": 1,
				"mpesa_consumer_key": "k",
				"mpesa_consumer_secret": "s",
				"mpesa_initiator_name": "",
			},
		):
			with self.subTest(values=values):
				doc = frappe.get_single(SETTINGS)
				doc.update(values)
				with self.assertRaises(frappe.ValidationError):
					doc.save()

	def test_ip_allowlist_accepts_networks(self):
		doc = frappe.get_single(SETTINGS)
		doc.allowed_callback_ips = "196.201.214.200\n196.201.213.0/24\n"
		doc.save()
		try:
			self.assertEqual(len(get_settings().callback_networks), 2)
		finally:
			frappe.db.set_single_value(SETTINGS, "allowed_callback_ips", "")

	def test_business_date_starts_at_operating_hours(self):
		with settings_changed(operating_hours_start="06:00:00"):
			settings = get_settings()
			self.assertEqual(str(settings.business_date("2026-03-10 05:59:59")), "2026-03-09")
			self.assertEqual(str(settings.business_date("2026-03-10 06:00:00")), "2026-03-10")
			self.assertEqual(str(settings.business_date("2026-03-10 23:59:00")), "2026-03-10")
		with settings_changed(operating_hours_start="04:00:00"):
			self.assertEqual(str(get_settings().business_date("2026-03-10 05:00:00")), "2026-03-10")
