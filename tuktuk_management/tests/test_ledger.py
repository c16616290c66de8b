from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, getdate

from tuktuk_management import ledger, reconciliation
from tuktuk_management.money import to_money
from tuktuk_management.tests.reconciliation_utils import corrupt_balance
from tuktuk_management.tests.utils import (
	PAYMENT_SETTINGS,
	apply_settings,
	driver_row,
	make_driver,
	make_payment,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings


class TestOneFormula(FrappeTestCase):
	"""Every write of a driver's money goes through the ledger, and left_to_target has one formula there:
	what remains of the effective target above the balance, never below zero. It holds after a credit, a
	reconciliation fix, a daily close, a new daily target and a new driver, on MariaDB (left-to-right SET)
	and SQLite alike."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(PAYMENT_SETTINGS)

	def assertLeftFollowsBalance(self, driver, target, balance, step):
		row = driver_row(driver)
		self.assertEqual(to_money(row.current_balance), Decimal(balance), step)
		self.assertEqual(
			to_money(row.left_to_target), max(Decimal("0.00"), Decimal(target) - Decimal(balance)), step
		)

	def test_every_write_uses_the_same_formula(self):
		driver = make_driver(daily_target=100, fare_percentage=50, target_sharing_override="Disable")
		self.assertLeftFollowsBalance(driver, "100", "0.00", "new driver")
		make_payment(driver, "150")  # contribution 75
		self.assertLeftFollowsBalance(driver, "100", "75.00", "credit")
		make_payment(driver, "60")  # 30 more: past the target
		self.assertLeftFollowsBalance(driver, "100", "105.00", "credit past the target")

		corrupt_balance(driver.name, "-50")
		reconciliation.fix_under_lock(driver.name)
		self.assertLeftFollowsBalance(driver, "100", "105.00", "reconciliation fix")

		doc = frappe.get_doc("TukTuk Driver", driver.name)
		doc.daily_target = 400
		doc.save()
		self.assertLeftFollowsBalance(driver, "400", "105.00", "new daily target")
		self.assertEqual(to_money(doc.left_to_target), Decimal("295.00"))  # the form shows what is stored

		period = getdate(driver_row(driver).balance_period)
		closed = ledger.close_period(driver.name, getdate(add_days(period, 1)), get_settings().global_target)
		self.assertEqual(closed.closing_balance, Decimal("105.00"))
		self.assertLeftFollowsBalance(driver, "400", "0.00", "daily close")

	def test_global_target_used_when_the_driver_has_none(self):
		driver = make_driver(daily_target=0, fare_percentage=50)
		global_target = get_settings().global_target
		self.assertLeftFollowsBalance(driver, global_target, "0.00", "new driver")
		make_payment(driver, "100")
		self.assertLeftFollowsBalance(driver, global_target, "50.00", "credit")


class TestLedgerWrites(FrappeTestCase):
	"""The shape of the ledger's writes: one UPDATE of the driver per credit (balance, left_to_target,
	share_carry and the period together), under the driver's row lock."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(PAYMENT_SETTINGS)

	def test_a_credit_is_one_update_of_the_driver(self):
		from tuktuk_management.c2b import C2BPayment

		driver = make_driver(fare_percentage=50, target_sharing_override="Disable")
		make_payment(driver, "101")  # 0.50 carried
		statements = []
		db = frappe.local.db
		original = db.sql

		def recording(query, *args, **kwargs):
			statements.append(" ".join(str(query).split()).lower())
			return original(query, *args, **kwargs)

		db.sql = recording
		try:
			credit = ledger.credit(
				C2BPayment("LEDGER" + frappe.generate_hash(length=8), "101", driver=driver.name),
				get_settings(),
			)
		finally:
			db.__dict__.pop("sql", None)
		driver_updates = [s for s in statements if s.startswith("update `tabtuktuk driver`")]
		self.assertEqual(len(driver_updates), 1, driver_updates)
		for column in ("current_balance", "left_to_target", "share_carry", "balance_period"):
			self.assertIn(column, driver_updates[0])
		locks = [s for s in statements if "tabtuktuk driver" in s and s.endswith("for update")]
		self.assertEqual(len(locks), 1)
		self.assertLess(statements.index(locks[0]), statements.index(driver_updates[0]))
		self.assertEqual(
			(credit.payout.carry_in, credit.payout.carry_out), (Decimal("0.50"), Decimal("0.00"))
		)
		row = driver_row(driver)
		self.assertEqual(to_money(row.current_balance), Decimal("101.00"))
		self.assertEqual(
			to_money(frappe.db.get_value("TukTuk Driver", driver.name, "share_carry")), Decimal("0.00")
		)

	def test_payout_created_by_the_outbox_with_derived_values(self):
		driver = make_driver(fare_percentage=50, target_sharing_override="Disable")
		result = make_payment(driver, "101")
		payout = frappe.get_doc("TukTuk Payout", result.payout)
		self.assertEqual(
			(payout.driver, payout.transaction, payout.phone),
			(driver.name, result.transaction, driver.mpesa_number),
		)
		self.assertEqual(
			(to_money(payout.share), to_money(payout.amount)), (Decimal("50.50"), Decimal("50.00"))
		)
		self.assertEqual(frappe.db.get_value("TukTuk Transaction", result.transaction, "payout"), payout.name)

	def test_lock_of_a_missing_driver(self):
		with self.assertRaises(frappe.DoesNotExistError):
			ledger.lock_driver("DRV-NOPE")
		self.assertIsNone(ledger.lock_driver("DRV-NOPE", missing_ok=True))
