from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import crediting, ledger
from tuktuk_management.c2b import C2BPayment
from tuktuk_management.crediting import credit_payment
from tuktuk_management.ledger import DEPOSIT
from tuktuk_management.money import to_money
from tuktuk_management.payouts import outbox
from tuktuk_management.tests.utils import (
	PAYMENT_SETTINGS,
	apply_settings,
	driver_row,
	make_driver,
	make_payment,
	settings_changed,
	unique,
)


def ledger_sum(driver) -> Decimal:
	rows = frappe.get_all(
		"TukTuk Transaction",
		filters={"driver": driver.name, "payment_status": "Completed"},
		pluck="target_contribution",
	)
	return sum((to_money(v) for v in rows), Decimal("0.00"))


class TestCrediting(FrappeTestCase):
	"""The locked unit of work: split from the locked balance, atomic balance and left_to_target update
	(the same on MariaDB and SQLite), payout row, idempotent TransID, retried deadlocks."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(PAYMENT_SETTINGS)

	def test_balance_and_left_to_target_follow_each_payment(self):
		"""left_to_target is computed from the balance before the update on both backends (MariaDB
		evaluates SET left to right)."""
		driver = make_driver(daily_target=100, fare_percentage=50)
		steps = [
			# amount, share, contribution, balance after, left after
			("150", "75.00", "75.00", "75.00", "25.00"),
			("60", "30.00", "30.00", "105.00", "0.00"),  # crosses the target
			("40", "40.00", "0.00", "105.00", "0.00"),  # target met: all to driver
		]
		for amount, share, contribution, balance, left in steps:
			result = make_payment(driver, amount)
			self.assertEqual(result.status, "Processed")
			self.assertEqual(
				(result.driver_share, result.target_contribution), (Decimal(share), Decimal(contribution))
			)
			row = driver_row(driver)
			self.assertEqual(to_money(row.current_balance), Decimal(balance), amount)
			self.assertEqual(to_money(row.left_to_target), Decimal(left), amount)
		self.assertEqual(ledger_sum(driver), Decimal("105.00"))

	def test_left_to_target_single_small_payment(self):
		driver = make_driver(daily_target=1000, fare_percentage=40)
		make_payment(driver, "10.01")  # share 4.00 (4.004), contribution 6.01
		row = driver_row(driver)
		self.assertEqual(to_money(row.current_balance), Decimal("6.01"))
		self.assertEqual(to_money(row.left_to_target), Decimal("993.99"))

	def test_sharing_disabled_by_override(self):
		driver = make_driver(daily_target=10, fare_percentage=50, target_sharing_override="Disable")
		make_payment(driver, 100)
		result = make_payment(driver, 100)  # target already met, but sharing is off for this driver
		self.assertEqual(result.target_contribution, Decimal("50.00"))

	def test_sharing_enabled_by_override_when_global_off(self):
		with settings_changed(enable_target_sharing=0):
			driver = make_driver(daily_target=10, fare_percentage=50, target_sharing_override="Enable")
			make_payment(driver, 100)
			result = make_payment(driver, 100)
			self.assertEqual(result.driver_share, Decimal("100.00"))

	def test_global_fare_and_target_used_when_driver_has_none(self):
		with settings_changed(global_fare_percentage=30, global_daily_target=500):
			driver = make_driver()
			result = make_payment(driver, 100)
			self.assertEqual(result.driver_share, Decimal("30.00"))
			self.assertEqual(to_money(driver_row(driver).left_to_target), Decimal("430.00"))

	def test_ledger_row_and_payout(self):
		driver = make_driver(fare_percentage=50)
		result = make_payment(driver, 100, msisdn="254708374149")
		ledger = frappe.get_doc("TukTuk Transaction", result.transaction)
		self.assertEqual(ledger.driver, driver.name)
		self.assertEqual(ledger.tuktuk, driver.assigned_tuktuk)
		self.assertEqual(ledger.payment_status, "Completed")
		self.assertEqual(str(ledger.balance_period), str(driver_row(driver).balance_period))
		payout = frappe.get_doc("TukTuk Payout", result.payout)
		self.assertEqual((to_money(payout.amount), payout.phone), (Decimal("50.00"), driver.mpesa_number))
		self.assertEqual(payout.status, "On Hold")  # b2c disabled

	def test_payout_queued_and_enqueued_after_commit_when_b2c_on(self):
		driver = make_driver(fare_percentage=50)
		with settings_changed(b2c_enabled=1, instant_payouts_enabled=1), patch("frappe.enqueue") as enqueue:
			result = make_payment(driver, 100)
		self.assertEqual(result.payout_status, "Queued")
		enqueue.assert_called_once_with(outbox.SEND_PAYOUT, queue="short", payout=result.payout)

	def test_a_queue_that_is_down_leaves_the_credit_processed_and_the_payout_queued(self):
		# Redis down: the enqueue after the commit fails. The credit is committed, so the result (and the reply
		# to Safaricom) says Processed, the payout waits Queued for the scheduled retry, and an Error Log says so.
		driver = make_driver(fare_percentage=50)
		down = ConnectionError("Error 111 connecting to 127.0.0.1:11000. Connection refused.")
		with (
			settings_changed(b2c_enabled=1, instant_payouts_enabled=1),
			patch("frappe.enqueue", side_effect=down),
		):
			result = make_payment(driver, 100)
		self.assertEqual((result.status, result.payout_status), ("Processed", "Queued"))
		self.assertEqual(frappe.db.get_value("TukTuk Payout", result.payout, "status"), "Queued")
		self.assertTrue(
			frappe.db.exists(
				"Error Log", {"method": "B2C Payout Not Enqueued", "error": ["like", f"%{result.payout}%"]}
			)
		)

	def test_payout_held_when_instant_payouts_off(self):
		driver = make_driver(fare_percentage=50)
		with settings_changed(b2c_enabled=1, instant_payouts_enabled=0), patch("frappe.enqueue") as enqueue:
			result = make_payment(driver, 100)
		self.assertEqual(result.payout_status, "On Hold")
		enqueue.assert_not_called()

	def test_deposit_credits_whole_amount_without_payout(self):
		driver = make_driver(fare_percentage=50)
		result = make_payment(driver, "123.45", mode=DEPOSIT)
		self.assertEqual(
			(result.driver_share, result.target_contribution), (Decimal("0.00"), Decimal("123.45"))
		)
		self.assertIsNone(result.payout)
		self.assertEqual(
			frappe.db.get_value("TukTuk Transaction", result.transaction, "transaction_type"), "Deposit"
		)
		self.assertEqual(to_money(driver_row(driver).current_balance), Decimal("123.45"))

	def test_duplicate_transaction_id_never_credited_twice(self):
		driver = make_driver(fare_percentage=50)
		trans_id = unique("DUP", 10)
		first = make_payment(driver, 100, transaction_id=trans_id)
		second = make_payment(driver, 100, transaction_id=trans_id)
		self.assertEqual(second.status, "Duplicate")
		self.assertEqual(second.transaction, first.transaction)
		self.assertEqual(frappe.db.count("TukTuk Transaction", {"transaction_id": trans_id}), 1)
		self.assertEqual(to_money(driver_row(driver).current_balance), Decimal("50.00"))

	def test_duplicate_caught_by_unique_index_when_precheck_misses(self):
		"""A concurrent repeat passes the friendly pre-check; the unique index is the truth."""
		driver = make_driver(fare_percentage=50)
		trans_id = unique("RACE", 10)
		make_payment(driver, 100, transaction_id=trans_id)
		real_exists = frappe.db.exists

		def blind_exists(doctype, *args, **kwargs):
			if doctype == "TukTuk Transaction":
				return None
			return real_exists(doctype, *args, **kwargs)

		with patch.object(frappe.db, "exists", side_effect=blind_exists):
			result = make_payment(driver, 100, transaction_id=trans_id)
		self.assertEqual(result.status, "Duplicate")
		self.assertEqual(frappe.db.count("TukTuk Transaction", {"transaction_id": trans_id}), 1)
		self.assertEqual(to_money(driver_row(driver).current_balance), Decimal("50.00"))

	def test_deadlock_retries_the_whole_unit(self):
		driver = make_driver(fare_percentage=50)
		frappe.db.commit()  # credit_payment runs at a transaction boundary; a retry rolls back to it
		real = crediting._credit_under_lock
		calls = []

		def flaky(*args, **kwargs):
			calls.append(1)
			if len(calls) == 1:
				raise frappe.QueryDeadlockError("Deadlock found when trying to get lock")
			return real(*args, **kwargs)

		with patch.object(crediting, "_credit_under_lock", side_effect=flaky):
			result = make_payment(driver, 100)
		self.assertEqual((result.status, result.attempts, len(calls)), ("Processed", 2, 2))
		self.assertEqual(to_money(driver_row(driver).current_balance), Decimal("50.00"))

	def test_other_failure_rolls_back_and_raises(self):
		driver = make_driver(fare_percentage=50)
		trans_id = unique("FAIL", 10)
		with patch.object(ledger, "compute_split", side_effect=RuntimeError("boom")):
			with self.assertRaises(RuntimeError):
				credit_payment(C2BPayment(trans_id, 100, driver=driver.name))
		self.assertFalse(frappe.db.exists("TukTuk Transaction", {"transaction_id": trans_id}))
		self.assertEqual(to_money(driver_row(driver).current_balance), Decimal("0.00"))

	def test_invalid_arguments(self):
		driver = make_driver()
		for amount, trans_id, name, mode in (
			(0, "X1", driver.name, ledger.SPLIT),
			(-5, "X2", driver.name, ledger.SPLIT),
			(10, "", driver.name, ledger.SPLIT),
			(10, "X3", None, ledger.SPLIT),
			(10, "X4", driver.name, "give_it_all"),
		):
			with self.subTest(amount=amount, trans_id=trans_id, driver=name, mode=mode):
				with self.assertRaises(frappe.ValidationError):
					credit_payment(C2BPayment(trans_id, amount, driver=name, mode=mode))
		self.assertEqual(to_money(driver_row(driver).current_balance), Decimal("0.00"))
