"""Every callback kept or swept (tuktuk_management.sweep): confirmations left Received or Failed are credited
exactly once by the scheduled sweep, and what it cannot finish raises an Error Log and a health FAIL."""

import json
from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from tuktuk_management import c2b, health, ledger, sweep
from tuktuk_management.c2b import inbox_fields
from tuktuk_management.inbox import Received, store_callback
from tuktuk_management.money import to_money
from tuktuk_management.tests.utils import (
	CALLBACK_SETTINGS,
	account_of,
	apply_settings,
	c2b_payload,
	driver_row,
	make_driver,
)

INBOX, LEDGER = "TukTuk Callback", "TukTuk Transaction"


def stored(payload, minutes_ago=10, status=None, error=None) -> str:
	"""An inbox row as a confirmation leaves it when the process dies after storing it (Received) or after
	its credit failed (Failed), ``minutes_ago`` old."""
	text = payload if isinstance(payload, str) else json.dumps(payload)
	fields = inbox_fields(payload) if isinstance(payload, dict) else {}
	name = store_callback("C2B Confirmation", Received.parse(text), status=status, error=error, **fields)
	backdate(name, minutes_ago)
	return name


def backdate(name, minutes_ago):
	moment = add_to_date(now_datetime(), minutes=-minutes_ago)
	frappe.db.sql(
		f"update `tab{INBOX}` set creation = %s, modified = %s where name = %s", (moment, moment, name)
	)
	frappe.db.commit()


def credits_of(trans_id) -> int:
	return frappe.db.count(LEDGER, {"transaction_id": trans_id})


def status_of(name) -> str:
	return frappe.db.get_value(INBOX, name, "status")


class TestSweep(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(CALLBACK_SETTINGS)

	def setUp(self):
		self.driver = make_driver(fare_percentage=50)
		self.account = account_of(self.driver)

	def balance(self):
		return to_money(driver_row(self.driver).current_balance)

	def sweep_mine(self, *names):
		"""Sweep only this test's rows (other tests' leftovers would make the counts meaningless)."""
		return [sweep.sweep_one(name) for name in names]

	def test_a_stuck_received_confirmation_is_credited_once(self):
		payload = c2b_payload(self.account, "100")
		name = stored(payload)
		counts = sweep.sweep_callbacks()
		self.assertGreaterEqual(counts.get("Processed", 0), 1, counts)
		self.assertEqual(status_of(name), "Processed")
		self.assertEqual(credits_of(payload["TransID"]), 1)
		self.assertEqual(self.balance(), Decimal("50.00"))
		# A second run (and a manager's replay) finds it settled: nothing more is credited.
		self.assertEqual(self.sweep_mine(name), ["skipped"])
		with self.assertRaises(c2b.NotReplayable):
			c2b.replay_callback(name)
		self.assertEqual(credits_of(payload["TransID"]), 1)
		self.assertEqual(self.balance(), Decimal("50.00"))

	def test_a_failed_confirmation_is_replayed(self):
		payload = c2b_payload(self.account, "80")
		name = stored(payload, status="Failed", error="OperationalError: server has gone away")
		self.assertEqual(self.sweep_mine(name), ["Processed"])
		self.assertEqual(credits_of(payload["TransID"]), 1)
		self.assertEqual(self.balance(), Decimal("40.00"))

	def test_a_fresh_row_is_left_to_its_request(self):
		payload = c2b_payload(self.account, "100")
		name = stored(payload, minutes_ago=1)
		sweep.sweep_callbacks()
		self.assertEqual(status_of(name), "Received")
		self.assertEqual(credits_of(payload["TransID"]), 0)

	def test_idempotent_on_the_ledger_not_the_inbox_status(self):
		"""Two inbox rows of one TransID (Safaricom delivered twice, both died before finishing; or one was
		credited and the other left behind): one credit, the other settled as Duplicate."""
		payload = c2b_payload(self.account, "100")
		first, second = stored(payload), stored(payload, status="Failed", error="lock wait timeout")
		self.sweep_mine(first, second)
		self.assertEqual(sorted((status_of(first), status_of(second))), ["Duplicate", "Processed"])
		third = stored(payload)  # a Received repeat is settled by the sweep itself
		self.assertEqual(self.sweep_mine(third), ["Duplicate"])
		self.assertEqual(credits_of(payload["TransID"]), 1)
		self.assertEqual(self.balance(), Decimal("50.00"))

	def test_a_received_row_whose_credit_committed_stays_the_crediting_row(self):
		"""A row that reads Received although its credit committed (set back by hand): replaying it finds its
		own ledger row, credits nothing and marks it Processed, not Duplicate of itself."""
		payload = c2b_payload(self.account, "100")
		name = stored(payload)
		c2b.replay_callback(name)
		frappe.db.set_value(INBOX, name, "status", "Received", update_modified=False)
		frappe.db.commit()
		self.assertEqual(self.sweep_mine(name), ["Processed"])
		self.assertEqual(credits_of(payload["TransID"]), 1)
		self.assertEqual(self.balance(), Decimal("50.00"))

	def test_a_malformed_received_row_is_rejected_not_retried(self):
		name = stored("{not json", minutes_ago=10)
		self.assertEqual(self.sweep_mine(name), ["Rejected"])
		self.assertEqual(status_of(name), "Rejected")

	def test_an_unknown_account_is_kept_uncaptured(self):
		payload = c2b_payload("NO-SUCH-ACCOUNT", "100")
		name = stored(payload)
		self.assertEqual(self.sweep_mine(name), ["Uncaptured"])
		self.assertEqual(credits_of(payload["TransID"]), 0)

	def test_what_it_cannot_finish_is_alerted_and_shown_on_health(self):
		payload = c2b_payload(self.account, "100")
		name = stored(payload)
		with patch.object(ledger, "compute_split", side_effect=RuntimeError("split exploded")):
			for _attempt in range(sweep.MAX_SWEEP_ATTEMPTS):
				self.assertEqual(self.sweep_mine(name), ["failed"])
		self.assertEqual(frappe.db.get_value(INBOX, name, "sweep_attempts"), sweep.MAX_SWEEP_ATTEMPTS)
		self.assertEqual(status_of(name), "Failed")
		self.assertEqual(credits_of(payload["TransID"]), 0)
		self.assertTrue(
			frappe.db.exists("Error Log", {"method": sweep.NOT_SWEPT_TITLE, "reference_name": name}),
			"no Error Log for the row the sweep gave up on",
		)
		self.assertIn(name, sweep.unfinished(limit=1000)[1])
		[item] = health.check_callback_sweep(now_datetime())
		self.assertEqual(item.status, health.FAIL)
		# The sweep stops retrying it; a manager's replay, once the cause is fixed, credits it once.
		self.assertNotIn(name, frappe.get_all(INBOX, filters={"sweep_attempts": ("<", 3)}, pluck="name"))
		self.assertEqual(c2b.replay_callback(name)["status"], "Processed")
		self.assertNotIn(name, sweep.unfinished(limit=1000)[1])
		self.assertEqual(credits_of(payload["TransID"]), 1)
		self.assertEqual(self.balance(), Decimal("50.00"))


class TestQueueDown(FrappeTestCase):
	"""Redis refusing jobs after the credit committed: the reply says what was stored (Processed, not
	"held for replay"), the payout waits Queued for retry_due_payouts."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings({**CALLBACK_SETTINGS, "b2c_enabled": 1, "instant_payouts_enabled": 1})

	@classmethod
	def tearDownClass(cls):
		apply_settings(CALLBACK_SETTINGS)
		super().tearDownClass()

	def test_a_refused_enqueue_does_not_turn_a_credit_into_a_failure(self):
		driver = make_driver(fare_percentage=50)
		payload = c2b_payload(account_of(driver), "100")
		down = ConnectionError("Error 111 connecting to 127.0.0.1:11000. Connection refused.")
		with patch("frappe.enqueue", side_effect=down):
			reply = c2b.handle_confirmation(Received.parse(json.dumps(payload)), _settings())
		self.assertEqual(
			(reply["ResultCode"], reply["ResultDesc"], reply["status"]), (0, "Accepted", "Processed"), reply
		)
		row = frappe.db.get_value(INBOX, reply["callback"], ["status", "payout"], as_dict=True)
		self.assertEqual(row.status, "Processed")
		self.assertEqual(frappe.db.get_value("TukTuk Payout", row.payout, "status"), "Queued")
		self.assertEqual(credits_of(payload["TransID"]), 1)

	def test_a_managers_entry_is_not_a_500_after_its_work_committed(self):
		driver = make_driver(fare_percentage=50)
		down = ConnectionError("Error 111 connecting to 127.0.0.1:11000. Connection refused.")
		trans_id = frappe.generate_hash(length=10).upper()
		with patch("frappe.enqueue", side_effect=down):
			result = c2b.add_missed_transaction(trans_id, "300", account=account_of(driver))
		self.assertEqual(result["status"], "Processed")
		self.assertEqual(credits_of(trans_id), 1)


def _settings():
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	return get_settings()
