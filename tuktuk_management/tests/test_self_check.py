from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import test_balance_fixes
from tuktuk_management.tests.reconciliation_utils import row_counts


class TestSelfCheck(FrappeTestCase):
	"""The on-site self-check passes, leaves no row behind, and cannot commit."""

	def test_passes_and_leaves_nothing_behind(self):
		before = row_counts()
		summary = test_balance_fixes.run_tests(verbose=False)
		failed = [c for c in summary["checks"] if not c["passed"]]
		self.assertTrue(summary["passed"], failed)
		self.assertEqual(summary["checks_passed"], summary["checks_total"])
		self.assertEqual(row_counts(), before)

	def test_a_commit_inside_the_check_is_refused(self):
		def committing_check(scratch, check):
			scratch.driver()
			frappe.db.commit()

		before = row_counts()
		with patch.object(test_balance_fixes, "CHECKS", (("commits", committing_check),)):
			summary = test_balance_fixes.run_tests(verbose=False)
		self.assertFalse(summary["passed"])
		self.assertIn("CommitAttempted", "\n".join(summary["checks"][0]["details"]))
		self.assertEqual(row_counts(), before)
		frappe.db.commit()  # the disarmed guard stays behind as a no-op: later commits work
