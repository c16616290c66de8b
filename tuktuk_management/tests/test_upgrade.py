"""What keeps an upgraded site of the original app working (tuktuk_management/upgrade, docs/upgrading.md), as
Frappe test cases (run on a real bench and on frappe_lite). The whole upgrade of a real original-app site is
tested by tests/upgrade (restore the dump, migrate, check)."""

import json
from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tuktuk_management import ledger, records, refused
from tuktuk_management.api import door
from tuktuk_management.api import sendpay as sendpay_api
from tuktuk_management.api import tuktuk as api
from tuktuk_management.api import upgrade as upgrade_api
from tuktuk_management.inbox import Received
from tuktuk_management.money import to_money
from tuktuk_management.tests.utils import (
	CALLBACK_SETTINGS,
	account_of,
	apply_settings,
	c2b_payload,
	callback_token,
	make_driver,
	make_vehicle,
	settings_changed,
	unique,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings
from tuktuk_management.upgrade import original_callbacks, original_results, verification

MPESA = "196.201.214.200"
ELSEWHERE = "10.9.8.7"
ORIGINAL_URLS = {
	"legacy_callback_urls": 1,
	"legacy_callback_networks": "196.201.212.0/24\n196.201.213.0/24\n196.201.214.0/24",
	"trusted_proxies": "127.0.0.1\n::1",
	"b2c_enabled": 1,
	"instant_payouts_enabled": 1,
}


def request(body, *, peer="127.0.0.1", forwarded_for=None, token=None):
	"""A werkzeug request as gunicorn hands it to Frappe: ``peer`` is the socket's address."""
	headers = {"Content-Type": "application/json"}
	if forwarded_for:
		headers["X-Forwarded-For"] = forwarded_for
	builder = EnvironBuilder(
		method="POST",
		path="/api/method/x",
		query_string={"token": token} if token else None,
		data=body if isinstance(body, str) else json.dumps(body),
		headers=headers,
		environ_base={"REMOTE_ADDR": peer},
	)
	return Request(builder.get_environ())


class OriginalUrlsCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings({**CALLBACK_SETTINGS, **ORIGINAL_URLS})

	@classmethod
	def tearDownClass(cls):
		apply_settings({"legacy_callback_urls": 0, "b2c_enabled": 0})
		super().tearDownClass()

	def setUp(self):
		frappe.local.response = frappe._dict({"docs": []})
		frappe.local.form_dict = frappe._dict()
		self.driver = make_driver(fare_percentage=50)
		self.account = account_of(self.driver)

	def tearDown(self):
		frappe.local.request = None

	def post(self, endpoint, body, module=api, **request_kw):
		"""Call a whitelisted endpoint as Frappe's handler would, with ``request`` in frappe.local; returns the
		top-level reply (what Safaricom reads) and its HTTP status."""
		frappe.local.response = frappe._dict({"docs": []})
		frappe.local.request = request(body, **request_kw)
		with patch(
			"frappe.enqueue"
		) as enqueue:  # no job runs from a unit test (payout sends, payment checks)
			getattr(module, endpoint)()
		self.enqueued = [c.args[0] for c in enqueue.call_args_list if c.args]
		reply = dict(frappe.local.response)
		return reply, reply.pop("http_status_code", 200)


class TestClientAddress(OriginalUrlsCase):
	"""X-Forwarded-For is believed only from a trusted proxy, and read from the right."""

	def address(self, **request_kw):
		return door.client_address(request({}, **request_kw), get_settings())

	def test_the_peer_when_no_proxy_is_trusted_or_it_is_not_one(self):
		self.assertEqual(self.address(peer="203.0.113.5", forwarded_for=MPESA), "203.0.113.5")
		with settings_changed(trusted_proxies="192.0.2.1"):
			self.assertEqual(self.address(peer="127.0.0.1", forwarded_for=MPESA), "127.0.0.1")

	def test_behind_a_trusted_proxy_the_last_address_it_did_not_add(self):
		self.assertEqual(self.address(forwarded_for=MPESA), MPESA)
		# A caller writing M-Pesa's address itself: nginx appends the real one, which is what counts.
		self.assertEqual(self.address(forwarded_for=f"{MPESA}, {ELSEWHERE}"), ELSEWHERE)
		self.assertEqual(self.address(forwarded_for=f"{ELSEWHERE}, {MPESA}, 127.0.0.1"), MPESA)
		self.assertEqual(self.address(), "127.0.0.1")


class TestTokenlessConfirmations(OriginalUrlsCase):
	"""On the original's URLs, a token-less confirmation is accepted from M-Pesa's address for our paybill, or
	refused and kept for review; never dropped."""

	def test_accepted_from_mpesa_credited_with_the_payout_held_for_mpesa_to_confirm(self):
		body = c2b_payload(self.account, 400)
		reply, status = self.post("payment_confirmation", body, forwarded_for=MPESA)
		self.assertEqual((status, reply["ResultCode"]), (200, 0))
		row = frappe.get_all(
			"TukTuk Callback",
			filters={"trans_id": body["TransID"]},
			fields=["name", "status", "auth", "verification", "remote_addr", "payout"],
		)[0]
		self.assertEqual(
			(row.status, row.auth, row.verification, row.remote_addr),
			("Processed", "M-Pesa Address", "Pending", MPESA),
		)
		self.assertEqual(frappe.db.get_value("TukTuk Payout", row.payout, "status"), "On Hold")
		self.assertIn(verification.QUERY, self.enqueued)

	def test_with_the_token_as_always(self):
		body = c2b_payload(self.account, 400)
		reply, status = self.post("payment_confirmation", body, token=callback_token())
		row = frappe.db.get_value(
			"TukTuk Callback", {"trans_id": body["TransID"]}, ["auth", "payout"], as_dict=True
		)
		self.assertEqual(row.auth, "Token")
		self.assertEqual(frappe.db.get_value("TukTuk Payout", row.payout, "status"), "Queued")

	def test_a_wrong_token_is_forged_403_kept_and_not_credited(self):
		body = c2b_payload(self.account, 400)
		with self.assertRaises(frappe.PermissionError):
			self.post("payment_confirmation", body, token="wrong", forwarded_for=MPESA)
		row = frappe.db.get_value(
			"TukTuk Callback", {"trans_id": body["TransID"]}, ["status", "error"], as_dict=True
		)
		self.assertEqual(row.status, "Refused")
		self.assertIn("wrong callback token", row.error)
		self.assertFalse(frappe.db.exists("TukTuk Transaction", {"transaction_id": body["TransID"]}))

	def refused(self, body, **request_kw):
		reply, status = self.post("payment_confirmation", body, **request_kw)
		self.assertEqual((status, reply["ResultCode"]), (200, 0), reply)
		self.assertFalse(frappe.db.exists("TukTuk Transaction", {"transaction_id": body.get("TransID")}))
		return frappe.get_all(
			"TukTuk Callback",
			filters={"trans_id": body.get("TransID"), "status": "Refused"},
			fields=["name", "error", "payload", "times_received", "remote_addr", "forwarded_for"],
		)

	def test_refused_from_elsewhere_kept_with_body_address_and_header(self):
		body = c2b_payload(self.account, 400)
		rows = self.refused(body, forwarded_for=f"{MPESA}, {ELSEWHERE}")
		self.assertEqual(len(rows), 1)
		self.assertIn(body["TransID"], rows[0].payload)
		self.assertEqual(rows[0].remote_addr, ELSEWHERE)
		self.assertIn(MPESA, rows[0].forwarded_for)
		self.assertIn("not an M-Pesa callback address", rows[0].error)

	def test_refused_for_another_paybill_or_a_malformed_body(self):
		rows = self.refused(c2b_payload(self.account, 400, BusinessShortCode="999999"), forwarded_for=MPESA)
		self.assertIn("not this site's paybill", rows[0].error)
		body = c2b_payload(self.account, "-5")
		rows = self.refused(body, forwarded_for=MPESA)
		self.assertIn("malformed", rows[0].error)

	def test_an_identical_refused_body_is_counted_not_stored_again(self):
		body = c2b_payload(self.account, 400)
		self.refused(body, forwarded_for=ELSEWHERE)
		rows = self.refused(body, forwarded_for=ELSEWHERE)
		self.assertEqual([r.times_received for r in rows], [2])

	def test_past_the_hourly_limit_429_and_nothing_stored(self):
		with patch.dict(refused.LIMITS, {"other": 0}):
			body = c2b_payload(self.account, 400, BusinessShortCode="999999")
			reply, status = self.post("payment_confirmation", body, forwarded_for="198.51.100.77")
		self.assertEqual(status, 429)
		self.assertFalse(frappe.db.exists("TukTuk Callback", {"trans_id": body["TransID"]}))

	def test_a_huge_body_is_kept_capped(self):
		body = c2b_payload(self.account, 400, Padding="x" * (refused.MAX_STORED_CHARS * 2))
		self.refused(body, forwarded_for=ELSEWHERE)
		payload = frappe.db.get_value("TukTuk Callback", {"trans_id": body["TransID"]}, "payload") or ""
		self.assertLess(len(payload), refused.MAX_STORED_CHARS + 200)
		self.assertIn("truncated", payload)

	def test_with_the_original_urls_off_a_tokenless_call_is_forged(self):
		body = c2b_payload(self.account, 400)
		with settings_changed(legacy_callback_urls=0):
			with self.assertRaises(frappe.PermissionError):
				self.post("payment_confirmation", body, forwarded_for=MPESA)
		self.assertEqual(
			frappe.db.get_value("TukTuk Callback", {"trans_id": body["TransID"]}, "status"), "Refused"
		)
		self.assertFalse(frappe.db.exists("TukTuk Transaction", {"transaction_id": body["TransID"]}))

	def test_a_manager_replays_a_refused_payment_its_payout_held(self):
		body = c2b_payload(self.account, 400)
		rows = self.refused(body, forwarded_for=ELSEWHERE)
		with patch("frappe.enqueue"):
			result = original_callbacks.replay_refused(rows[0].name)
		self.assertEqual(result["status"], "Processed")
		row = frappe.db.get_value(
			"TukTuk Callback", rows[0].name, ["auth", "verification", "payout"], as_dict=True
		)
		self.assertEqual((row.auth, row.verification), ("Manager", "Pending"))
		self.assertEqual(frappe.db.get_value("TukTuk Payout", row.payout, "status"), "On Hold")
		with self.assertRaises(frappe.ValidationError):
			original_callbacks.replay_refused(rows[0].name)  # not Refused any more

	def test_a_failed_tokenless_payment_replayed_keeps_its_payout_held(self):
		from tuktuk_management import c2b, inbox

		body = c2b_payload(self.account, 400)
		name = inbox.store_callback(
			"C2B Confirmation",
			Received.parse(json.dumps(body), remote_addr=MPESA).authenticated("M-Pesa Address"),
			status="Failed",
			trans_id=body["TransID"],
		)
		with patch("frappe.enqueue"):
			result = c2b.replay_callback(name)
		self.assertEqual(result["status"], "Processed")
		payout = frappe.db.get_value("TukTuk Callback", name, "payout")
		self.assertEqual(frappe.db.get_value("TukTuk Payout", payout, "status"), "On Hold")

	def test_only_managers_replay(self):
		frappe.set_user("Guest")
		try:
			with self.assertRaises(frappe.PermissionError):
				upgrade_api.replay_refused_callback("anything")
		finally:
			frappe.set_user("Administrator")

	def test_a_tokenless_validation_from_elsewhere_is_accepted_and_kept(self):
		body = c2b_payload(self.account, 400)
		reply, status = self.post("payment_validation", body, forwarded_for=ELSEWHERE)
		self.assertEqual((status, str(reply["ResultCode"])), (200, "0"))
		self.assertEqual(
			frappe.db.get_value("TukTuk Callback", {"trans_id": body["TransID"]}, "status"), "Refused"
		)


class TestPaymentCheck(OriginalUrlsCase):
	"""A token-less payment's payout leaves only once M-Pesa confirms the payment."""

	def credited(self, amount=400):
		body = c2b_payload(self.account, amount)
		with patch("frappe.enqueue"):
			self.post("payment_confirmation", body, forwarded_for=MPESA)
		return frappe.db.get_value(
			"TukTuk Callback", {"trans_id": body["TransID"]}, ["name", "trans_id", "payout"], as_dict=True
		)

	def result(self, row, code=0, amount=400, receipt=None, status="Completed"):
		params = [
			{"Key": "TransactionStatus", "Value": status},
			{"Key": "Amount", "Value": amount},
			{"Key": "ReceiptNo", "Value": receipt or row.trans_id},
			{"Key": "CreditPartyName", "Value": "600000 - Fleet"},
		]
		return Received.of(
			{
				"Result": {
					"ResultCode": code,
					"ResultDesc": "x",
					"ConversationID": "AG_1",
					"ResultParameters": {"ResultParameter": params},
				}
			}
		)

	def test_confirmed_by_mpesa_the_payout_is_released(self):
		row = self.credited()
		with patch("frappe.enqueue"):
			outcome = verification.handle_result(self.result(row), row.name)
		self.assertEqual(outcome["status"], "Verified")
		self.assertEqual(frappe.db.get_value("TukTuk Callback", row.name, "verification"), "Verified")
		self.assertEqual(frappe.db.get_value("TukTuk Payout", row.payout, "status"), "Queued")

	def test_another_amount_or_no_such_payment_keeps_it_held(self):
		for result in (
			lambda row: self.result(row, amount=4000),
			lambda row: self.result(row, code=2032),
			lambda row: self.result(row, receipt="OTHER12345"),
			lambda row: self.result(row, status="Reversed"),
		):
			row = self.credited()
			outcome = verification.handle_result(result(row), row.name)
			self.assertEqual(outcome["status"], "Not Confirmed")
			self.assertEqual(frappe.db.get_value("TukTuk Payout", row.payout, "status"), "On Hold")

	def test_without_credentials_unverifiable_and_held(self):
		row = self.credited()
		with settings_changed(mpesa_consumer_key=""):
			outcome = verification.query(row.name)
		self.assertEqual(outcome["status"], "Unverifiable")
		self.assertEqual(frappe.db.get_value("TukTuk Payout", row.payout, "status"), "On Hold")

	def test_the_query_asks_mpesa_about_the_transid_on_our_paybill(self):
		row = self.credited()
		with (
			settings_changed(
				mpesa_consumer_key="k",
				mpesa_initiator_name="api",
				site_url="https://fleet.example.com",
				mpesa_paybill="600000",
			),
			patch.object(verification.daraja, "get_config", wraps=verification.daraja.get_config),
			patch.object(verification.daraja, "security_credential", return_value="cred"),
			patch.object(verification.daraja, "post", return_value={"ResponseCode": "0"}) as post,
		):
			frappe.db.set_single_value("TukTuk Settings", "mpesa_consumer_secret", "s")
			verification.query(row.name)
		path, body = post.call_args.args[:2]
		self.assertEqual(path, verification.daraja.STATUS_PATH)
		self.assertEqual(
			(body["TransactionID"], body["PartyA"], body["CommandID"]),
			(row.trans_id, "600000", "TransactionStatusQuery"),
		)
		self.assertIn("api.upgrade.verification_result", body["ResultURL"])
		self.assertIn(f"callback={row.name}", body["ResultURL"])


class TestOriginalResults(OriginalUrlsCase):
	"""B2C results of payments the original sent, on its sendpay URLs."""

	def test_completes_the_petty_cash_payment_it_was_for(self):
		conversation = unique("AG_")
		petty = frappe.get_doc(
			{
				"doctype": "TukTuk Petty Cash",
				"recipient_type": "Staff",
				"recipient_name": "Guard",
				"recipient_phone": "0712000222",
				"amount": 300,
				"purpose": "allowance",
				"payment_status": "Processing",
				"mpesa_conversation_id": conversation,
			}
		).insert(ignore_permissions=True)
		body = {
			"Result": {
				"ResultCode": 0,
				"ResultDesc": "ok",
				"OriginatorConversationID": "x",
				"ConversationID": conversation,
				"TransactionID": "TKR1234567",
				"ResultParameters": {
					"ResultParameter": [{"Key": "TransactionReceipt", "Value": "TKR1234567"}]
				},
			}
		}
		reply, status = self.post("b2c_result", body, module=sendpay_api, forwarded_for=MPESA)
		self.assertEqual((status, reply["ResultCode"]), (200, 0))
		self.assertEqual(
			frappe.db.get_value("TukTuk Petty Cash", petty.name, ["payment_status", "mpesa_transaction_id"]),
			("Completed", "TKR1234567"),
		)

	def test_a_failed_share_the_original_sent_is_left_for_a_manager(self):
		body = {
			"Result": {"ResultCode": 2001, "ResultDesc": "wrong initiator", "ConversationID": unique("AG_")}
		}
		outcome = original_results.handle_b2c_result(Received.of(body))
		self.assertEqual(outcome["status"], "Uncaptured")
		self.assertIn("was not paid", frappe.db.get_value("TukTuk Callback", outcome["callback"], "error"))


class TestOriginalRecords(FrappeTestCase):
	"""Records the original app wrote stay valid documents of ours."""

	def test_a_substitute_drivers_row_saves_and_a_new_row_needs_a_driver(self):
		row = frappe.get_doc(
			{
				"doctype": "TukTuk Transaction",
				"transaction_id": unique("OLD", 10),
				"transaction_type": "Payment",
				"driver": make_driver().name,
				"amount": 100,
				"driver_share": 30,
				"target_contribution": 60,
				"payment_status": "Completed",
			}
		)
		with self.assertRaises(frappe.ValidationError):
			records.by_app(row).insert(ignore_permissions=True)  # a split that does not add up is refused
		with self.assertRaises(frappe.MandatoryError):
			records.insert(
				{"doctype": "TukTuk Transaction", "transaction_id": unique("NEW", 10), "amount": 10}
			)
		sub = frappe.get_doc(
			{
				"doctype": "TukTuk Substitute Driver",
				"first_name": "Sam",
				"last_name": "Sub",
				"phone_number": "0713000001",
				"mpesa_number": "254713000001",
			}
		).insert(ignore_permissions=True)
		name = frappe.generate_hash(length=10)
		frappe.db.sql(
			"""insert into `tabTukTuk Transaction` (name, transaction_id, transaction_type, substitute_driver,
			driver_type, amount, driver_share, target_contribution, payment_status, creation, modified)
			values (%s, %s, 'Target Reduction/Deposit', %s, 'Substitute', 100, 33.333333333, 66.666666667,
			'Completed', now(), now())""",
			(name, unique("OLD", 10), sub.name),
		)
		doc = frappe.get_doc("TukTuk Transaction", name)
		doc.remarks = "checked after the upgrade"
		records.by_app(doc).save(ignore_permissions=True)

	def test_a_vehicle_without_an_account_must_be_inactive(self):
		with self.assertRaises(frappe.MandatoryError):
			frappe.get_doc({"doctype": "TukTuk Vehicle", "tuktuk_id": unique("TT")}).insert(
				ignore_permissions=True
			)
		frappe.get_doc({"doctype": "TukTuk Vehicle", "tuktuk_id": unique("TT"), "status": "Inactive"}).insert(
			ignore_permissions=True
		)

	def test_a_middle_name_is_part_of_the_name(self):
		driver = make_driver(driver_first_name="Bob", driver_middle_name="Otieno", driver_last_name="Barasa")
		self.assertEqual(driver.driver_name, "Bob Otieno Barasa")

	def test_a_legacy_record_naming_a_deleted_driver_saves(self):
		rental = frappe.get_doc(
			{
				"doctype": "TukTuk Rental",
				"driver": "DRV-999999",
				"rented_tuktuk": make_vehicle().name,
				"start_time": frappe.utils.now_datetime(),
			}
		).insert(ignore_permissions=True)
		rental.notes = "archived driver"
		rental.save(ignore_permissions=True)

	def test_adopting_the_original_balance_writes_one_opening_row_and_is_idempotent(self):
		driver = make_driver()
		frappe.db.sql(
			"update `tabTukTuk Driver` set current_balance=680, balance_period=NULL, daily_target=0 where name=%s",
			(driver.name,),
		)
		period = frappe.utils.getdate("2026-11-29")
		first = ledger.adopt_original_balance(driver.name, period, Decimal("1500"))
		self.assertEqual((first.opening_amount, first.balance_period), (Decimal("680.00"), period))
		row = frappe.db.get_value(
			"TukTuk Transaction",
			first.opening_row,
			["transaction_id", "target_contribution", "driver_share", "transaction_type"],
			as_dict=True,
		)
		self.assertEqual(row.transaction_id, f"UPG-{driver.name}-20261129")
		self.assertEqual(
			(to_money(row.target_contribution), to_money(row.driver_share), row.transaction_type),
			(Decimal("680.00"), Decimal("0.00"), "Adjustment"),
		)
		self.assertEqual(
			to_money(frappe.db.get_value("TukTuk Driver", driver.name, "left_to_target")), Decimal("820.00")
		)
		again = ledger.adopt_original_balance(driver.name, period, Decimal("1500"))
		self.assertIsNone(again.opening_row)
		self.assertEqual(
			to_money(frappe.db.get_value("TukTuk Driver", driver.name, "current_balance")), Decimal("680.00")
		)

	def test_the_upgrade_patches_leave_a_site_of_ours_alone(self):
		from tuktuk_management.patches.v2_0 import detect_original_app, original_app

		# This app keeps the original's tables and driver columns itself: none of them counts as a mark.
		self.assertEqual(detect_original_app.original_marks(), [])
		detect_original_app.execute()
		self.assertFalse(original_app.is_original_site())
