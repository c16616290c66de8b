"""Money records no one can bend (issue 14, items 1 and 2), as Frappe test cases: they run on frappe_lite
(SQLite and MariaDB, tests/system/test_app_suite.py) and under ``bench run-tests`` on a real v15 bench.

Ledger, payout, inbox, reconciliation and daily-close rows are written only by the module that owns them:
no role may create, change or delete them (DocType permissions), and the controllers refuse what permissions
do not stop (Administrator, ``ignore_permissions``): an insert the owner did not mark, any save by hand, any
delete. A payout is the one its ledger row created; a retry never pays a Paid payout; corrections are new
Adjustment rows; a replay that loses the race to credit its own callback leaves that row Processed."""

import json
from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import c2b, crediting, records
from tuktuk_management.api import tuktuk as api
from tuktuk_management.inbox import Received
from tuktuk_management.money import to_money
from tuktuk_management.payouts import outbox
from tuktuk_management.records import RecordProtectedError
from tuktuk_management.roles import MANAGER_ROLES
from tuktuk_management.tests.utils import (
	CALLBACK_SETTINGS,
	account_of,
	apply_settings,
	c2b_payload,
	driver_row,
	make_driver,
	settings_changed,
	unique,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

LEDGER, PAYOUT, INBOX = "TukTuk Transaction", "TukTuk Payout", "TukTuk Callback"
RECONCILIATION, DAILY_CLOSE = "TukTuk Balance Reconciliation", "TukTuk Daily Close"
MONEY_RECORDS = (LEDGER, PAYOUT, INBOX, RECONCILIATION, DAILY_CLOSE)


def confirm(payload) -> dict:
	"""A confirmation callback past the door (authenticated, read and parsed once)."""
	return c2b.handle_confirmation(Received.parse(json.dumps(payload)), get_settings())


class MoneyRecordsTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(CALLBACK_SETTINGS)

	def setUp(self):
		frappe.set_user("Administrator")
		self.driver = make_driver(fare_percentage=50)
		reply = confirm(c2b_payload(account_of(self.driver), "101"))
		self.assertEqual(reply["status"], "Processed", reply)
		self.paid = reply
		# one of each kind of record, made by the app's own code paths
		self.records = {
			LEDGER: reply["transaction"],
			PAYOUT: reply["payout"],
			INBOX: reply["callback"],
			RECONCILIATION: self._reconciliation_record(),
			DAILY_CLOSE: self._daily_close(),
		}

	def tearDown(self):
		frappe.set_user("Administrator")

	def _reconciliation_record(self):
		# A discrepancy (written behind the app, as the bugs reconciliation exists for do) leaves a record.
		from tuktuk_management import reconciliation

		frappe.db.sql(
			"update `tabTukTuk Driver` set current_balance = current_balance + 1 where name = %s",
			self.driver.name,
		)
		found = reconciliation.reconcile_driver_balance(self.driver.name)
		frappe.db.sql(
			"update `tabTukTuk Driver` set current_balance = current_balance - 1 where name = %s",
			self.driver.name,
		)
		frappe.db.commit()
		return found.reconciliation

	def _daily_close(self):
		from tuktuk_management import ledger

		other = make_driver(fare_percentage=50)
		closed = ledger.close_period(
			other.name, frappe.utils.getdate(frappe.utils.add_days(frappe.utils.today(), 30)), 3000
		)
		frappe.db.commit()
		return closed.daily_close

	def snapshot(self, doctype, name):
		return frappe.db.get_value(doctype, name, "*", as_dict=True)


class TestNobodyWritesMoneyRecordsByHand(MoneyRecordsTestCase):
	"""Permissions and controller guards, for every role and for Administrator."""

	def test_no_role_may_create_change_or_delete_them(self):
		for doctype in MONEY_RECORDS:
			perms = frappe.get_meta(doctype).permissions
			self.assertTrue(perms, doctype)
			for perm in perms:
				rights = {right: perm.get(right) for right in ("create", "write", "delete", "read")}
				self.assertEqual(
					rights, {"create": 0, "write": 0, "delete": 0, "read": 1}, (doctype, perm.role)
				)
		user = f"{unique().lower()}@example.com"
		frappe.get_doc(
			{"doctype": "User", "email": user, "first_name": "Boss", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		frappe.get_doc("User", user).add_roles(*MANAGER_ROLES)
		for doctype in MONEY_RECORDS:
			for ptype in ("create", "write", "delete"):
				self.assertFalse(frappe.has_permission(doctype, ptype, user=user), (doctype, ptype))
			self.assertTrue(frappe.has_permission(doctype, "read", user=user), doctype)

	def test_changes_to_drivers_vehicles_settings_and_payouts_are_tracked(self):
		for doctype in ("TukTuk Driver", "TukTuk Vehicle", "TukTuk Settings", PAYOUT):
			self.assertTrue(frappe.get_meta(doctype).track_changes, doctype)
		vehicle = frappe.get_doc("TukTuk Vehicle", self.driver.assigned_tuktuk)
		versions = frappe.db.count("Version", {"ref_doctype": "TukTuk Vehicle", "docname": vehicle.name})
		vehicle.tuktuk_chasis = unique("CH")
		vehicle.save(
			ignore_permissions=True, ignore_version=False
		)  # Frappe skips versions in tests unless asked
		self.assertEqual(
			frappe.db.count("Version", {"ref_doctype": "TukTuk Vehicle", "docname": vehicle.name}),
			versions + 1,
		)

	def test_an_insert_the_owner_did_not_make_is_refused_even_for_administrator(self):
		for doctype in MONEY_RECORDS:
			values = self.snapshot(doctype, self.records[doctype])
			for key in ("name", "creation", "modified", "transaction_id", "originator_conversation_id"):
				values.pop(key, None)
			if doctype == PAYOUT:
				values["transaction"] = None  # a payout with no ledger row behind it
			before = frappe.db.count(doctype)
			with self.assertRaises(RecordProtectedError, msg=doctype):
				frappe.get_doc({**values, "doctype": doctype}).insert(ignore_permissions=True)
			self.assertEqual(frappe.db.count(doctype), before, doctype)

	def test_a_save_by_hand_is_refused_even_for_administrator(self):
		changes = {
			LEDGER: {"payment_status": "Reversed", "target_contribution": 0},
			PAYOUT: {"status": "Queued", "phone": "254799999999", "amount": 5000},
			INBOX: {"status": "Failed"},
			RECONCILIATION: {"fixed": 1, "new_balance": 1},
			DAILY_CLOSE: {"closing_balance": 99999},
		}
		for doctype, values in changes.items():
			name = self.records[doctype]
			before = self.snapshot(doctype, name)
			doc = frappe.get_doc(doctype, name)
			doc.update(values)
			with self.assertRaises(RecordProtectedError, msg=doctype):
				doc.save(ignore_permissions=True)
			self.assertEqual(self.snapshot(doctype, name), before, doctype)

	def test_a_payouts_amount_phone_driver_and_ledger_row_never_change(self):
		for field, value in (
			("amount", 5000),
			("phone", "254799999999"),
			("transaction", None),
			("share", 1),
		):
			doc = records.by_app(frappe.get_doc(PAYOUT, self.records[PAYOUT]))
			doc.set(field, value)
			with self.assertRaises(RecordProtectedError, msg=field):
				doc.save(ignore_permissions=True)

	def test_nothing_is_ever_deleted_even_by_administrator(self):
		for doctype in MONEY_RECORDS:
			name = self.records[doctype]
			with self.assertRaises(RecordProtectedError, msg=doctype):
				frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
			self.assertTrue(frappe.db.exists(doctype, name), doctype)

	def test_a_driver_with_money_records_cannot_be_deleted(self):
		# Frappe's own link check (model/delete_doc.check_if_doc_is_linked), on frappe_lite as on a bench.
		with self.assertRaises(frappe.LinkExistsError):
			frappe.delete_doc("TukTuk Driver", self.driver.name)
		self.assertTrue(frappe.db.exists("TukTuk Driver", self.driver.name))


class TestPayoutsOnlyFromTheLedger(MoneyRecordsTestCase):
	"""A payout goes out only as its ledger row made it; a retry acts only where the outbox allows."""

	def test_retry_never_acts_on_a_paid_payout(self):
		name = self.records[PAYOUT]
		outbox.update_payout(name, {"status": "Paid", "mpesa_receipt": unique("RCP")})
		frappe.db.commit()
		with self.assertRaises(frappe.ValidationError):
			api.retry_payout(name)
		self.assertEqual(frappe.db.get_value(PAYOUT, name, ["status", "attempts"]), ("Paid", 0))

	def test_retry_does_not_release_a_held_payout(self):
		name = self.records[PAYOUT]
		self.assertEqual(frappe.db.get_value(PAYOUT, name, "status"), "On Hold")
		with self.assertRaises(frappe.ValidationError):
			api.retry_payout(name)
		self.assertEqual(frappe.db.get_value(PAYOUT, name, "status"), "On Hold")

	def test_a_payout_its_ledger_row_does_not_back_is_never_sent(self):
		name = self.records[PAYOUT]
		# Written behind every guard (direct SQL): more money, another phone, then queued.
		frappe.db.sql(
			"update `tabTukTuk Payout` set amount = 5000, share = 5000, status = 'Failed' where name = %s",
			name,
		)
		frappe.db.commit()
		with self.assertRaises(frappe.ValidationError):
			api.retry_payout(name)
		frappe.db.sql("update `tabTukTuk Payout` set status = 'Queued' where name = %s", name)
		frappe.db.commit()
		with settings_changed(b2c_enabled=1, instant_payouts_enabled=1):
			self.assertIsNone(outbox.send_payout(name, force=True))
		row = frappe.db.get_value(PAYOUT, name, ["status", "attempts", "last_error"], as_dict=True)
		self.assertEqual((row.status, row.attempts), ("Failed", 0))
		self.assertIn("does not match", row.last_error)

	def test_a_release_the_queue_cannot_take_answers_what_was_committed(self):
		# Redis down: the release is committed (payout Queued for the scheduled retry); the method answers it
		# instead of a 500 after the commit.
		name = self.records[PAYOUT]
		down = ConnectionError("Error 111 connecting to 127.0.0.1:11000. Connection refused.")
		with (
			settings_changed(b2c_enabled=1, instant_payouts_enabled=1),
			patch("frappe.enqueue", side_effect=down),
		):
			released = api.release_held_payouts(payouts=json.dumps([name]))
		self.assertEqual(released["released"], [name])
		self.assertEqual(frappe.db.get_value(PAYOUT, name, "status"), "Queued")
		self.assertTrue(frappe.db.exists("Error Log", {"method": "B2C Payout Not Enqueued"}))

	def test_a_payout_with_no_ledger_row_is_never_sent(self):
		name = frappe.generate_hash(length=10)
		frappe.db.sql(
			"""insert into `tabTukTuk Payout` (name, driver, amount, share, phone, status, attempts, creation,
			modified, owner, modified_by, docstatus, idx) values (%s, %s, 500, 500, '254799999999', 'Queued', 0,
			now(), now(), 'Administrator', 'Administrator', 0, 0)""",
			(name, self.driver.name),
		)
		frappe.db.commit()
		with settings_changed(b2c_enabled=1, instant_payouts_enabled=1):
			self.assertIsNone(outbox.send_payout(name, force=True))
		self.assertEqual(frappe.db.get_value(PAYOUT, name, ["status", "attempts"]), ("Failed", 0))


class TestCorrectionsAndReplays(MoneyRecordsTestCase):
	"""Corrections are new Adjustment rows; replays are idempotent on the ledger's TransID."""

	def test_an_adjustment_is_a_new_ledger_row_and_reconciliation_agrees(self):
		before = to_money(driver_row(self.driver).current_balance)
		ledger_rows = frappe.db.count(LEDGER, {"driver": self.driver.name})
		done = api.add_adjustment(self.driver.name, "-10.25", "refund of a double fare")
		self.assertEqual(to_money(driver_row(self.driver).current_balance), before - Decimal("10.25"))
		self.assertEqual(frappe.db.count(LEDGER, {"driver": self.driver.name}), ledger_rows + 1)
		row = frappe.db.get_value(
			LEDGER,
			done.transaction,
			["transaction_type", "target_contribution", "driver_share", "remarks"],
			as_dict=True,
		)
		self.assertEqual(
			(row.transaction_type, to_money(row.target_contribution)), ("Adjustment", Decimal("-10.25"))
		)
		self.assertEqual(to_money(row.driver_share), Decimal("0.00"))
		self.assertIn("refund of a double fare", row.remarks)
		self.assertFalse(api.reconcile_driver_balance(self.driver.name).has_discrepancy)

	def test_a_bad_adjustment_is_refused_and_changes_nothing(self):
		before = (to_money(driver_row(self.driver).current_balance), frappe.db.count(LEDGER))
		for driver, amount, reason, error in (
			(self.driver.name, "0", "nothing", frappe.ValidationError),
			(self.driver.name, "1.234", "too precise", frappe.ValidationError),
			(self.driver.name, "NaN", "not a number", frappe.ValidationError),
			(self.driver.name, "1e9", "too much", frappe.ValidationError),
			(self.driver.name, "-100000", "below zero", frappe.ValidationError),
			(self.driver.name, "5", "", frappe.ValidationError),
			(self.driver.name, "5", "x" * 501, frappe.ValidationError),
			("DRV-NOPE", "5", "no such driver", frappe.DoesNotExistError),
		):
			with self.assertRaises(error, msg=(amount, reason[:10])):
				api.add_adjustment(driver, amount, reason)
			frappe.db.rollback()
		self.assertEqual((to_money(driver_row(self.driver).current_balance), frappe.db.count(LEDGER)), before)

	def test_what_a_manager_types_is_refused_or_stored_inertly(self):
		done = api.add_adjustment(self.driver.name, "1", "<img src=x onerror=alert(1)> typo")
		remarks = frappe.db.get_value(LEDGER, done.transaction, "remarks")
		self.assertNotIn("<", remarks)
		self.assertIn("&lt;img", remarks)
		payload = c2b_payload("NOSUCHACCOUNT", "100")
		self.assertEqual(confirm(payload)["status"], "Uncaptured")
		with self.assertRaises(frappe.ValidationError):
			api.process_uncaptured_payment(
				self.driver.name, None, payload["TransID"], "<script>x</script>", "100", "send_share"
			)
		self.assertEqual(frappe.db.count(LEDGER, {"transaction_id": payload["TransID"]}), 0)

	def test_a_replay_that_loses_the_race_leaves_its_crediting_row_processed(self):
		# Two replays of one inbox row at once: the one that finds the TransID already credited by that very
		# row must not mark it Duplicate (it is the row that credited it).
		callback = self.records[INBOX]
		payload = json.loads(frappe.db.get_value(INBOX, callback, "payload"))
		payment = c2b.parse_c2b_payload(payload).routed(callback=callback, driver=self.driver.name)
		balance = to_money(driver_row(self.driver).current_balance)
		result = crediting.credit_payment(payment)
		self.assertEqual(result.status, "Duplicate")
		self.assertEqual(frappe.db.get_value(INBOX, callback, "status"), "Processed")
		self.assertEqual(to_money(driver_row(self.driver).current_balance), balance)
		self.assertEqual(frappe.db.count(LEDGER, {"transaction_id": payload["TransID"]}), 1)

	def test_another_delivery_of_a_credited_transid_is_a_duplicate_and_credits_nothing(self):
		payload = json.loads(frappe.db.get_value(INBOX, self.records[INBOX], "payload"))
		balance = to_money(driver_row(self.driver).current_balance)
		again = confirm(payload)
		self.assertEqual(again["status"], "Duplicate")
		self.assertEqual(frappe.db.get_value(INBOX, again["callback"], "status"), "Duplicate")
		self.assertEqual(frappe.db.get_value(INBOX, self.records[INBOX], "status"), "Processed")
		self.assertEqual(to_money(driver_row(self.driver).current_balance), balance)
