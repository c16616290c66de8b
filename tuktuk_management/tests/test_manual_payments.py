import json
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import c2b
from tuktuk_management.api import tuktuk as api
from tuktuk_management.inbox import Received
from tuktuk_management.money import to_money
from tuktuk_management.tests.utils import (
	CALLBACK_SETTINGS,
	account_of,
	apply_settings,
	c2b_payload,
	driver_row,
	make_driver,
	unique,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings


def confirm(payload) -> dict:
	"""A confirmation callback past the door (authenticated, read and parsed once)."""
	return c2b.handle_confirmation(Received.parse(json.dumps(payload)), get_settings())


def make_plain_user() -> str:
	"""A desk user with no TukTuk role."""
	email = f"{unique().lower()}@example.com"
	frappe.get_doc(
		{"doctype": "User", "email": email, "first_name": "Plain", "send_welcome_email": 0}
	).insert(ignore_permissions=True)
	return email


class ManualTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(CALLBACK_SETTINGS)

	def setUp(self):
		frappe.set_user("Administrator")
		frappe.local.response = frappe._dict({"docs": []})
		self.driver = make_driver(fare_percentage=50)
		self.account = account_of(self.driver)

	def tearDown(self):
		frappe.set_user("Administrator")

	def balance(self):
		return to_money(driver_row(self.driver).current_balance)

	def uncaptured(self, amount="100"):
		payload = c2b_payload(unique("LOST"), amount)
		reply = confirm(payload)
		self.assertEqual(reply["status"], "Uncaptured")
		return payload


class TestUncapturedPayment(ManualTestCase):
	"""process_uncaptured_payment: same lock, same atomic update, same idempotency as a callback."""

	def test_send_share(self):
		payload = self.uncaptured("100")
		result = api.process_uncaptured_payment(
			self.driver.name,
			self.driver.assigned_tuktuk,
			payload["TransID"],
			payload["MSISDN"],
			"100",
			"send_share",
		)
		self.assertEqual(result["status"], "Processed")
		self.assertEqual(
			(result["driver_share"], result["target_contribution"]), (Decimal("50.00"), Decimal("50.00"))
		)
		self.assertTrue(result["payout"])
		self.assertEqual(self.balance(), Decimal("50.00"))
		inbox = frappe.get_all(
			"TukTuk Callback", filters={"trans_id": payload["TransID"]}, fields=["status", "transaction"]
		)
		self.assertEqual([(r.status, r.transaction) for r in inbox], [("Processed", result["transaction"])])

	def test_repeated_uncaptured_delivery_settled_by_one_assignment(self):
		payload = self.uncaptured("100")
		confirm(payload)  # Safaricom delivered it twice
		result = api.process_uncaptured_payment(
			self.driver.name, None, payload["TransID"], None, "100", "send_share"
		)
		statuses = sorted(
			frappe.get_all("TukTuk Callback", filters={"trans_id": payload["TransID"]}, pluck="status")
		)
		self.assertEqual(statuses, ["Duplicate", "Processed"])
		self.assertEqual(result["status"], "Processed")
		self.assertEqual(self.balance(), Decimal("50.00"))

	def test_deposit_share(self):
		payload = self.uncaptured("80")
		result = api.process_uncaptured_payment(
			self.driver.name, None, payload["TransID"], payload["MSISDN"], 80, "deposit_share"
		)
		self.assertEqual(
			(result["driver_share"], result["target_contribution"]), (Decimal("0.00"), Decimal("80.00"))
		)
		self.assertIsNone(result["payout"])
		self.assertEqual(self.balance(), Decimal("80.00"))

	def test_processing_twice_is_duplicate(self):
		payload = self.uncaptured("100")
		args = (self.driver.name, None, payload["TransID"], payload["MSISDN"], "100", "send_share")
		api.process_uncaptured_payment(*args)
		second = api.process_uncaptured_payment(*args)
		self.assertEqual(second["status"], "Duplicate")
		self.assertEqual(self.balance(), Decimal("50.00"))
		self.assertEqual(frappe.db.count("TukTuk Transaction", {"transaction_id": payload["TransID"]}), 1)

	def test_without_inbox_row_creates_manual_entry(self):
		trans_id = unique("MAN", 10)
		result = api.process_uncaptured_payment(
			self.driver.name, None, trans_id, "0712345678", "40", "send_share"
		)
		self.assertEqual(result["status"], "Processed")
		self.assertEqual(
			frappe.db.get_value("TukTuk Callback", result["callback"], "callback_type"), "Manual Entry"
		)

	def test_amount_must_match_received(self):
		payload = self.uncaptured("100")
		with self.assertRaises(frappe.ValidationError):
			api.process_uncaptured_payment(
				self.driver.name, None, payload["TransID"], None, "150", "send_share"
			)
		self.assertEqual(self.balance(), Decimal("0.00"))

	def test_bad_arguments(self):
		payload = self.uncaptured("100")
		for args in (
			(self.driver.name, None, payload["TransID"], None, "100", "give_it_all"),
			("DRV-NOPE", None, payload["TransID"], None, "100", "send_share"),
			(self.driver.name, "NO-SUCH-TUKTUK", payload["TransID"], None, "100", "send_share"),
			(self.driver.name, None, "", None, "100", "send_share"),
			(self.driver.name, None, payload["TransID"], None, "-100", "send_share"),
			(self.driver.name, None, payload["TransID"], None, "abc", "send_share"),
		):
			with self.subTest(args=args), self.assertRaises(frappe.ValidationError):
				api.process_uncaptured_payment(*args)
		self.assertEqual(self.balance(), Decimal("0.00"))

	def test_managers_only(self):
		payload = self.uncaptured("100")
		frappe.set_user(make_plain_user())
		with self.assertRaises(frappe.PermissionError):
			api.process_uncaptured_payment(
				self.driver.name, None, payload["TransID"], None, "100", "send_share"
			)
		frappe.set_user("Administrator")
		self.assertEqual(self.balance(), Decimal("0.00"))


class TestMissedTransaction(ManualTestCase):
	"""add_missed_transaction goes through the confirmation path: inbox, parse, resolve, locked credit."""

	def test_by_tuktuk(self):
		trans_id = unique("MISS", 10)
		result = api.add_missed_transaction(trans_id, "100", "0712345678", tuktuk=self.driver.assigned_tuktuk)
		self.assertEqual(result["status"], "Processed")
		self.assertEqual(self.balance(), Decimal("50.00"))
		callback = frappe.get_doc("TukTuk Callback", result["callback"])
		self.assertEqual((callback.callback_type, callback.status), ("Manual Entry", "Processed"))
		self.assertEqual(json.loads(callback.payload)["TransID"], trans_id)

	def test_by_account_with_trans_time(self):
		trans_id = unique("MISS", 10)
		result = api.add_missed_transaction(trans_id, 60, account=self.account, trans_time="20260301101500")
		ledger = frappe.get_doc("TukTuk Transaction", result["transaction"])
		self.assertEqual(str(ledger.timestamp)[:19], "2026-03-01 10:15:00")
		result = api.add_missed_transaction(
			unique("MISS", 10), 60, account=self.account, trans_time="2026-03-01 11:00:00"
		)
		self.assertEqual(
			str(frappe.db.get_value("TukTuk Transaction", result["transaction"], "timestamp"))[:16],
			"2026-03-01 11:00",
		)

	def test_duplicate_of_a_real_callback(self):
		payload = c2b_payload(self.account, "100")
		confirm(payload)
		result = api.add_missed_transaction(payload["TransID"], "100", tuktuk=self.driver.assigned_tuktuk)
		self.assertEqual(result["status"], "Duplicate")
		self.assertEqual(self.balance(), Decimal("50.00"))

	def test_unknown_account_is_uncaptured(self):
		result = api.add_missed_transaction(unique("MISS", 10), "100", account=unique("NOPE"))
		self.assertEqual(result["status"], "Uncaptured")

	def test_explicit_driver(self):
		result = api.add_missed_transaction(unique("MISS", 10), "100", driver=self.driver.name)
		self.assertEqual(result["status"], "Processed")
		self.assertEqual(self.balance(), Decimal("50.00"))

	def test_bad_input(self):
		for kwargs in (
			{"transaction_id": unique("M"), "amount": "-1", "tuktuk": self.driver.assigned_tuktuk},
			{"transaction_id": unique("M"), "amount": "lots", "tuktuk": self.driver.assigned_tuktuk},
			{
				"transaction_id": unique("M"),
				"amount": "10",
				"tuktuk": self.driver.assigned_tuktuk,
				"trans_time": "yesterday",
			},
			{"transaction_id": "", "amount": "10", "tuktuk": self.driver.assigned_tuktuk},
			{"transaction_id": unique("M"), "amount": "10"},
			{"transaction_id": unique("M"), "amount": "10", "tuktuk": "NO-SUCH-TUKTUK"},
		):
			with self.subTest(kwargs=kwargs), self.assertRaises(frappe.ValidationError):
				api.add_missed_transaction(**kwargs)
		self.assertEqual(self.balance(), Decimal("0.00"))

	def test_managers_only(self):
		frappe.set_user(make_plain_user())
		with self.assertRaises(frappe.PermissionError):
			api.add_missed_transaction(unique("M"), "10", tuktuk=self.driver.assigned_tuktuk)
		with self.assertRaises(frappe.PermissionError):
			api.replay_callback("anything")
