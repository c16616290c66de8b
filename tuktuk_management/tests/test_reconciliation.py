from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now

from tuktuk_management import reconciliation
from tuktuk_management.api import reconciliation as api
from tuktuk_management.money import to_money
from tuktuk_management.tests.reconciliation_utils import (
	CountCommits,
	CountQueries,
	balance_of,
	corrupt_balance,
	error_logs,
	make_driver,
	period_of,
	record_payment,
)

BASELINE_DRIVER_KEYS = {
	"driver",
	"old_balance",
	"current_balance",
	"calculated_balance",
	"discrepancy",
	"transactions_count",
	"fixed",
	"new_balance",
	"success",
	"message",
}
BASELINE_ALL_KEYS = {
	"total_drivers",
	"drivers_checked",
	"drivers_with_discrepancies",
	"drivers_fixed",
	"total_discrepancy_amount",
	"results",
	"discrepancies",
	"success",
}


class TestReconcileDriverBalance(FrappeTestCase):
	"""The calculated balance counts exactly what crediting counts: Completed rows of the open period."""

	def setUp(self):
		self.since = now()
		self.driver = make_driver()
		record_payment(self.driver, "200", "100")
		record_payment(self.driver, "99.99", "50.01")
		record_payment(self.driver, "500", "250", status="Failed")
		record_payment(self.driver, "300", "150", period=add_days(period_of(self.driver), -1))

	def test_balanced_driver_has_no_discrepancy(self):
		result = reconciliation.reconcile_driver_balance(self.driver)
		self.assertTrue(BASELINE_DRIVER_KEYS <= set(result))
		self.assertEqual(result.calculated_balance, Decimal("150.01"))
		self.assertEqual(result.current_balance, Decimal("150.01"))
		self.assertEqual(result.discrepancy, Decimal("0.00"))
		self.assertEqual(result.transactions_count, 2)
		self.assertIsNone(result.reconciliation)
		self.assertEqual(error_logs(self.driver, reconciliation.TITLE_DISCREPANCY, self.since), 0)

	def test_discrepancy_is_detected_and_logged(self):
		corrupt_balance(self.driver, "-40")
		result = reconciliation.reconcile_driver_balance(self.driver)
		self.assertEqual(result.discrepancy, Decimal("-40.00"))
		self.assertTrue(result.has_discrepancy)
		self.assertEqual(error_logs(self.driver, reconciliation.TITLE_DISCREPANCY, self.since), 1)
		record = frappe.get_doc(reconciliation.RECORD, result.reconciliation)
		self.assertEqual(record.driver, self.driver)
		self.assertEqual(to_money(record.discrepancy), Decimal("-40.00"))
		self.assertFalse(record.fixed)
		self.assertEqual(balance_of(self.driver), Decimal("110.01"))  # detection changes nothing

	def test_fix_sets_balance_to_ledger_and_leaves_audit_trail(self):
		corrupt_balance(self.driver, "75.5")
		result = reconciliation.fix_driver_balance(self.driver, auto_fix=True)
		self.assertTrue(result.fixed)
		self.assertEqual(result.old_balance, Decimal("225.51"))
		self.assertEqual(result.new_balance, Decimal("150.01"))
		self.assertEqual(result.adjustment, Decimal("-75.50"))
		self.assertEqual(balance_of(self.driver), Decimal("150.01"))
		self.assertEqual(
			to_money(frappe.db.get_value("TukTuk Driver", self.driver, "left_to_target")), Decimal("849.99")
		)
		comments = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "TukTuk Driver",
				"reference_name": self.driver,
				"comment_type": "Comment",
			},
			pluck="content",
		)
		self.assertEqual(len(comments), 1)
		self.assertIn("225.51", comments[0])
		self.assertEqual(error_logs(self.driver, reconciliation.TITLE_FIXED, self.since), 1)
		self.assertEqual(error_logs(self.driver, reconciliation.TITLE_DISCREPANCY, self.since), 1)
		record = frappe.get_doc(reconciliation.RECORD, result.reconciliation)
		self.assertTrue(record.fixed)
		self.assertEqual(to_money(record.old_balance), Decimal("225.51"))
		self.assertEqual(to_money(record.new_balance), Decimal("150.01"))
		self.assertEqual(record.transactions_count, 2)
		self.assertFalse(reconciliation.fix_driver_balance(self.driver, auto_fix=True).fixed)

	def test_string_booleans_mean_false(self):
		corrupt_balance(self.driver, "10")
		for value in ("false", "False", "0", "no", "", " off ", 0, None, False):
			with self.subTest(auto_fix=value):
				result = reconciliation.fix_driver_balance(self.driver, auto_fix=value)
				self.assertFalse(result.fixed)
				self.assertEqual(balance_of(self.driver), Decimal("160.01"))
		for value in ("1", "true", "Yes", 1, True):
			with self.subTest(auto_fix=value):
				self.assertIs(reconciliation.as_bool(value), True)

	def test_a_payment_between_screen_and_fix_is_kept(self):
		"""The replayed race: the screen sees a discrepancy, a payment lands, the fix (under the lock,
		recomputing) counts that payment instead of restoring the screen's figure."""
		corrupt_balance(self.driver, "-100")
		screen = reconciliation.reconcile_all_drivers_balances(drivers=[self.driver])
		self.assertEqual(screen.discrepancies[0].calculated_balance, Decimal("150.01"))
		record_payment(self.driver, "100", "60")
		result = reconciliation.fix_under_lock(self.driver)
		self.assertEqual(result.new_balance, Decimal("210.01"))
		self.assertEqual(
			balance_of(self.driver), reconciliation.ledger_total(self.driver, period_of(self.driver))[0]
		)

	def test_closed_period_is_reported_not_rewritten(self):
		past = add_days(period_of(self.driver), -1)
		result = reconciliation.fix_driver_balance(self.driver, date=past, auto_fix=True)
		self.assertFalse(result.fixed)
		self.assertFalse(result.is_open_period)
		self.assertEqual(result.calculated_balance, Decimal("150.00"))
		self.assertIsNone(result.current_balance)  # no Daily Close recorded for it
		self.assertEqual(balance_of(self.driver), Decimal("150.01"))

	def test_a_closed_date_without_a_daily_close_never_answers_matches(self):
		# No closing balance was recorded: there is nothing to compare, and the answer must say so.
		past = add_days(period_of(self.driver), -1)
		result = reconciliation.reconcile_driver_balance(self.driver, date=past)
		self.assertIsNone(result.old_balance)
		self.assertNotIn("matches", result.message)
		self.assertIn("no daily close", result.message)

	def test_unknown_driver(self):
		with self.assertRaises(frappe.DoesNotExistError):
			reconciliation.reconcile_driver_balance("DRV-NOPE")


class TestReconcileAllDrivers(FrappeTestCase):
	"""Set-based: one grouped query whatever the number of drivers; fixes only the discrepant ones."""

	def test_a_fix_that_fails_is_reported_and_the_others_are_kept(self):
		# With commit, earlier fixes are committed: one driver's failure must not turn the call into an error
		# that hides them (a 500 after committed work); it is rolled back, logged and counted.
		drivers = [make_driver() for _ in range(3)]
		for driver in drivers:
			record_payment(driver, "100", "40")
			corrupt_balance(driver, Decimal("5"))
		frappe.db.commit()
		real_fix = reconciliation.fix_under_lock

		def fix_failing_for_the_second(name, *args, **kwargs):
			if name == drivers[1]:
				raise frappe.ValidationError("the database went away")
			return real_fix(name, *args, **kwargs)

		with patch.object(reconciliation, "fix_under_lock", side_effect=fix_failing_for_the_second):
			summary = reconciliation.reconcile_all_drivers_balances(drivers=drivers, auto_fix=1, commit=True)
		self.assertEqual((summary.drivers_fixed, summary.drivers_failed), (2, 1))
		self.assertEqual(
			[balance_of(d) for d in drivers], [Decimal("40.00"), Decimal("45.00"), Decimal("40.00")]
		)
		self.assertTrue(
			frappe.db.exists("Error Log", {"method": "Balance Fix Failed", "reference_name": drivers[1]})
		)

	def test_detect_then_fix_all(self):
		self.since = now()
		drivers = [make_driver() for _ in range(6)]
		for driver in drivers:
			record_payment(driver, "100", "40")
		corrupted = {drivers[0]: Decimal("5"), drivers[3]: Decimal("-12.34"), drivers[5]: Decimal("0.01")}
		for driver, delta in corrupted.items():
			corrupt_balance(driver, delta)

		found = reconciliation.reconcile_all_drivers_balances(drivers=drivers, auto_fix="false")
		self.assertTrue(BASELINE_ALL_KEYS <= set(found))
		self.assertEqual(found.total_drivers, 6)
		self.assertEqual({r.driver for r in found.discrepancies}, set(corrupted))
		self.assertEqual(found.drivers_fixed, 0)
		self.assertEqual(found.total_discrepancy_amount, Decimal("17.35"))
		for driver in drivers:
			self.assertEqual(
				error_logs(driver, reconciliation.TITLE_DISCREPANCY, self.since),
				1 if driver in corrupted else 0,
			)

		fixed = reconciliation.reconcile_all_drivers_balances(drivers=drivers, auto_fix=True)
		self.assertEqual(fixed.drivers_fixed, 3)
		for driver in drivers:
			self.assertEqual(balance_of(driver), Decimal("40.00"))
			self.assertEqual(
				error_logs(driver, reconciliation.TITLE_FIXED, self.since), 1 if driver in corrupted else 0
			)
		self.assertEqual(
			reconciliation.reconcile_all_drivers_balances(drivers=drivers).drivers_with_discrepancies, 0
		)

	def test_every_driver_is_checked_without_a_filter(self):
		driver = make_driver()
		corrupt_balance(driver, "3")
		summary = reconciliation.reconcile_all_drivers_balances()
		self.assertEqual(summary.total_drivers, frappe.db.count("TukTuk Driver"))
		self.assertIn(driver, {r.driver for r in summary.discrepancies})

	def test_query_count_is_constant(self):
		drivers = [make_driver() for _ in range(200)]
		for driver in drivers[:10]:
			record_payment(driver, "10", "5")
		with CountQueries() as ten:
			reconciliation.reconcile_all_drivers_balances(drivers=drivers[:10])
		with CountQueries() as two_hundred:
			reconciliation.reconcile_all_drivers_balances(drivers=drivers)
		self.assertEqual(ten.count, two_hundred.count)
		with self.assertQueryCount(ten.count):
			reconciliation.reconcile_all_drivers_balances(drivers=drivers)

	def test_scheduled_reconciliation_fixes_only_when_enabled(self):
		driver = make_driver()
		record_payment(driver, "100", "50")
		corrupt_balance(driver, "9")
		frappe.db.set_single_value("TukTuk Settings", "auto_fix_on_schedule", 0)
		with CountCommits():
			summary = reconciliation.scheduled_reconciliation()
		self.assertIn(driver, {r.driver for r in summary.discrepancies})
		self.assertEqual(balance_of(driver), Decimal("59.00"))
		record = frappe.get_all(reconciliation.RECORD, filters={"driver": driver}, fields=["source", "fixed"])
		self.assertEqual([(r.source, r.fixed) for r in record], [("Scheduled", 0)])

		frappe.db.set_single_value("TukTuk Settings", "auto_fix_on_schedule", 1)
		with CountCommits() as commits:
			summary = reconciliation.scheduled_reconciliation()
		self.assertGreaterEqual(commits.count, 1)  # each fix is its own unit of work
		self.assertEqual(balance_of(driver), Decimal("50.00"))
		self.assertIn(driver, {r.driver for r in summary.discrepancies if r.fixed})


class TestReconciliationAPI(FrappeTestCase):
	"""Thin whitelisted wrappers: managers only, string booleans parsed, CSV statement download."""

	def test_wrappers_are_whitelisted_and_reexported(self):
		from tuktuk_management.api import tuktuk

		for name in api.__all__:
			self.assertIs(getattr(tuktuk, name), getattr(api, name))
			frappe.is_whitelisted(getattr(api, name))

	def test_non_manager_is_refused(self):
		in_test = frappe.local.flags.in_test
		frappe.local.flags.in_test = False  # Frappe's only_for lets everything through in tests
		try:
			with self.set_user("Guest"):
				for call in (
					lambda: api.reconcile_driver_balance("DRV-112001"),
					lambda: api.fix_driver_balance("DRV-112001", auto_fix="1"),
					lambda: api.reconcile_all_drivers_balances(),
					lambda: api.download_driver_statement("DRV-112001"),
				):
					self.assertRaises(frappe.PermissionError, call)
		finally:
			frappe.local.flags.in_test = in_test

	def test_fix_parses_string_false(self):
		driver = make_driver()
		record_payment(driver, "100", "50")
		corrupt_balance(driver, "1")
		with CountCommits():
			self.assertFalse(api.fix_driver_balance(driver, auto_fix="false").fixed)
			self.assertEqual(balance_of(driver), Decimal("51.00"))
			self.assertTrue(api.fix_driver_balance(driver, auto_fix="1").fixed)
		self.assertEqual(balance_of(driver), Decimal("50.00"))

	def test_statement_download(self):
		driver = make_driver()
		record_payment(driver, "100", "30")
		record_payment(driver, "45.50", "12.25")
		frappe.local.response = frappe._dict()
		self.assertIsNone(api.download_driver_statement(driver))
		self.assertEqual(frappe.response["type"], "csv")
		self.assertTrue(frappe.response["filename"].endswith(".csv"))
		self.assertTrue(frappe.response["doctype"].startswith(f"statement_{driver}_"))
		lines = frappe.response["result"].splitlines()
		self.assertEqual(lines[0].split(",")[:3], ["timestamp", "transaction_id", "transaction_type"])
		self.assertIn("total_target_contribution,42.25", lines)


class TestDriverBalanceReconciliationReport(FrappeTestCase):
	"""The Script Report shows every driver's balance beside its ledger total and changes nothing."""

	def test_report_rows(self):
		from tuktuk_management.tuktuk_management.report.driver_balance_reconciliation import (
			driver_balance_reconciliation as report,
		)

		good, bad = make_driver(), make_driver()
		record_payment(good, "100", "50")
		record_payment(bad, "100", "50")
		corrupt_balance(bad, "2.5")
		columns, data = report.execute({})
		self.assertIn("discrepancy", [c["fieldname"] for c in columns])
		rows = {row["driver"]: row for row in data}
		self.assertEqual(rows[good]["discrepancy"], Decimal("0.00"))
		self.assertEqual(rows[bad]["discrepancy"], Decimal("2.50"))
		self.assertEqual(rows[bad]["calculated_balance"], Decimal("50.00"))
		only = {row["driver"] for row in report.execute({"only_discrepancies": 1})[1]}
		self.assertIn(bad, only)
		self.assertNotIn(good, only)
		self.assertEqual(balance_of(bad), Decimal("52.50"))
