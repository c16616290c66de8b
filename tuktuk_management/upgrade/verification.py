"""No money leaves on an unsigned callback's word: a payment credited from a token-less callback (accepted
from M-Pesa's address on the original app's URL, or replayed by a manager after it was refused) has its
driver's payout created On Hold, and is checked with M-Pesa before the payout goes. The same check guards
large shares on any site that asks for it (TukTuk Settings ``verify_payouts_above``, off by default): whoever
holds the callback secret could otherwise make the app pay a driver for a payment M-Pesa never received
(``needs_check``).

The check is a Daraja Transaction Status query for the payment's TransID on our paybill. Its result comes to
our own token-bearing URL (``api.upgrade.verification_result``) and is stored in the inbox like every other
callback; the payment is Verified when M-Pesa reports it Completed with the amount credited (and, where the
result names them, the same receipt number and our shortcode). Then the held payout is released, if payouts
go out at once on this site. Anything else (not found, another amount, a failed query) leaves the payout
On Hold and says why on the inbox row and in an Error Log, for a manager: the driver's balance was
credited, the money did not leave. A query that gets no answer is asked again by ``sweep`` (scheduler),
``MAX_QUERIES`` times, then the payment is Unverifiable (held for a manager).

The inbox row of the payment (TukTuk Callback) carries the state in ``verification``: Pending, Verified,
Not Confirmed, Unverifiable."""

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from tuktuk_management import inbox
from tuktuk_management.enqueue import enqueue_after_commit
from tuktuk_management.money import to_money
from tuktuk_management.payouts import daraja, outbox
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

CALLBACK = inbox.CALLBACK
PAYOUT = outbox.PAYOUT
PENDING, VERIFIED, NOT_CONFIRMED, UNVERIFIABLE = "Pending", "Verified", "Not Confirmed", "Unverifiable"
QUERY = "tuktuk_management.upgrade.verification.query"
MAX_QUERIES = 5
# A query whose result has not come back after this long is asked again by the sweep.
RETRY_AFTER_MINUTES = 15
HELD_NOTE = "Held until M-Pesa confirms the payment (it was credited from a token-less callback)"
GUARD_NOTE = "Held until M-Pesa confirms the payment (a share above the amount TukTuk Settings has checked)"


def needs_check(share, settings) -> bool:
	"""Whether a payout of ``share`` waits for M-Pesa to confirm its payment first: payouts go out at once on
	this site and the share is above TukTuk Settings' ``verify_payouts_above`` (0: never)."""
	threshold = settings.verify_payouts_above
	return bool(threshold and settings.payouts_go_out and to_money(share or 0) > threshold)


def start(callback: str, note: str = HELD_NOTE) -> None:
	"""Called once the payment is credited: mark it Pending, hold its payout with the reason, and query
	M-Pesa once this transaction has committed."""
	payout = frappe.db.get_value(CALLBACK, callback, "payout")
	inbox.mark_verification(callback, PENDING)
	if payout:
		outbox.update_payout(payout, {"last_error": note})
	enqueue_after_commit(
		QUERY,
		queue="short",
		log_title="Payment Check Not Enqueued",
		log_note=f"The M-Pesa check of {callback} stays Pending for the scheduled retry",
		callback=callback,
	)
	# Boundary: the hold and the pending check are recorded with the credit's outcome.
	frappe.db.commit()


def query(callback: str) -> dict:
	"""Ask M-Pesa about the payment of inbox row ``callback`` (a background job, and the sweep)."""
	row = frappe.db.get_value(CALLBACK, callback, ["trans_id", "verification", "attempts"], as_dict=True)
	if not row or row.verification != PENDING:
		return {"callback": callback, "skipped": True}
	attempts = int(row.attempts or 0) + 1
	settings = get_settings()
	try:
		config = daraja.get_config(settings)
		missing = [
			label
			for label, value in (
				("consumer key", config.consumer_key),
				("consumer secret", config.consumer_secret),
				("initiator name", config.initiator_name),
				("paybill", config.paybill),
				("site URL", config.site_url),
			)
			if not value
		]
		if missing:
			return _unverifiable(
				callback, _("M-Pesa is not configured for a status query: {0}").format(", ".join(missing))
			)
		body = {
			"Initiator": config.initiator_name,
			"SecurityCredential": daraja.security_credential(),
			"CommandID": "TransactionStatusQuery",
			"TransactionID": row.trans_id,
			"PartyA": config.paybill,
			"IdentifierType": "4",
			"ResultURL": daraja.callback_url(
				"verification_result", config, module="upgrade", callback=callback
			),
			"QueueTimeOutURL": daraja.callback_url(
				"verification_timeout", config, module="upgrade", callback=callback
			),
			"Remarks": "Payment check",
			"Occasion": callback,
		}
		reply = daraja.post(daraja.STATUS_PATH, body, config)
	except Exception as exc:
		frappe.db.rollback()
		inbox.mark_verification(callback, PENDING, attempts=attempts, error=f"Status query failed: {exc}")
		if attempts >= MAX_QUERIES:
			return _unverifiable(callback, _("{0} status queries failed; last: {1}").format(attempts, exc))
		frappe.db.commit()  # Boundary: the failed attempt is counted; the sweep asks again.
		return {"callback": callback, "queried": False, "error": str(exc)}
	inbox.mark_verification(callback, PENDING, attempts=attempts)
	frappe.db.commit()  # Boundary: the query is on its way; its result comes to verification_result.
	return {"callback": callback, "queried": True, "reply": reply}


def handle_result(received, callback: str) -> dict:
	"""The Transaction Status result for the payment of inbox row ``callback``: Verified (payout released
	when payouts go out at once) or Not Confirmed (payout stays held), the result kept in the inbox."""
	result_row = inbox.store_callback("Status Result", received, status="Processed")
	row = frappe.db.get_value(
		CALLBACK, callback, ["name", "trans_id", "amount", "payout", "verification"], as_dict=True
	)
	if not row:
		inbox.mark(result_row, "Uncaptured", error=f"No payment {callback!r} awaits a check")
		frappe.db.commit()  # Boundary: kept for a manager.
		return {"status": "Uncaptured"}
	problem = _mismatch(received.data, row)
	if problem:
		inbox.mark_verification(callback, NOT_CONFIRMED, error=problem)
		inbox.mark(result_row, "Processed", error=f"Payment {callback} not confirmed: {problem}")
		frappe.log_error(
			title="Token-less Payment Not Confirmed by M-Pesa",
			message=f"Inbox row {callback} (TransID {row.trans_id}, amount {row.amount}): {problem}. "
			f"The driver's balance was credited; the payout {row.payout or '(none)'} stays On Hold.",
			reference_doctype=CALLBACK,
			reference_name=callback,
		)
		frappe.db.commit()  # Boundary: the refusal to pay is on record.
		return {"status": NOT_CONFIRMED, "problem": problem}
	inbox.mark_verification(callback, VERIFIED, error=None)
	inbox.mark(result_row, "Processed", error=f"Payment {callback} confirmed by M-Pesa")
	frappe.db.commit()  # Boundary: verified, whatever the release meets.
	released = _release(row.payout)
	return {"status": VERIFIED, "released": released}


def handle_timeout(received, callback: str) -> dict:
	"""The query timed out at M-Pesa: the check stays Pending and the sweep asks again."""
	inbox.store_callback(
		"Status Result", received, status="Processed", error=f"Status query timeout for {callback}"
	)
	return {"status": PENDING}


def retry_unanswered_verifications() -> list:
	"""Scheduler: ask again about payments whose check got no answer, then give up (Unverifiable)."""
	stale = add_to_date(now_datetime(), minutes=-RETRY_AFTER_MINUTES)
	done = []
	for name in frappe.get_all(
		CALLBACK, filters={"verification": PENDING, "modified": ("<", stale)}, pluck="name", limit=100
	):
		try:
			done.append(query(name))
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title="Payment Check Failed", message=frappe.get_traceback())
	return done


def _unverifiable(callback: str, reason: str) -> dict:
	inbox.mark_verification(callback, UNVERIFIABLE, error=reason)
	frappe.log_error(
		title="Token-less Payment Unverifiable",
		message=f"Inbox row {callback}: {reason}. Its payout stays On Hold: release it (Release Held Payouts) "
		"once the payment is on the paybill's M-Pesa statement.",
		reference_doctype=CALLBACK,
		reference_name=callback,
	)
	frappe.db.commit()  # Boundary: the payment waits for a manager.
	return {"callback": callback, "status": UNVERIFIABLE, "reason": reason}


def _parameters(result: dict) -> dict:
	params = (result.get("ResultParameters") or {}).get("ResultParameter") or []
	if isinstance(params, dict):
		params = [params]
	return {str(p.get("Key")): p.get("Value") for p in params if isinstance(p, dict)}


def _mismatch(data, row) -> str | None:
	"""Why the status result does not confirm the payment (None: it does)."""
	result = data.get("Result") if isinstance(data, dict) else None
	if not isinstance(result, dict):
		return "the status result has no Result"
	if str(result.get("ResultCode")) != "0":
		return f"M-Pesa answered {result.get('ResultCode')}: {result.get('ResultDesc') or ''}".strip()
	params = _parameters(result)
	status = str(params.get("TransactionStatus") or "").strip()
	if status and status.lower() != "completed":
		return f"M-Pesa reports the transaction {status}"
	amount = params.get("Amount")
	if amount in (None, ""):
		return "the status result gives no amount"
	try:
		if to_money(amount) != to_money(row.amount):
			return f"M-Pesa reports amount {amount}, the callback said {row.amount}"
	except Exception:
		return f"unreadable amount {amount!r}"
	receipt = str(params.get("ReceiptNo") or result.get("TransactionID") or "").strip()
	if receipt and row.trans_id and receipt.upper() != str(row.trans_id).upper():
		return f"M-Pesa reports receipt {receipt}, the callback said {row.trans_id}"
	credit_party = str(params.get("CreditPartyName") or "").strip()
	paybill = get_settings().paybill
	if credit_party and paybill and not credit_party.startswith(paybill):
		return f"the payment went to {credit_party}, not paybill {paybill}"
	return None


def _release(payout: str | None):
	"""Queue the held payout when this site sends payouts at once (else it waits, as all payouts do)."""
	if not payout or frappe.db.get_value(PAYOUT, payout, "status") != "On Hold":
		return None
	if not get_settings().payouts_go_out:
		return None
	try:
		return outbox.release_held_payouts([payout])
	except Exception:
		frappe.db.rollback()
		frappe.log_error(title="Verified Payout Not Released", message=frappe.get_traceback())
		return None
