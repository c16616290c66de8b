import datetime
import json
from decimal import Decimal
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import c2b, ledger
from tuktuk_management.api import door
from tuktuk_management.api import tuktuk as api
from tuktuk_management.inbox import Received
from tuktuk_management.money import to_money
from tuktuk_management.tests.utils import (
	CALLBACK_SETTINGS,
	account_of,
	apply_settings,
	c2b_payload,
	callback_token,
	driver_row,
	make_driver,
	make_vehicle,
	settings_changed,
	unique,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings


def inbox_rows(trans_id):
	return frappe.get_all(
		"TukTuk Callback",
		filters={"trans_id": trans_id},
		fields=["name", "status", "error", "payload", "transaction", "callback_type"],
		order_by="creation asc",
	)


class C2BTestCase(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(CALLBACK_SETTINGS)

	def setUp(self):
		frappe.local.response = frappe._dict({"docs": []})
		self.driver = make_driver(fare_percentage=50)
		self.account = account_of(self.driver)

	def confirm(self, payload):
		"""The domain handler, past the door (authenticated, body read and parsed once)."""
		raw = payload if isinstance(payload, str) else json.dumps(payload)
		return c2b.handle_confirmation(Received.parse(raw), get_settings())

	def call_api(self, endpoint, payload, token):
		"""A whitelisted endpoint as frappe.call runs it outside HTTP: body as keyword arguments, the URL's
		token in form_dict. Returns the top-level reply."""
		frappe.local.response = frappe._dict({"docs": []})
		frappe.local.form_dict = frappe._dict(token=token)
		try:
			self.assertIsNone(getattr(api, endpoint)(**payload))
		finally:
			frappe.local.form_dict = frappe._dict()
		return frappe.local.response

	def balance(self, driver=None):
		return to_money(driver_row(driver or self.driver).current_balance)


class TestConfirmation(C2BTestCase):
	"""DESIGN §4 confirmation: authenticate, store and commit the body, credit under lock, reply at top level."""

	def test_payment_credited(self):
		payload = c2b_payload(self.account, "100.00")
		reply = self.confirm(payload)
		self.assertEqual((reply["ResultCode"], reply["status"]), (0, "Processed"))
		self.assertEqual(self.balance(), Decimal("50.00"))
		[row] = inbox_rows(payload["TransID"])
		self.assertEqual(
			(row.status, row.transaction, row.callback_type),
			("Processed", reply["transaction"], "C2B Confirmation"),
		)
		self.assertEqual(row.payload, json.dumps(payload))
		ledger = frappe.get_doc("TukTuk Transaction", reply["transaction"])
		self.assertEqual(ledger.customer_phone, payload["MSISDN"])
		self.assertEqual(ledger.bill_ref_number, self.account)
		self.assertEqual(str(ledger.timestamp)[:10].replace("-", ""), payload["TransTime"][:8])

	def test_account_matched_case_insensitively(self):
		payload = c2b_payload(self.account.lower(), "10")
		self.assertEqual(self.confirm(payload)["status"], "Processed")

	def test_repeated_trans_id_acknowledged_not_credited_twice(self):
		payload = c2b_payload(self.account, "100")
		self.confirm(payload)
		reply = self.confirm(payload)
		self.assertEqual((reply["ResultCode"], reply["status"]), (0, "Duplicate"))
		self.assertEqual(frappe.db.count("TukTuk Transaction", {"transaction_id": payload["TransID"]}), 1)
		self.assertEqual(self.balance(), Decimal("50.00"))
		self.assertEqual([r.status for r in inbox_rows(payload["TransID"])], ["Processed", "Duplicate"])

	def test_repeat_with_another_amount_flagged(self):
		payload = c2b_payload(self.account, "100")
		self.confirm(payload)
		reply = self.confirm({**payload, "TransAmount": "900.00"})
		self.assertEqual(reply["status"], "Duplicate")
		self.assertEqual(self.balance(), Decimal("50.00"))
		duplicate = [r for r in inbox_rows(payload["TransID"]) if r.status == "Duplicate"][0]
		self.assertIn("900.00", duplicate.error)
		self.assertTrue(frappe.db.exists("Error Log", {"method": "M-Pesa Duplicate TransID Amount Mismatch"}))

	def test_retry_after_failure_settles_the_failed_row(self):
		"""Safaricom retries a confirmation we failed on: the retry credits, the Failed row is settled."""
		payload = c2b_payload(self.account, "100")
		with patch.object(ledger, "compute_split", side_effect=RuntimeError("transient")):
			self.assertEqual(self.confirm(payload)["status"], "Failed")
		self.assertEqual(self.confirm(payload)["status"], "Processed")
		rows = inbox_rows(payload["TransID"])
		self.assertEqual([r.status for r in rows], ["Duplicate", "Processed"])
		self.assertEqual(rows[0].transaction, rows[1].transaction)
		self.assertEqual(self.balance(), Decimal("50.00"))

	def test_unknown_account_kept_uncaptured(self):
		payload = c2b_payload(unique("NOPE"), "100")
		reply = self.confirm(payload)
		self.assertEqual((reply["ResultCode"], reply["status"]), (0, "Uncaptured"))
		self.assertFalse(frappe.db.exists("TukTuk Transaction", {"transaction_id": payload["TransID"]}))
		[row] = inbox_rows(payload["TransID"])
		self.assertEqual(row.status, "Uncaptured")
		self.assertIn("No TukTuk", row.error)

	def test_vehicle_without_driver_kept_uncaptured(self):
		vehicle = make_vehicle()
		payload = c2b_payload(vehicle.mpesa_account, "100")
		self.assertEqual(self.confirm(payload)["status"], "Uncaptured")

	def test_inactive_driver_kept_uncaptured(self):
		driver = make_driver()
		frappe.db.set_value("TukTuk Driver", driver.name, "status", "Inactive")
		frappe.db.commit()
		account = account_of(driver)
		self.assertEqual(self.confirm(c2b_payload(account, "100"))["status"], "Uncaptured")
		self.assertEqual(self.balance(driver), Decimal("0.00"))

	def test_forged_callback_refused_kept_and_not_credited(self):
		payload = c2b_payload(self.account, "100")
		tokens = ("wrong-token", callback_token()[:-1], " " + callback_token(), "")
		for token in tokens:
			for endpoint in ("mpesa_confirmation", "payment_confirmation"):
				with self.subTest(token=token, endpoint=endpoint), self.assertRaises(frappe.PermissionError):
					self.call_api(endpoint, payload, token)
		# Kept once for review (identical bodies are counted, not stored again), never credited, and the
		# secret (or a near miss of it) is written nowhere in the row.
		[row] = frappe.get_all(
			"TukTuk Callback",
			filters={"trans_id": payload["TransID"]},
			fields=["status", "error", "payload", "times_received", "callback_type"],
		)
		self.assertEqual(
			(row.status, row.callback_type, row.times_received), ("Refused", "C2B Confirmation", 8)
		)
		self.assertIn("Refused (403)", row.error)
		self.assertNotIn(callback_token()[:-1], json.dumps(row, default=str))
		self.assertEqual(self.balance(), Decimal("0.00"))

	def test_wrong_shortcode_refused_but_recorded(self):
		payload = c2b_payload(self.account, "100", BusinessShortCode="999999")
		with self.assertRaises(frappe.PermissionError):
			self.confirm(payload)
		[row] = inbox_rows(payload["TransID"])
		self.assertEqual(row.status, "Rejected")
		self.assertEqual(self.balance(), Decimal("0.00"))

	def test_malformed_payloads_rejected_kept_and_not_credited(self):
		cases = {
			"missing TransID": ({"TransID": None}, "TransID is missing"),
			"missing amount": ({"TransAmount": None}, "TransAmount is missing"),
			"missing account": ({"BillRefNumber": ""}, "BillRefNumber is missing"),
			"non-numeric amount": ({"TransAmount": "ten"}, "TransAmount is invalid"),
			"negative amount": ({"TransAmount": "-100"}, "greater than zero"),
			"zero amount": ({"TransAmount": "0"}, "greater than zero"),
			"huge amount": ({"TransAmount": "1000000000000"}, "above the maximum"),
			"amount in exponent notation": ({"TransAmount": "1e2"}, "plain digits"),
			"amount in other digits": ({"TransAmount": "\uff11\uff10\uff10"}, "plain digits"),
			"MSISDN over 140 characters": ({"MSISDN": "2547" * 40}, "MSISDN must be at most 140"),
			"markup in MSISDN": ({"MSISDN": "<script>alert(1)</script>"}, "MSISDN must be at most 140"),
			"markup in account": (
				{"BillRefNumber": "<img src=x onerror=alert(1)>"},
				"BillRefNumber must be at",
			),
			"markup in TransID": ({"TransID": "<b>X</b>"}, "TransID must be"),
			"NUL byte in BillRefNumber": ({"BillRefNumber": "ACC\x00"}, "BillRefNumber must be at most"),
			"TransTime before M-Pesa": ({"TransTime": "19990101000000"}, "not a plausible payment time"),
			"TransTime next year": (
				{
					"TransTime": (datetime.datetime.now() + datetime.timedelta(days=400)).strftime(
						"%Y%m%d%H%M%S"
					)
				},
				"not a plausible payment time",
			),
			"sub-cent amount": ({"TransAmount": "10.001"}, "two decimal places"),
			"bad TransTime": ({"TransTime": "2026-13-45"}, "TransTime is invalid"),
			"impossible TransTime": ({"TransTime": "20261345250000"}, "TransTime is invalid"),
			"object TransID": ({"TransID": {"x": 1}}, "TransID must be a string"),
		}
		for label, (override, message) in cases.items():
			with self.subTest(label):
				payload = c2b_payload(self.account, "100")
				original_trans_id = payload["TransID"]
				payload.update(override)
				payload["InvoiceNumber"] = unique("INV")  # find the inbox row by its body
				reply = self.confirm(payload)
				self.assertEqual(reply["status"], "Rejected")
				self.assertIn(message, reply["ResultDesc"])
				row = frappe.get_all(
					"TukTuk Callback",
					filters={"payload": ["like", f"%{payload['InvoiceNumber']}%"]},
					fields=["status", "error", "payload", "trans_id", "msisdn", "bill_ref_number"],
				)[0]
				self.assertEqual(row.status, "Rejected")
				self.assertIn(message, row.error)
				# The body verbatim (a Code field: never sanitised); what it said elsewhere stored inertly.
				self.assertEqual(row.payload, json.dumps(payload))
				for field in ("error", "trans_id", "msisdn", "bill_ref_number"):
					self.assertNotIn("<", row[field] or "", field)
				self.assertFalse(
					frappe.db.exists("TukTuk Transaction", {"transaction_id": original_trans_id})
				)
		self.assertEqual(self.balance(), Decimal("0.00"))

	def test_non_json_bodies_rejected_and_kept(self):
		for body in ("not json at all", "[1, 2, 3]", ""):
			with self.subTest(body=body):
				reply = self.confirm(body or " ")
				self.assertEqual(reply["status"], "Rejected")
				self.assertTrue(frappe.db.exists("TukTuk Callback", reply["callback"]))
				self.assertEqual(
					frappe.db.get_value("TukTuk Callback", reply["callback"], "status"), "Rejected"
				)

	def test_failure_acknowledged_kept_failed_and_replayable(self):
		payload = c2b_payload(self.account, "100")
		with patch.object(ledger, "compute_split", side_effect=RuntimeError("split exploded")):
			reply = self.confirm(payload)
		self.assertEqual((reply["ResultCode"], reply["status"]), (0, "Failed"))
		[row] = inbox_rows(payload["TransID"])
		self.assertEqual(row.status, "Failed")
		self.assertIn("split exploded", row.error)
		self.assertEqual(self.balance(), Decimal("0.00"))
		self.assertTrue(frappe.db.exists("Error Log", {"method": "TukTuk Payment Credit Failed"}))
		replayed = c2b.replay_callback(row.name)
		self.assertEqual(replayed["status"], "Processed")
		self.assertEqual(frappe.db.get_value("TukTuk Callback", row.name, "status"), "Processed")
		self.assertEqual(self.balance(), Decimal("50.00"))


class TestDriverResolution(C2BTestCase):
	"""Account -> vehicle -> the driver whose assigned_tuktuk it is: one query (two indexes), an active
	driver preferred, the reason kept when none can be credited."""

	def test_one_query_from_account_to_active_driver(self):
		from tuktuk_management.tests.reconciliation_utils import CountQueries

		with CountQueries() as queries:
			resolution = c2b.resolve_driver(self.account)
		self.assertEqual((resolution.ok, resolution.driver), (True, self.driver.name))
		self.assertEqual(resolution.vehicle, self.driver.assigned_tuktuk)
		self.assertEqual(queries.count, 1)

	def test_case_insensitive_account(self):
		self.assertEqual(c2b.resolve_driver(self.account.lower()).driver, self.driver.name)

	def test_reasons(self):
		self.assertIn("No TukTuk", c2b.resolve_driver(unique("NOPE")).reason)
		self.assertIn("No account", c2b.resolve_driver("  ").reason)
		self.assertIn("no assigned driver", c2b.resolve_driver(make_vehicle().mpesa_account).reason)
		frappe.db.set_value("TukTuk Driver", self.driver.name, "status", "Inactive")
		resolution = c2b.resolve_driver(self.account)
		self.assertEqual((resolution.ok, resolution.driver), (False, self.driver.name))
		self.assertIn("Inactive", resolution.reason)


class TestCallbackAuth(C2BTestCase):
	"""The door's callback authentication: the secret token, compared in constant time, and the optional IP
	allowlist."""

	def test_token(self):
		door.authenticate_callback(get_settings(), callback_token(), "1.2.3.4")
		for bad in (None, "", "x", callback_token().upper() + "x"):
			with self.subTest(bad=bad), self.assertRaises(frappe.PermissionError):
				door.authenticate_callback(get_settings(), bad, "1.2.3.4")

	def test_ip_allowlist(self):
		with settings_changed(allowed_callback_ips="196.201.214.0/24\n10.1.1.1"):
			settings = get_settings()
			door.authenticate_callback(settings, callback_token(), "196.201.214.136")
			door.authenticate_callback(settings, callback_token(), "10.1.1.1")
			for addr in ("10.1.1.2", "8.8.8.8", "", "garbage", None):
				with self.subTest(addr=addr), self.assertRaises(frappe.PermissionError):
					door.authenticate_callback(settings, callback_token(), addr)


class TestValidation(C2BTestCase):
	"""The validation callback answers with Daraja's codes, resolving the driver like confirmation."""

	def validate(self, payload):
		return c2b.handle_validation(Received.parse(json.dumps(payload)), get_settings())

	def test_codes(self):
		cases = [
			({}, "0"),
			({"MSISDN": "2547 ***** 126"}, "0"),  # masked by Safaricom
			({"BillRefNumber": unique("NOPE")}, "C2B00012"),
			({"BillRefNumber": ""}, "C2B00012"),
			({"TransAmount": "-5"}, "C2B00013"),
			({"TransAmount": "abc"}, "C2B00013"),
			({"TransAmount": "0"}, "C2B00013"),
			({"MSISDN": "12345"}, "C2B00011"),
			({"MSISDN": ""}, "C2B00011"),
		]
		for override, code in cases:
			with self.subTest(override=override):
				payload = {**c2b_payload(self.account, "100"), **override}
				reply = self.validate(payload)
				self.assertEqual(reply["ResultCode"], code)
				self.assertTrue(reply["ResultDesc"])

	def test_vehicle_without_driver_is_invalid_account(self):
		vehicle = make_vehicle()
		self.assertEqual(self.validate(c2b_payload(vehicle.mpesa_account, "100"))["ResultCode"], "C2B00012")

	def test_not_json_is_other_error(self):
		reply = c2b.handle_validation(Received.parse("{{{"), get_settings())
		self.assertEqual(reply["ResultCode"], "C2B00016")

	def test_forged_validation_refused(self):
		for endpoint in ("mpesa_validation", "payment_validation"):
			with self.subTest(endpoint=endpoint), self.assertRaises(frappe.PermissionError):
				self.call_api(endpoint, c2b_payload(self.account, "100"), "forged")

	def test_validation_moves_no_money(self):
		self.validate(c2b_payload(self.account, "100"))
		self.assertEqual(self.balance(), Decimal("0.00"))


class TestFacade(C2BTestCase):
	"""The whitelisted facade replies with ResultCode/ResultDesc at the top level, not under "message", and
	works from the console (frappe.call, no request)."""

	def test_confirmation_reply_top_level(self):
		payload = c2b_payload(self.account, "100")
		reply = self.call_api("payment_confirmation", payload, callback_token())
		self.assertEqual(reply["ResultCode"], 0)
		self.assertEqual(reply["status"], "Processed")
		self.assertNotIn("http_status_code", reply)
		[row] = inbox_rows(payload["TransID"])
		self.assertEqual(json.loads(row.payload), payload)  # the keyword arguments are the body

	def test_validation_reply_top_level(self):
		reply = self.call_api("mpesa_validation", c2b_payload(self.account, "100"), callback_token())
		self.assertEqual((reply["ResultCode"], reply["ResultDesc"]), ("0", "Accepted"))

	def test_malformed_confirmation_answered_400(self):
		payload = c2b_payload(self.account, "-5")
		reply = self.call_api("mpesa_confirmation", payload, callback_token())
		self.assertEqual((reply["status"], reply["http_status_code"]), ("Rejected", 400))

	def test_console_call_with_the_token_as_an_argument(self):
		"""bench console: frappe.call("tuktuk_management.api.tuktuk.mpesa_confirmation", token=..., **body)."""
		payload = c2b_payload(self.account, "100")
		frappe.local.response = frappe._dict({"docs": []})
		frappe.call("tuktuk_management.api.tuktuk.mpesa_confirmation", token=callback_token(), **payload)
		self.assertEqual(frappe.local.response["status"], "Processed")
		self.assertEqual(self.balance(), Decimal("50.00"))

	def test_endpoints_are_whitelisted_for_guests(self):
		from tuktuk_management.api import tuktuk

		for name in ("mpesa_validation", "mpesa_confirmation", "payment_validation", "payment_confirmation"):
			fn = getattr(tuktuk, name)
			self.assertIn(fn, frappe.whitelisted)
			self.assertIn(fn, frappe.guest_methods)
		for name in ("process_uncaptured_payment", "add_missed_transaction", "replay_callback"):
			fn = getattr(tuktuk, name)
			self.assertIn(fn, frappe.whitelisted)
			self.assertNotIn(fn, frappe.guest_methods)
