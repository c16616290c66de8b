from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import test_balance_fixes
from tuktuk_management.tests.reconciliation_utils import row_counts

REFERENCE_FUNCTIONS = (
	"test_atomic_updates",
	"test_reconciliation_functions",
	"test_race_condition_protection",
	"test_mass_reconciliation",
)


class TestSelfCheck(FrappeTestCase):
	"""The on-site self-check passes, leaves no row behind, and cannot commit; the reference document's four
	verification functions each run on their own through frappe.call, as safely."""

	def assertPassedAndLeftNothing(self, summary, before):
		failed = [c for c in summary["checks"] if not c["passed"]]
		self.assertTrue(summary["passed"], failed)
		self.assertEqual(summary["checks_passed"], summary["checks_total"])
		self.assertTrue(summary["rolled_back"])
		self.assertEqual(row_counts(), before)

	def test_passes_and_leaves_nothing_behind(self):
		before = row_counts()
		summary = test_balance_fixes.run_tests(verbose=False)
		self.assertPassedAndLeftNothing(summary, before)
		self.assertEqual(summary["checks_total"], len(test_balance_fixes.CHECKS))

	def test_each_reference_function_runs_alone_through_frappe_call(self):
		for name in REFERENCE_FUNCTIONS:
			with self.subTest(name=name):
				before = row_counts()
				summary = frappe.call(f"tuktuk_management.test_balance_fixes.{name}", verbose=False)
				self.assertPassedAndLeftNothing(summary, before)
				self.assertEqual(summary["checks_total"], 1)

	def test_results_carry_the_reference_keys(self):
		reconciliation = frappe.call(
			"tuktuk_management.test_balance_fixes.test_reconciliation_functions", verbose=False
		)["checks"][0]["results"]
		self.assertEqual(Decimal(reconciliation["reconcile_driver_balance"]["discrepancy"]), Decimal("50.00"))
		fix = reconciliation["fix_driver_balance"]
		self.assertEqual(
			Decimal(fix["adjustment"]), Decimal(fix["new_balance"]) - Decimal(fix["old_balance"])
		)
		mass = test_balance_fixes.test_mass_reconciliation(verbose=False)["checks"][0]["results"]
		self.assertEqual(mass["reconcile_all_drivers_balances"]["drivers_with_discrepancies"], 10)

	def test_prints_a_pass_fail_report(self):
		with patch("builtins.print") as printed:
			test_balance_fixes.test_atomic_updates()
		report = "\n".join(" ".join(map(str, call.args)) for call in printed.call_args_list)
		self.assertIn("[PASS] 1. atomic update", report)
		self.assertIn("ALL CHECKS PASSED: 1/1", report)

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
