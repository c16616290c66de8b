import base64
import datetime
import json
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import records
from tuktuk_management.inbox import Received
from tuktuk_management.payouts import daraja, outbox, results
from tuktuk_management.tests.utils import make_driver, unique

PAYOUT, INBOX = "TukTuk Payout", "TukTuk Callback"


def _received(handler):
	"""``results.<handler>`` given the body text, as the door hands it over (read and parsed once)."""
	return lambda text, **kwargs: getattr(results, handler)(Received.parse(text), **kwargs)


handle_b2c_result = _received("handle_b2c_result")
handle_b2c_timeout = _received("handle_b2c_timeout")
handle_status_result = _received("handle_status_result")
handle_status_timeout = _received("handle_status_timeout")


def b2c_result_body(
	ocid, code=0, receipt="RKL51ZDR4F", amount=150, conversation_id="AG_20191219_00004e48cf7e3533f581"
):
	result = {
		"ResultType": 0,
		"ResultCode": code,
		"ResultDesc": "The service request is processed successfully."
		if code == 0
		else "The balance is insufficient.",
		"OriginatorConversationID": ocid,
		"ConversationID": conversation_id,
		"TransactionID": receipt,
		"ReferenceData": {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": "https://example.test/t"}},
	}
	if code == 0:
		result["ResultParameters"] = {
			"ResultParameter": [
				{"Key": "TransactionAmount", "Value": amount},
				{"Key": "TransactionReceipt", "Value": receipt},
				{"Key": "ReceiverPartyPublicName", "Value": "254708374149 - John Doe"},
				{"Key": "TransactionCompletedDateTime", "Value": "19.12.2019 11:45:50"},
				{"Key": "B2CUtilityAccountAvailableFunds", "Value": 10116.0},
				{"Key": "B2CWorkingAccountAvailableFunds", "Value": 900000.0},
				{"Key": "B2CRecipientIsRegisteredCustomer", "Value": "Y"},
				{"Key": "B2CChargesPaidAccountAvailableFunds", "Value": -4510.0},
			]
		}
	return json.dumps({"Result": result})


def status_body(ocid, code=0, state="Completed", receipt="RKL51ZDR4F"):
	result = {
		"ResultType": 0,
		"ResultCode": code,
		"ResultDesc": "desc",
		"OriginatorConversationID": "q-1",
		"ConversationID": "AG_q",
		"TransactionID": receipt if code == 0 else "",
	}
	if code == 0:
		result["ResultParameters"] = {
			"ResultParameter": [
				{"Key": "CreditPartyName", "Value": "254708374149 - John Doe"},
				{"Key": "OriginatorConversationID", "Value": ocid},
				{"Key": "TransactionStatus", "Value": state},
				{"Key": "FinalisedTime", "Value": 20191219114550},
				{"Key": "Amount", "Value": 150},
				{"Key": "ReceiptNo", "Value": receipt},
			]
		}
	return json.dumps({"Result": result})


def make_payout(status="Sent", amount="150.00", **fields):
	driver = make_driver()
	doc = records.insert(
		{
			"doctype": PAYOUT,
			"driver": driver.name,
			"amount": amount,
			"phone": "254708374149",
			"status": status,
			"attempts": 1,
			**fields,
		}
	)
	frappe.db.commit()
	return doc


def inbox_rows(payout=None, ocid=None):
	filters = {"payout": payout} if payout else {"originator_conversation_id": ocid}
	return frappe.get_all(
		INBOX, filters=filters, fields=["name", "status", "error", "callback_type"], order_by="creation asc"
	)


class TestResultParsing(FrappeTestCase):
	"""Daraja's Result bodies are read faithfully, and anything else is refused with a reason."""

	def test_success_result(self):
		parsed = results.parse_result(json.loads(b2c_result_body("P-1")))
		self.assertEqual(parsed["result_code"], "0")
		self.assertEqual(parsed["originator_conversation_id"], "P-1")
		self.assertEqual(parsed["params"]["TransactionReceipt"], "RKL51ZDR4F")
		self.assertEqual(parsed["reference"]["QueueTimeoutURL"], "https://example.test/t")

	def test_failure_result_has_no_parameters(self):
		parsed = results.parse_result(json.loads(b2c_result_body("P-1", code=1)))
		self.assertEqual((parsed["result_code"], parsed["params"]), ("1", {}))

	def test_single_parameter_object(self):
		body = {
			"Result": {"ResultCode": 0, "ResultParameters": {"ResultParameter": {"Key": "A", "Value": 1}}}
		}
		self.assertEqual(results.parse_result(body)["params"], {"A": 1})

	def test_malformed_bodies(self):
		for text, reason in (
			("[]", "no Result"),
			('{"Result": "x"}', "no Result"),
			('{"Result": {"ResultDesc": "x"}}', "no ResultCode"),
			('{"Result": {"ResultCode": 0, "ResultParameters": {"ResultParameter": 5}}}', "not a list"),
			(
				'{"Result": {"ResultCode": 0, "ResultParameters": {"ResultParameter": [{"Value": 1}]}}}',
				"no Key",
			),
		):
			with self.assertRaises(results.MalformedResult) as ctx:
				results.parse_result(json.loads(text))
			self.assertIn(reason, str(ctx.exception))

	def test_completion_times(self):
		self.assertEqual(
			outbox.parse_completed_at("19.12.2019 11:45:50"), datetime.datetime(2019, 12, 19, 11, 45, 50)
		)
		self.assertEqual(
			outbox.parse_completed_at(20191219114550), datetime.datetime(2019, 12, 19, 11, 45, 50)
		)
		self.assertIsNone(outbox.parse_completed_at("yesterday"))


class TestClientHelpers(FrappeTestCase):
	"""Amounts, backoff, URLs and the SecurityCredential are what Daraja expects."""

	def test_whole_shillings_rounded_down(self):
		self.assertEqual(outbox.sendable_amount("37.50"), 37)
		self.assertEqual(outbox.sendable_amount(Decimal("100.00")), 100)
		self.assertEqual(outbox.sendable_amount(0.99), 0)

	def test_backoff_doubles_and_is_capped(self):
		class S:
			retry_backoff_minutes = 2

		self.assertEqual([outbox.backoff_minutes(S, n) for n in (1, 2, 3)], [2, 4, 8])
		self.assertEqual(outbox.backoff_minutes(S, 30), 24 * 60)

	def test_base_urls(self):
		self.assertEqual(daraja.base_url_for("sandbox"), "https://sandbox.safaricom.co.ke")
		self.assertEqual(daraja.base_url_for("production"), "https://api.safaricom.co.ke")
		self.assertEqual(daraja.base_url_for("custom", "http://127.0.0.1:9/"), "http://127.0.0.1:9")
		self.assertRaises(frappe.ValidationError, daraja.base_url_for, "custom", "")

	def test_callback_urls_must_not_name_mpesa(self):
		self.assertRaises(
			frappe.ValidationError, daraja.check_callback_url, "https://x.test/api/method/a.MPESA_result"
		)
		self.assertRaises(frappe.ValidationError, daraja.check_callback_url, "https://safaricom.example/cb")
		daraja.check_callback_url(
			"https://x.test/api/method/tuktuk_management.api.tuktuk.payment_confirmation"
		)

	def test_security_credential_is_pkcs1v15_with_the_certificate(self):
		from cryptography import x509
		from cryptography.hazmat.primitives import hashes, serialization
		from cryptography.hazmat.primitives.asymmetric import padding, rsa
		from cryptography.x509.oid import NameOID

		key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
		name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
		now = datetime.datetime.utcnow()
		cert = (
			x509.CertificateBuilder()
			.subject_name(name)
			.issuer_name(name)
			.public_key(key.public_key())
			.serial_number(1)
			.not_valid_before(now)
			.not_valid_after(now + datetime.timedelta(days=1))
			.sign(key, hashes.SHA256())
		)
		pem = cert.public_bytes(serialization.Encoding.PEM).decode()
		credential = daraja.encrypt_initiator_password("Safaricom999!*!", pem)
		plain = key.decrypt(base64.b64decode(credential), padding.PKCS1v15())
		self.assertEqual(plain, b"Safaricom999!*!")


class TestSecurityCredentialSource(FrappeTestCase):
	"""A stored pre-encrypted credential wins; without one, password and certificate are required."""

	def setUp(self):
		self.settings = frappe.get_single("TukTuk Settings")
		self.addCleanup(
			self.restore, self.settings.get_password("mpesa_security_credential", raise_exception=False)
		)

	def restore(self, old):
		doc = frappe.get_single("TukTuk Settings")
		doc.mpesa_security_credential = old or ""
		doc.save(ignore_permissions=True)
		frappe.db.commit()

	def test_stored_credential_is_used_as_is(self):
		self.settings.mpesa_security_credential = "PRE-ENCRYPTED=="
		self.settings.save(ignore_permissions=True)
		self.assertEqual(daraja.security_credential(), "PRE-ENCRYPTED==")

	def test_missing_password_or_certificate_is_a_clear_error(self):
		self.settings.mpesa_security_credential = ""
		self.settings.mpesa_certificate = ""
		self.settings.save(ignore_permissions=True)
		with self.assertRaises(frappe.ValidationError) as ctx:
			daraja.security_credential()
		self.assertIn("certificate", str(ctx.exception))


class TestResultHandling(FrappeTestCase):
	"""Results are stored first, matched by OriginatorConversationID, applied once; nothing is dropped."""

	def test_success_marks_paid_once(self):
		payout = make_payout()
		first = handle_b2c_result(b2c_result_body(payout.name))
		second = handle_b2c_result(b2c_result_body(payout.name))
		self.assertEqual((first["status"], second["status"]), ("Processed", "Duplicate"))
		row = frappe.db.get_value(
			PAYOUT,
			payout.name,
			["status", "mpesa_receipt", "receiver_name", "transaction_completed_at"],
			as_dict=True,
		)
		self.assertEqual(row.status, "Paid")
		self.assertEqual(row.mpesa_receipt, "RKL51ZDR4F")
		self.assertEqual(row.receiver_name, "254708374149 - John Doe")
		self.assertEqual(str(row.transaction_completed_at)[:19], "2019-12-19 11:45:50")
		self.assertEqual([r.status for r in inbox_rows(payout.name)], ["Processed", "Duplicate"])

	def test_a_whole_shilling_payment_of_a_fractional_share_is_noted(self):
		payout = make_payout(amount="150.50")
		handle_b2c_result(b2c_result_body(payout.name, amount=150))
		row = frappe.db.get_value(PAYOUT, payout.name, ["status", "last_error"], as_dict=True)
		self.assertEqual(row.status, "Paid")
		self.assertEqual(row.last_error, "M-Pesa paid KES 150 of the KES 150.50 share")

	def test_failure_marks_failed_and_a_late_duplicate_changes_nothing(self):
		payout = make_payout()
		handle_b2c_result(b2c_result_body(payout.name, code=1))
		handle_b2c_result(b2c_result_body(payout.name, code=1))
		row = frappe.db.get_value(PAYOUT, payout.name, ["status", "result_code"], as_dict=True)
		self.assertEqual((row.status, row.result_code), ("Failed", "1"))

	def test_timeout_makes_unknown_then_status_completed_makes_paid(self):
		payout = make_payout()
		handle_b2c_timeout(b2c_result_body(payout.name, code=1))
		self.assertEqual(frappe.db.get_value(PAYOUT, payout.name, "status"), "Unknown")
		handle_status_result(status_body(payout.name), payout=payout.name)
		self.assertEqual(
			frappe.db.get_value(PAYOUT, payout.name, ["status", "mpesa_receipt"]), ("Paid", "RKL51ZDR4F")
		)

	def test_status_not_found_requeues_and_inconclusive_keeps_in_doubt(self):
		payout = make_payout(status="Unknown")
		handle_status_result(status_body(payout.name, code=500), payout=payout.name)
		self.assertEqual(frappe.db.get_value(PAYOUT, payout.name, "status"), "Unknown")
		handle_status_result(status_body(payout.name, code=2032), payout=payout.name)
		# Queued for a resend (B2C is off in tests, so the send job holds it instead of sending).
		self.assertIn(frappe.db.get_value(PAYOUT, payout.name, "status"), ("Queued", "On Hold"))

	def test_status_not_found_too_soon_after_sending_is_not_believed(self):
		payout = make_payout(status="Sent", last_attempt_at=frappe.utils.now_datetime())
		handle_status_result(status_body(payout.name, code=2032), payout=payout.name)
		self.assertEqual(frappe.db.get_value(PAYOUT, payout.name, "status"), "Sent")

	def test_status_not_found_after_max_attempts_fails(self):
		payout = make_payout(status="Unknown", attempts=99)
		handle_status_result(status_body(payout.name, code=2032), payout=payout.name)
		self.assertEqual(frappe.db.get_value(PAYOUT, payout.name, "status"), "Failed")

	def test_matched_by_conversation_id_when_the_originator_id_is_missing(self):
		conversation_id = unique("AG_20191219_")
		payout = make_payout(conversation_id=conversation_id)
		outcome = handle_b2c_result(b2c_result_body("", conversation_id=conversation_id))
		self.assertEqual((outcome["status"], outcome["payout"]), ("Processed", payout.name))
		self.assertEqual(frappe.db.get_value(PAYOUT, payout.name, "status"), "Paid")

	def test_status_timeout_is_kept_and_changes_nothing(self):
		payout = make_payout(status="Unknown")
		outcome = handle_status_timeout(b2c_result_body("q-1", code=1), payout=payout.name)
		self.assertEqual(outcome["status"], "Processed")
		self.assertEqual(frappe.db.get_value(PAYOUT, payout.name, "status"), "Unknown")

	def test_unknown_payout_is_kept_uncaptured(self):
		ocid = unique("NOPE")
		outcome = handle_b2c_result(b2c_result_body(ocid, conversation_id=unique("AG_")))
		self.assertEqual(outcome["status"], "Uncaptured")
		rows = inbox_rows(ocid=ocid)
		self.assertEqual(len(rows), 1)
		self.assertIn("No payout matches", rows[0].error)

	def test_malformed_body_is_kept_with_the_reason(self):
		text = "{broken " + unique()
		outcome = handle_b2c_result(text)
		self.assertEqual(outcome["status"], "Failed")
		row = frappe.db.get_value(INBOX, outcome["callback"], ["status", "error", "payload"], as_dict=True)
		self.assertEqual(row.status, "Failed")
		self.assertEqual(row.payload, text)
		self.assertIn("Malformed B2C Result: body is not JSON", row.error)
