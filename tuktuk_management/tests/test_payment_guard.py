"""The optional guard (TukTuk Settings ``verify_payouts_above``): a share above the amount is paid out only
after M-Pesa's Transaction Status query confirms the payment; smaller shares, and every share with the guard
off (the default), go out at once."""

import json
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import c2b
from tuktuk_management.inbox import Received
from tuktuk_management.tests.utils import (
	CALLBACK_SETTINGS,
	account_of,
	apply_settings,
	c2b_payload,
	make_driver,
	settings_changed,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings
from tuktuk_management.upgrade import verification

GUARDED = {**CALLBACK_SETTINGS, "b2c_enabled": 1, "instant_payouts_enabled": 1, "verify_payouts_above": 100}


def mpesa_says(row, amount, status="Completed"):
	"""M-Pesa's Transaction Status result for the payment of inbox row ``row``."""
	params = [
		{"Key": "TransactionStatus", "Value": status},
		{"Key": "Amount", "Value": amount},
		{"Key": "ReceiptNo", "Value": row.trans_id},
		{"Key": "CreditPartyName", "Value": "600000 - Fleet"},
	]
	return Received.of(
		{"Result": {"ResultCode": 0, "ResultDesc": "ok", "ResultParameters": {"ResultParameter": params}}}
	)


class TestPaymentGuard(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(GUARDED)

	@classmethod
	def tearDownClass(cls):
		apply_settings({**CALLBACK_SETTINGS, "verify_payouts_above": 0})
		super().tearDownClass()

	def setUp(self):
		self.driver = make_driver(fare_percentage=50, daily_target=100_000)
		self.account = account_of(self.driver)

	def confirm(self, amount):
		body = c2b_payload(self.account, amount)
		with patch("frappe.enqueue") as enqueue:
			reply = c2b.handle_confirmation(Received.parse(json.dumps(body)), get_settings())
		self.enqueued = [c.args[0] for c in enqueue.call_args_list]
		self.assertEqual(reply["status"], "Processed", reply)
		return frappe.db.get_value(
			"TukTuk Callback", reply["callback"], ["name", "trans_id", "payout", "verification"], as_dict=True
		)

	def payout_status(self, row):
		return frappe.db.get_value("TukTuk Payout", row.payout, "status")

	def test_a_share_above_the_amount_waits_for_mpesa(self):
		row = self.confirm(500)  # share 250 > 100
		self.assertEqual((self.payout_status(row), row.verification), ("On Hold", "Pending"))
		self.assertIn(verification.QUERY, self.enqueued)
		self.assertNotIn("tuktuk_management.payouts.outbox.send_payout", self.enqueued)
		with patch("frappe.enqueue"):
			outcome = verification.handle_result(mpesa_says(row, 500), row.name)
		self.assertEqual(outcome["status"], "Verified")
		self.assertEqual(self.payout_status(row), "Queued")

	def test_not_confirmed_by_mpesa_it_stays_held(self):
		row = self.confirm(500)
		outcome = verification.handle_result(mpesa_says(row, 5000), row.name)
		self.assertEqual(outcome["status"], "Not Confirmed")
		self.assertEqual(self.payout_status(row), "On Hold")

	def test_a_share_at_or_below_the_amount_goes_at_once(self):
		row = self.confirm(200)  # share 100, not above 100
		self.assertEqual((self.payout_status(row), row.verification or None), ("Queued", None))
		self.assertNotIn(verification.QUERY, self.enqueued)

	def test_off_by_default(self):
		with settings_changed(verify_payouts_above=0):
			row = self.confirm(5000)
		self.assertEqual((self.payout_status(row), row.verification or None), ("Queued", None))
