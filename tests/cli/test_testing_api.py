"""frappe.tests.utils on SQLite and MariaDB: FrappeTestCase's class-level commit/rollback and flags restore,
assertQueryCount, set_user, change_settings, freeze_time, patch_hooks, secondary_connection."""

import unittest

import frappe
from frappe.tests.utils import FrappeTestCase, change_settings, patch_hooks
from frappe.utils import now_datetime, nowdate


def run_case(case_class) -> unittest.TestResult:
	suite = unittest.TestLoader().loadTestsFromTestCase(case_class)
	result = unittest.TestResult()
	suite.run(result)
	return result


def note_count(title):
	return frappe.db.count("Fixture Note", {"title": title})


def insert_note(title):
	return frappe.get_doc({"doctype": "Fixture Note", "title": title}).insert(ignore_permissions=True)


class NotesPersistWithinTheClass(FrappeTestCase):
	__test__ = False  # run by the tests below inside a site, not collected by pytest

	def test_1_insert(self):
		insert_note("class scoped")
		frappe.flags.some_test_flag = True

	def test_2_still_there(self):
		self.assertEqual(note_count("class scoped"), 1)


class Helpers(FrappeTestCase):
	__test__ = False

	def test_query_count(self):
		with self.assertQueryCount(3):
			frappe.db.sql("select 1")
			frappe.db.get_value("Fixture Note", {"title": "x"})
		with self.assertRaises(AssertionError), self.assertQueryCount(1):
			frappe.db.sql("select 1")
			frappe.db.get_value("Fixture Note", {"title": "x"})
		# the counter is gone again
		self.assertNotIn("sql", frappe.local.db.__dict__)

	def test_set_user(self):
		with self.set_user("Guest"):
			self.assertEqual(frappe.session.user, "Guest")
			self.assertEqual(insert_note("as guest").made_by, "Guest")
		self.assertEqual(frappe.session.user, "Administrator")

	@change_settings("System Settings", {"time_zone": "UTC"})
	def test_change_settings_decorator(self):
		self.assertEqual(frappe.db.get_single_value("System Settings", "time_zone"), "UTC")

	def test_change_settings_context_manager(self):
		before = frappe.db.get_single_value("System Settings", "time_zone")
		with change_settings("System Settings", time_zone="America/New_York"):
			self.assertEqual(frappe.get_single("System Settings").time_zone, "America/New_York")
		self.assertEqual(frappe.db.get_single_value("System Settings", "time_zone"), before)

	def test_freeze_time_and_document_equal(self):
		with self.freeze_time("2030-05-17 08:00:00"):
			self.assertEqual(nowdate(), "2030-05-17")
			self.assertEqual(str(now_datetime()), "2030-05-17 08:00:00")
			doc = insert_note("frozen")
		self.assertNotEqual(nowdate(), "2030-05-17")
		self.assertDocumentEqual({"title": "frozen", "value": 0, "creation": doc.creation}, doc)
		with self.assertRaises(AssertionError):
			self.assertDocumentEqual({"title": "other"}, doc)

	def test_patch_hooks(self):
		with patch_hooks({"before_tests": ["x.y"]}):
			self.assertEqual(frappe.get_hooks("before_tests"), ["x.y"])
		self.assertEqual(frappe.get_hooks("before_tests"), ["fixture_app.jobs.before_tests"])

	def test_secondary_connection_sees_only_committed_data(self):
		insert_note("uncommitted")
		with self.secondary_connection():
			self.assertEqual(note_count("uncommitted"), 0)
		with self.primary_connection():
			self.assertEqual(note_count("uncommitted"), 1)


def test_frappe_test_case_rolls_back_at_class_end(fixture_site):
	site = fixture_site()
	with site.connect():
		insert_note("committed by setUpClass")
		result = run_case(NotesPersistWithinTheClass)
		assert result.wasSuccessful(), result.failures + result.errors
		assert note_count("class scoped") == 0, "rolled back at class end"
		assert note_count("committed by setUpClass") == 1, "setUpClass commits what came before"
		assert not frappe.flags.some_test_flag, "flags restored"
		frappe.db.rollback()
		assert note_count("committed by setUpClass") == 1


def test_helpers(fixture_site):
	site = fixture_site()
	with site.connect():
		result = run_case(Helpers)
		assert result.testsRun == 7
		assert result.wasSuccessful(), result.failures + result.errors
		assert note_count("as guest") == 0 and note_count("frozen") == 0
