"""Callbacks refused for their secret or address are kept within bounds (tuktuk_management.refused), and the
callback secret is written to no Error Log and no refused body (tuktuk_management.redact)."""

import json
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from tuktuk_management import redact, refused
from tuktuk_management.api import tuktuk as api
from tuktuk_management.tests.utils import (
	CALLBACK_SETTINGS,
	account_of,
	apply_settings,
	c2b_payload,
	callback_token,
	make_driver,
	settings_changed,
	unique,
)

INBOX = "TukTuk Callback"


def post(body, *, token=None, peer="198.51.100.20", endpoint="payment_confirmation"):
	"""A callback as Frappe's handler runs it: the request in frappe.local; returns the HTTP status."""
	frappe.local.response = frappe._dict({"docs": []})
	frappe.local.form_dict = frappe._dict()
	frappe.local.request = Request(
		EnvironBuilder(
			method="POST",
			path=f"/api/method/tuktuk_management.api.tuktuk.{endpoint}",
			query_string={"token": token} if token else None,
			data=body if isinstance(body, str) else json.dumps(body),
			headers={"Content-Type": "application/json"},
			environ_base={"REMOTE_ADDR": peer},
		).get_environ()
	)
	try:
		with patch("frappe.enqueue"):
			getattr(api, endpoint)()
		return frappe.local.response.get("http_status_code", 200)
	except frappe.PermissionError:
		return 403
	finally:
		frappe.local.request = None


def kept(trans_id):
	return frappe.get_all(
		INBOX,
		filters={"trans_id": trans_id},
		fields=["status", "error", "remote_addr", "payload", "times_received", "callback_type"],
	)


class TestRefusedKept(FrappeTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		apply_settings(CALLBACK_SETTINGS)

	def setUp(self):
		frappe.cache.delete_keys("tuktuk_refused")
		self.driver = make_driver(fare_percentage=50)
		self.account = account_of(self.driver)

	def test_a_wrong_secret_is_kept_with_its_reason_and_address(self):
		body = c2b_payload(self.account, "100")
		self.assertEqual(post(body, token="not-the-secret"), 403)
		[row] = kept(body["TransID"])
		self.assertEqual(
			(row.status, row.callback_type, row.remote_addr), ("Refused", "C2B Confirmation", "198.51.100.20")
		)
		self.assertIn("wrong callback token", row.error)
		self.assertEqual(json.loads(row.payload), body)
		self.assertFalse(frappe.db.exists("TukTuk Transaction", {"transaction_id": body["TransID"]}))

	def test_an_address_outside_the_allowlist_is_kept(self):
		body = c2b_payload(self.account, "100")
		with settings_changed(allowed_callback_ips="196.201.214.0/24"):
			self.assertEqual(post(body, token=callback_token()), 403)
		[row] = kept(body["TransID"])
		self.assertIn("198.51.100.20", row.error)
		self.assertFalse(frappe.db.exists("TukTuk Transaction", {"transaction_id": body["TransID"]}))

	def test_a_body_carrying_the_secret_is_kept_without_it(self):
		body = c2b_payload(self.account, "100", Note=f"token={callback_token()}", Secret=callback_token())
		self.assertEqual(post(body), 403)
		[row] = kept(body["TransID"])
		self.assertNotIn(callback_token(), row.payload)
		self.assertIn(redact.REDACTED, row.payload)

	def test_a_flood_is_bounded(self):
		"""Distinct forged bodies from one address: kept up to the hourly limit, then answered 403 and not
		stored (one Error Log says so); huge bodies are capped; identical ones are counted on one row."""
		marker = unique("FLOOD")
		with patch.dict(refused.LIMITS, {"other": 5, "payment": 5}):
			for i in range(12):
				body = c2b_payload(self.account, "100", trans_id=f"{marker}{i}", Padding="x" * 40_000)
				self.assertEqual(post(body, token="forged", peer="203.0.113.9"), 403)
		rows = frappe.get_all(INBOX, filters={"trans_id": ("like", f"{marker}%")}, fields=["payload"])
		self.assertEqual(len(rows), 5)
		self.assertTrue(all(len(r.payload) < refused.MAX_STORED_CHARS + 200 for r in rows))
		self.assertTrue(frappe.db.exists("Error Log", {"method": refused.THROTTLED_TITLE}))
		same = c2b_payload(self.account, "100")
		for _i in range(3):
			post(same, token="forged", peer="203.0.113.10")
		self.assertEqual([r.times_received for r in kept(same["TransID"])], [3])


class TestSecretRedacted(FrappeTestCase):
	def test_scrub(self):
		secret = "s3cr3t-value-abcdef"
		text = (
			f"POST /api/method/x?cmd=y&token={secret} HTTP/1.1; url: https://h/a?token=other123&b=1 "
			f"body says {secret}; api_key=k123"
		)
		scrubbed = redact.scrub(text, (secret,))
		self.assertNotIn(secret, scrubbed)
		self.assertNotIn("other123", scrubbed)
		self.assertIn("token=[redacted]&b=1", scrubbed)
		self.assertIn("cmd=y", scrubbed)

	def test_no_error_log_keeps_the_secret(self):
		secret = callback_token()
		self.assertTrue(secret)
		try:
			raise RuntimeError(f"GET https://site/api/method/x?token={secret} failed; secret {secret}")
		except RuntimeError:
			log = frappe.log_error(title=f"Callback failed for ?token={secret}")
		stored = frappe.db.get_value("Error Log", log.name, ["error", "method"], as_dict=True)
		self.assertNotIn(secret, stored.error + stored.method)
		self.assertIn(redact.REDACTED, stored.error)
