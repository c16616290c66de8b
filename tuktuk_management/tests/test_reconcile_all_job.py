"""Desk's "Reconcile all": check-only never fixes, whatever text the form sends; fixing is explicit; chunks
add up; a large fleet goes to a background job; the console prints a table."""

import contextlib
import io
import json
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import reconcile_all_job
from tuktuk_management.api import reconciliation as api
from tuktuk_management.tests.reconciliation_utils import (
	balance_of,
	corrupt_balance,
	make_driver,
	record_payment,
)


class TestReconcileAllFromDesk(FrappeTestCase):
	def setUp(self):
		self.good, self.bad = make_driver(), make_driver()
		record_payment(self.good, "100", "50")
		record_payment(self.bad, "100", "50")
		corrupt_balance(self.bad, "2.5")

	def test_check_only_never_fixes_whatever_the_form_sends(self):
		for value in ("false", "0", 0, "", None, "False", "no"):
			result = api.reconcile_all_from_desk(auto_fix=value)
			self.assertFalse(result["queued"])
			self.assertFalse(result["auto_fix"], value)
			self.assertEqual(result["drivers_fixed"], 0, value)
			self.assertIn(self.bad, [d["driver"] for d in result["discrepancies"]])
			self.assertEqual(balance_of(self.bad), Decimal("52.50"), value)

	def test_also_fix_sets_the_ledger_total(self):
		result = api.reconcile_all_from_desk(auto_fix="1")
		self.assertGreaterEqual(result["drivers_fixed"], 1)
		self.assertEqual(balance_of(self.bad), Decimal("50.00"))
		self.assertEqual(balance_of(self.good), Decimal("50.00"))
		self.assertIn("fixed", result["message"])

	def test_chunks_add_up_to_one_run(self):
		whole = reconcile_all_job.run(False)
		seen = []
		old = reconcile_all_job.CHUNK
		reconcile_all_job.CHUNK = 1
		try:
			chunked = reconcile_all_job.run(False, on_progress=lambda done, total: seen.append((done, total)))
		finally:
			reconcile_all_job.CHUNK = old
		self.assertEqual(chunked.drivers_checked, whole.drivers_checked)
		self.assertEqual(chunked.drivers_with_discrepancies, whole.drivers_with_discrepancies)
		self.assertEqual(seen[-1], (whole.total_drivers, whole.total_drivers))
		self.assertEqual(len(seen), whole.total_drivers)

	def test_a_large_fleet_is_a_background_job(self):
		# frappe.enqueue(now=in_test): the job itself runs here, as a worker would run it.
		old = reconcile_all_job.INLINE_LIMIT
		reconcile_all_job.INLINE_LIMIT = 1
		try:
			checked = api.reconcile_all_from_desk(auto_fix="false")
			self.assertTrue(checked["queued"])
			self.assertFalse(checked["auto_fix"])
			self.assertEqual(balance_of(self.bad), Decimal("52.50"))
			self.assertTrue(
				frappe.db.exists("TukTuk Balance Reconciliation", {"driver": self.bad, "fixed": 0})
			)
			fixed = api.reconcile_all_from_desk(auto_fix="1")
			self.assertTrue(fixed["queued"])
		finally:
			reconcile_all_job.INLINE_LIMIT = old
		self.assertEqual(balance_of(self.bad), Decimal("50.00"))

	def test_console_prints_a_table_or_json(self):
		out, err = io.StringIO(), io.StringIO()
		with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
			reconcile_all_job.console(auto_fix=0)
		self.assertIn("Discrepancy", out.getvalue())
		self.assertIn(self.bad, out.getvalue())
		self.assertIn("drivers", err.getvalue())
		out = io.StringIO()
		with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
			reconcile_all_job.console(auto_fix=0, as_json=1)
		data = json.loads(out.getvalue())
		self.assertIn(self.bad, [d["driver"] for d in data["discrepancies"]])
		self.assertEqual(balance_of(self.bad), Decimal("52.50"))

	def test_non_managers_are_refused(self):
		frappe.set_user("Guest")
		try:
			with self.assertRaises(frappe.PermissionError):
				api.reconcile_all_from_desk(auto_fix=1)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(balance_of(self.bad), Decimal("52.50"))
