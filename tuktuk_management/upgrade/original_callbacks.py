"""Token-less callbacks on the original app's URLs.

The original tuktuk_management registered its C2B URLs with Safaricom without any secret
(``.../api/method/tuktuk_management.api.tuktuk.payment_confirmation``) and sent every B2C request with
``.../tuktuk_management.api.sendpay.b2c_result`` as ResultURL. Our URLs carry the site's callback secret
(``?token=``), but re-registering the C2B URLs with Safaricom cannot always be done at will on a production
paybill. So, while TukTuk Settings says so (``legacy_callback_urls``, switched on by the upgrade), a
token-less callback on one of those dotted paths is judged here instead of being refused outright:

- accepted when it comes from M-Pesa's published source addresses (``legacy_callback_networks``; the caller's
  address as the door resolved it, X-Forwarded-For believed only from trusted proxies), names this site's
  paybill, and is a well-formed Daraja body. An accepted C2B payment is credited as any other, but its
  driver's payout waits On Hold until a Transaction Status query confirms the payment with M-Pesa
  (``verification``): callbacks are unsigned, and an address can be spoofed on the way by anyone who can
  write X-Forwarded-For to a trusted proxy, so no money leaves on the callback's word alone.
- refused otherwise: NOT dropped. The body is stored in the inbox (status Refused, with the reason, the
  address and X-Forwarded-For as received) and answered as accepted, so M-Pesa does not retry a payment it has
  already taken; a manager reviews it and replays it (``replay_refused``), which credits it with the payout
  held for the same M-Pesa check. What protects the database from a flood: a stored body is capped
  (``MAX_STORED_CHARS``), an identical body is counted on its first row instead of stored again, and new
  refused rows are limited per address and per hour (``LIMITS``); beyond them the caller gets HTTP 429 (a real
  sender retries) and the throttled count is logged once an hour.
"""

import hashlib
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from tuktuk_management import inbox
from tuktuk_management.inbox import Received
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import ip_allowed

CALLBACK = inbox.CALLBACK
# How a callback was authenticated (TukTuk Callback.auth).
TOKEN, MPESA_ADDRESS, MANAGER = "Token", "M-Pesa Address", "Manager"
C2B_CONFIRMATION, C2B_VALIDATION = "C2B Confirmation", "C2B Validation"
B2C_RESULT, B2C_TIMEOUT = "B2C Result", "B2C Timeout"

# A Daraja callback body is under 2 KB; what is stored of a refused one is capped.
MAX_STORED_CHARS = 16 * 1024
# Identical refused bodies within this window are counted on the first row.
FOLD_HOURS = 24
# New refused rows per clock hour: from one address whose body is a well-formed payment to our paybill
# (Safaricom calling from an address not yet in the list: every one is a customer's money), from one address
# otherwise, and from all addresses together.
LIMITS = {"payment": 600, "other": 60, "all": 3000}

ACCEPTED_FOR_REVIEW = {
	C2B_CONFIRMATION: {"ResultCode": 0, "ResultDesc": "Accepted (kept for review)"},
	# Validation moves no money: an address we do not know gets M-Pesa's default (accept), the confirmation
	# that follows is what is judged and kept.
	C2B_VALIDATION: {"ResultCode": "0", "ResultDesc": "Accepted"},
	B2C_RESULT: {"ResultCode": 0, "ResultDesc": "Accepted"},
	B2C_TIMEOUT: {"ResultCode": 0, "ResultDesc": "Accepted"},
}
THROTTLED = {"ResultCode": 1, "ResultDesc": "Too many refused callbacks from this address; retry later"}


@dataclass(frozen=True)
class Verdict:
	accepted: bool
	reason: str | None = None
	reply: dict | None = None
	http_status: int | None = None
	callback: str | None = None  # the inbox row keeping a refused body


def judge(received: Received, callback_type: str, settings) -> Verdict:
	"""Accept a token-less callback on the original's URL, or refuse it and keep it (see the module doc)."""
	reasons, is_payment = refusal_reasons(received, callback_type, settings)
	if not reasons:
		return Verdict(True)
	return refuse(received, callback_type, "; ".join(reasons), is_payment)


def refusal_reasons(received: Received, callback_type: str, settings) -> tuple[list[str], bool]:
	"""Why a token-less callback cannot be accepted (empty: it can), and whether its body is a well-formed
	payment to this site's paybill (which only its address keeps from being accepted)."""
	reasons = []
	networks = settings.mpesa_callback_networks
	if not networks:
		reasons.append(_("no M-Pesa callback addresses are configured"))
	elif not ip_allowed(received.remote_addr, networks):
		reasons.append(
			_("{0} is not an M-Pesa callback address").format(received.remote_addr or "unknown address")
		)
	body_reasons = _body_reasons(received, callback_type, settings)
	is_payment = callback_type in (C2B_CONFIRMATION, C2B_VALIDATION) and not body_reasons
	return reasons + body_reasons, is_payment


def _body_reasons(received: Received, callback_type: str, settings) -> list[str]:
	from tuktuk_management.c2b import MalformedPayload, parse_c2b_payload

	if received.error or not isinstance(received.data, dict):
		return [
			_("the body is not a JSON object ({0})").format(received.error or type(received.data).__name__)
		]
	data = received.data
	if callback_type in (C2B_CONFIRMATION, C2B_VALIDATION):
		reasons = []
		try:
			parse_c2b_payload(data, require_trans_id=callback_type == C2B_CONFIRMATION)
		except MalformedPayload as e:
			reasons.append(_("malformed C2B body: {0}").format(e))
		paybill = settings.paybill
		shortcode = str(data.get("BusinessShortCode") or "").strip()
		if not paybill:
			reasons.append(_("no paybill is configured to check BusinessShortCode against"))
		elif shortcode != paybill:
			reasons.append(
				_("BusinessShortCode {0} is not this site's paybill").format(shortcode or "(missing)")
			)
		return reasons
	result = data.get("Result")
	if not isinstance(result, dict) or not (
		result.get("ConversationID") or result.get("OriginatorConversationID")
	):
		return [_("malformed B2C result: no Result with a ConversationID")]
	return []


def refuse(received: Received, callback_type: str, reason: str, is_payment: bool = False) -> Verdict:
	"""Keep a refused callback (folded, capped, rate-limited) and say how to answer it."""
	text = received.text or ""
	digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
	folded = _fold(digest)
	if folded:
		return Verdict(False, reason, ACCEPTED_FOR_REVIEW[callback_type], None, folded)
	if not _within_limits(received.remote_addr, is_payment):
		return Verdict(False, reason, THROTTLED, 429)
	stored = received
	if len(text) > MAX_STORED_CHARS:
		stored = Received(
			text[:MAX_STORED_CHARS] + f"\n... [truncated: {len(text)} characters received]",
			None,
			"truncated",
			received.remote_addr,
			forwarded_for=received.forwarded_for,
		)
	name = inbox.store_callback(
		callback_type,
		stored,
		status="Refused",
		error=_("Token-less callback refused: {0}").format(reason),
		payload_hash=digest,
		times_received=1,
		**_inbox_fields(received, callback_type),
	)
	return Verdict(False, reason, ACCEPTED_FOR_REVIEW[callback_type], None, name)


def _fold(digest: str) -> str | None:
	"""The refused row already holding this exact body (within FOLD_HOURS), counted once more."""
	since = add_to_date(now_datetime(), hours=-FOLD_HOURS)
	row = frappe.db.get_value(
		CALLBACK,
		{"payload_hash": digest, "status": "Refused", "creation": (">=", since)},
		["name", "times_received"],
		as_dict=True,
	)
	if not row:
		return None
	frappe.db.set_value(
		CALLBACK, row.name, "times_received", int(row.times_received or 1) + 1, update_modified=False
	)
	# Boundary: the repeat is counted even though nothing else is written for it.
	frappe.db.commit()
	return row.name


def _within_limits(remote_addr: str | None, is_payment: bool) -> bool:
	"""Count one more refused row for this clock hour; False (and one log line an hour) past a limit."""
	hour = now_datetime().strftime("%Y%m%d%H")
	address = remote_addr or "unknown"
	keys = {
		"address": (f"tuktuk_refused:{hour}:{address}", LIMITS["payment" if is_payment else "other"]),
		"all": (f"tuktuk_refused:{hour}:all", LIMITS["all"]),
	}
	counts = {scope: int(frappe.cache.get_value(key) or 0) for scope, (key, _limit) in keys.items()}
	if any(counts[scope] >= limit for scope, (_key, limit) in keys.items()):
		throttled_key = f"tuktuk_refused_throttled:{hour}:{address}"
		throttled = int(frappe.cache.get_value(throttled_key) or 0) + 1
		frappe.cache.set_value(throttled_key, throttled, expires_in_sec=7200)
		if throttled == 1:
			frappe.log_error(
				title="Refused Callbacks Throttled",
				message=f"Token-less callbacks from {address} are over the hourly limit of refused callbacks "
				f"kept for review ({counts}); further ones this hour are answered HTTP 429 and not stored.",
			)
			frappe.db.commit()  # Boundary: the throttling is on record.
		return False
	for scope, (key, _limit) in keys.items():
		frappe.cache.set_value(key, counts[scope] + 1, expires_in_sec=7200)
	return True


def _inbox_fields(received: Received, callback_type: str) -> dict:
	data = received.data if isinstance(received.data, dict) else None
	if data is None:
		return {}
	if callback_type in (C2B_CONFIRMATION, C2B_VALIDATION):
		from tuktuk_management.c2b import inbox_fields

		return inbox_fields(data)
	result = data.get("Result") if isinstance(data.get("Result"), dict) else {}
	return {
		"originator_conversation_id": str(result.get("OriginatorConversationID") or "") or None,
		"conversation_id": str(result.get("ConversationID") or "") or None,
		"trans_id": str(result.get("TransactionID") or "") or None,
	}


# -- a manager's replay ------------------------------------------------------------------------------------


def replay_refused(callback: str) -> dict:
	"""Process a refused C2B confirmation after a manager has reviewed it: credited as a callback would be
	(same lock, same idempotency: a TransID already credited is a Duplicate), with the driver's payout held
	until M-Pesa confirms the payment (``verification``)."""
	from tuktuk_management import c2b

	row = frappe.db.get_value(
		CALLBACK, callback, ["name", "callback_type", "status", "payload", "error"], as_dict=True
	)
	if not row:
		frappe.throw(_("Callback {0} not found").format(callback), frappe.DoesNotExistError)
	if row.callback_type != C2B_CONFIRMATION or row.status != "Refused":
		frappe.throw(
			_("Only a Refused C2B confirmation can be replayed here; {0} is {1} {2}").format(
				callback, row.callback_type, row.status
			),
			title=_("Not Replayable"),
		)
	received = Received.parse(row.payload)
	data = c2b.payload_of(received)
	c2b.parse_c2b_payload(data)  # a body that is no payment stays Refused
	c2b.check_shortcode(data.get("BusinessShortCode"), _settings())
	inbox.mark(
		callback,
		"Received",
		auth=MANAGER,
		error=_("Refused, then replayed by {0} ({1})").format(frappe.session.user, row.error or ""),
	)
	# Boundary: the replay is on record before the unit of work starts.
	frappe.db.commit()
	# Replayed as a failed confirmation is: with its payout held for M-Pesa's check (its auth says Manager).
	return c2b.replay_callback(callback)


def _settings():
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	return get_settings()
