from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate

from tuktuk_management import daily_close, reconciliation
from tuktuk_management.money import to_money
from tuktuk_management.tests.reconciliation_utils import (
	CountCommits,
	balance_of,
	make_driver,
	period_of,
	record_payment,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings


def _driver(name):
	return frappe.db.get_value(
		"TukTuk Driver",
		name,
		["current_balance", "left_to_target", "consecutive_misses", "balance_period"],
		as_dict=True,
	)


class TestDailyClose(FrappeTestCase):
	"""Each active driver's period is closed once per business date, under the lock, and a new one opened."""

	def setUp(self):
		self.met = make_driver(daily_target=100)
		self.missed = make_driver(daily_target=100)
		self.inactive = make_driver(daily_target=100, status="Inactive")
		self.period = period_of(self.met)
		self.next_period = getdate(add_days(self.period, 1))
		record_payment(self.met, "300", "150")
		record_payment(self.missed, "100", "50")
		record_payment(self.inactive, "100", "50")

	def close(self, date=None):
		with CountCommits() as commits:
			summary = daily_close.run_daily_close(date=date or self.next_period, commit=True)
		self.assertGreaterEqual(commits.count, 1)
		return summary

	def test_close_records_resets_and_opens_the_new_period(self):
		summary = self.close()
		self.assertEqual(summary.business_date, self.next_period)
		closes = {
			c.driver: c
			for c in frappe.get_all(
				"TukTuk Daily Close",
				filters={"driver": ["in", [self.met, self.missed, self.inactive]]},
				fields=[
					"driver",
					"balance_period",
					"closing_balance",
					"daily_target",
					"target_met",
					"consecutive_misses",
					"new_period",
				],
			)
		}
		self.assertEqual(set(closes), {self.met, self.missed})  # inactive drivers are not closed
		self.assertEqual(to_money(closes[self.met].closing_balance), Decimal("150.00"))
		self.assertTrue(closes[self.met].target_met)
		self.assertEqual(closes[self.met].consecutive_misses, 0)
		self.assertEqual(to_money(closes[self.missed].closing_balance), Decimal("50.00"))
		self.assertFalse(closes[self.missed].target_met)
		self.assertEqual(closes[self.missed].consecutive_misses, 1)
		self.assertEqual(getdate(closes[self.missed].balance_period), self.period)
		self.assertEqual(getdate(closes[self.missed].new_period), self.next_period)
		for name in (self.met, self.missed):
			row = _driver(name)
			self.assertEqual(to_money(row.current_balance), Decimal("0.00"))
			self.assertEqual(to_money(row.left_to_target), Decimal("100.00"))
			self.assertEqual(getdate(row.balance_period), self.next_period)
		self.assertEqual(balance_of(self.inactive), Decimal("50.00"))
		self.assertEqual(
			getdate(frappe.db.get_single_value("TukTuk Settings", "last_daily_reset_date")), self.next_period
		)

	def test_idempotent_per_business_date(self):
		self.close()
		second = self.close()
		self.assertEqual(second.drivers_closed, 0)
		self.assertEqual(frappe.db.count("TukTuk Daily Close", {"driver": self.missed}), 1)

	def test_misses_accumulate_and_reset(self):
		self.close()
		self.close(getdate(add_days(self.next_period, 1)))
		self.assertEqual(_driver(self.missed).consecutive_misses, 2)
		record_payment(self.missed, "400", "100")
		self.close(getdate(add_days(self.next_period, 2)))
		self.assertEqual(_driver(self.missed).consecutive_misses, 0)

	def test_payments_after_close_go_to_the_new_period_and_reconcile(self):
		self.close()
		record_payment(self.met, "40", "20")
		self.assertEqual(balance_of(self.met), Decimal("20.00"))
		now = reconciliation.reconcile_driver_balance(self.met)
		self.assertEqual((now.discrepancy, now.transactions_count), (Decimal("0.00"), 1))
		before = reconciliation.reconcile_driver_balance(self.met, date=self.period)
		self.assertFalse(before.is_open_period)
		self.assertEqual(before.current_balance, Decimal("150.00"))  # from its Daily Close
		self.assertEqual(before.discrepancy, Decimal("0.00"))

	def test_business_date_follows_operating_hours_start(self):
		frappe.db.set_single_value("TukTuk Settings", "operating_hours_start", "06:00:00")
		settings = get_settings()
		self.assertEqual(settings.business_date("2026-03-10 05:59:00"), getdate("2026-03-09"))
		self.assertEqual(settings.business_date("2026-03-10 06:00:00"), getdate("2026-03-10"))
