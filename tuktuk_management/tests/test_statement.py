from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days

from tuktuk_management import statement
from tuktuk_management.tests.reconciliation_utils import (
	balance_of,
	make_driver,
	period_of,
	record_payment,
)


class TestDriverStatement(FrappeTestCase):
	"""The statement lists exactly the credited rows, so its target_contribution total is the balance."""

	def setUp(self):
		self.driver = make_driver()
		self.today = period_of(self.driver)
		self.yesterday = add_days(self.today, -1)
		record_payment(self.driver, "150", "75")
		record_payment(self.driver, "33.33", "16.67")
		record_payment(self.driver, "20", "0")  # target met earlier: all to the driver
		record_payment(self.driver, "80", "40", status="Reversed")
		record_payment(self.driver, "60", "30", status="Pending")
		record_payment(self.driver, "500", "250", period=self.yesterday)

	def test_total_equals_balance_for_open_period(self):
		data = statement.get_statement(self.driver)
		self.assertEqual(data.transactions_count, 3)
		self.assertEqual(data.total_target_contribution, balance_of(self.driver))
		self.assertEqual(data.total_target_contribution, Decimal("91.67"))
		self.assertEqual(data.total_amount, Decimal("203.33"))
		self.assertEqual(data.total_driver_share + data.total_target_contribution, data.total_amount)
		self.assertTrue(all(row.payment_status == "Completed" for row in data.rows))

	def test_period_range(self):
		data = statement.get_statement(self.driver, from_date=str(self.yesterday), to_date=str(self.today))
		self.assertEqual(data.transactions_count, 4)
		self.assertEqual(data.total_target_contribution, Decimal("341.67"))
		only_yesterday = statement.get_statement(self.driver, from_date=str(self.yesterday))
		self.assertEqual(only_yesterday.to_date, only_yesterday.from_date)
		self.assertEqual(only_yesterday.total_target_contribution, Decimal("250.00"))
		with self.assertRaises(frappe.ValidationError):
			statement.get_statement(self.driver, from_date=str(self.today), to_date=str(self.yesterday))

	def test_csv(self):
		data = statement.get_statement(self.driver)
		text = statement.statement_csv(data)
		lines = text.splitlines()
		self.assertEqual(lines[0], ",".join(statement.COLUMNS))
		body = lines[1 : 1 + data.transactions_count]
		column = statement.COLUMNS.index("target_contribution")
		self.assertEqual(sum(Decimal(line.split(",")[column]) for line in body), balance_of(self.driver))
		self.assertIn("total_target_contribution,91.67", lines)
		self.assertEqual(statement.statement_filename(data), f"statement_{self.driver}_{self.today}")

	def test_unknown_driver(self):
		with self.assertRaises(frappe.DoesNotExistError):
			statement.get_statement("DRV-NOPE")
