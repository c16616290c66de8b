import os

import frappe
from frappe.tests.utils import FrappeTestCase, change_settings


class TestFixtureNote(FrappeTestCase):
	"""run-tests runs this on a throwaway site: before_tests ran, in_test is set, notes persist within the class."""

	def test_in_test_and_before_tests(self):
		self.assertTrue(frappe.flags.in_test)
		self.assertTrue(frappe.db.exists("Fixture Note", {"title": "made by before_tests"}))

	def test_insert(self):
		frappe.get_doc({"doctype": "Fixture Note", "title": "from a test", "value": 3}).insert()
		self.assertEqual(frappe.db.count("Fixture Note", {"title": "from a test"}), 1)

	@change_settings("System Settings", {"time_zone": "UTC"})
	def test_change_settings(self):
		self.assertEqual(frappe.db.get_single_value("System Settings", "time_zone"), "UTC")

	def test_fails_on_request(self):
		# the CLI tests set this to see run-tests report a failure
		self.assertNotEqual(os.environ.get("FIXTURE_APP_FAIL"), "1", "failing as asked by FIXTURE_APP_FAIL")
