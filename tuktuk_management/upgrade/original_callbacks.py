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
  held for the same M-Pesa check. Keeping it is bounded as for every refused callback (``refused``: capped,
  folded, rate-limited); beyond the limits the caller gets HTTP 429 here (a real sender retries).
"""

from dataclasses import dataclass

import frappe
from frappe import _

from tuktuk_management import inbox, refused
from tuktuk_management.inbox import Received
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import ip_allowed

CALLBACK = inbox.CALLBACK
# How a callback was authenticated (TukTuk Callback.auth).
TOKEN, MPESA_ADDRESS, MANAGER = "Token", "M-Pesa Address", "Manager"
C2B_CONFIRMATION, C2B_VALIDATION = "C2B Confirmation", "C2B Validation"
B2C_RESULT, B2C_TIMEOUT = "B2C Result", "B2C Timeout"

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
	"""Keep a refused callback (``refused.keep``: folded, capped, rate-limited) and say how to answer it."""
	kept = refused.keep(
		received,
		callback_type,
		_("Token-less callback refused: {0}").format(reason),
		is_payment=is_payment,
		**_inbox_fields(received, callback_type),
	)
	if kept.throttled:
		return Verdict(False, reason, THROTTLED, 429)
	return Verdict(False, reason, ACCEPTED_FOR_REVIEW[callback_type], None, kept.callback)


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
