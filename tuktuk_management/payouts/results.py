"""M-Pesa's answers about our payouts: B2C Result, B2C queue Timeout, Transaction Status result/timeout.

Each body is stored in the inbox (and committed) before anything else. Processing is idempotent: the payout
is matched by OriginatorConversationID (our payout name) or ConversationID and updated under its row lock,
together with the inbox row, in one transaction. A body that matches no payout stays in the inbox
(Uncaptured); a body we cannot read stays in the inbox as Failed with the reason.
"""

import frappe
from frappe.utils import add_to_date, get_datetime

from tuktuk_management import inbox
from tuktuk_management.inbox import Received
from tuktuk_management.money import D, to_money
from tuktuk_management.payouts import outbox

PAYOUT = outbox.PAYOUT
TRANSACTION = outbox.TRANSACTION
# Transaction Status answers meaning "M-Pesa has no such payment".
STATUS_NOT_FOUND_CODES = ("2032",)
# TransactionStatus values of a payment that did not go through.
STATUS_NOT_PAID = ("failed", "cancelled", "canceled", "declined", "expired", "reversed")


class MalformedResult(ValueError):
	pass


def parse_result(body) -> dict:
	"""A Daraja `{"Result": {...}}` body (already parsed from JSON) as a flat dict. Raises MalformedResult
	saying what is wrong."""
	if not isinstance(body, dict) or not isinstance(body.get("Result"), dict):
		raise MalformedResult("body has no Result object")
	result = body["Result"]
	if "ResultCode" not in result or result["ResultCode"] in (None, ""):
		raise MalformedResult("Result has no ResultCode")
	params = {}
	raw = result.get("ResultParameters")
	if raw not in (None, ""):
		items = raw.get("ResultParameter") if isinstance(raw, dict) else None
		if isinstance(items, dict):  # a single parameter comes as an object
			items = [items]
		if not isinstance(items, list):
			raise MalformedResult("ResultParameters.ResultParameter is not a list")
		for item in items:
			if not isinstance(item, dict) or "Key" not in item:
				raise MalformedResult("a ResultParameter has no Key")
			params[str(item["Key"])] = item.get("Value")
	reference = {}
	ref = result.get("ReferenceData")
	if isinstance(ref, dict):
		items = ref.get("ReferenceItem")
		for item in items if isinstance(items, list) else [items]:
			if isinstance(item, dict) and "Key" in item:
				reference[str(item["Key"])] = item.get("Value")
	return {
		"result_code": str(result["ResultCode"]).strip(),
		"result_desc": str(result.get("ResultDesc") or ""),
		"result_type": result.get("ResultType"),
		"originator_conversation_id": str(result.get("OriginatorConversationID") or ""),
		"conversation_id": str(result.get("ConversationID") or ""),
		"transaction_id": str(result.get("TransactionID") or ""),
		"params": params,
		"reference": reference,
	}


def _ids_for_inbox(body) -> dict:
	"""Best-effort ids for the inbox row, from a body that may be malformed."""
	try:
		result = (body.get("Result") if isinstance(body, dict) else None) or {}
		return {
			"originator_conversation_id": str(result.get("OriginatorConversationID") or "")[:140] or None,
			"conversation_id": str(result.get("ConversationID") or "")[:140] or None,
			"trans_id": str(result.get("TransactionID") or "")[:140] or None,
		}
	except Exception:
		return {}


def find_payout(originator_conversation_id="", conversation_id="") -> str | None:
	if originator_conversation_id:
		if frappe.db.exists(PAYOUT, originator_conversation_id):
			return originator_conversation_id
		name = frappe.db.get_value(PAYOUT, {"originator_conversation_id": originator_conversation_id}, "name")
		if name:
			return name
	if conversation_id:
		return frappe.db.get_value(PAYOUT, {"conversation_id": conversation_id}, "name")
	return None


def _money_or_none(value):
	try:
		return D(value) if value not in (None, "") else None
	except ValueError:
		return None


def _process(callback_type: str, received: Received, apply, payout_hint: str = "") -> dict:
	"""Store, read, match, apply under lock, mark the inbox row. `apply(payout_doc, parsed)` returns
	(inbox_status, note). Returns what happened (for tests and logs)."""
	row = inbox.store_callback(callback_type, received, **_ids_for_inbox(received.data))
	try:
		if received.error:
			raise MalformedResult(f"body is not JSON: {received.error}")
		parsed = parse_result(received.data)
	except MalformedResult as exc:
		inbox.mark(row, "Failed", error=f"Malformed {callback_type}: {exc}")
		# Boundary: the unreadable body stays in the inbox with the reason.
		frappe.db.commit()
		return {"callback": row, "status": "Failed", "error": str(exc)}
	name = payout_hint if payout_hint and frappe.db.exists(PAYOUT, payout_hint) else None
	name = name or find_payout(
		parsed["params"].get("OriginatorConversationID") or parsed["originator_conversation_id"],
		parsed["conversation_id"],
	)
	if not name and parsed["reference"].get("Occasion"):
		name = find_payout(str(parsed["reference"]["Occasion"]))
	if not name:
		inbox.mark(
			row,
			"Uncaptured",
			error="No payout matches OriginatorConversationID {!r} / ConversationID {!r}".format(
				parsed["originator_conversation_id"], parsed["conversation_id"]
			),
		)
		# Boundary: kept for a manager; nothing to apply it to.
		frappe.db.commit()
		return {"callback": row, "status": "Uncaptured"}
	try:
		doc = frappe.get_doc(PAYOUT, name, for_update=True)
		status, note = apply(doc, parsed)
		extra = {}
		amount = _money_or_none(parsed["params"].get("TransactionAmount") or parsed["params"].get("Amount"))
		if amount is not None:
			extra["amount"] = amount
		inbox.mark(row, status, payout=name, error=note, **extra)
		# Boundary: payout, ledger flag and inbox row change together.
		frappe.db.commit()
	except Exception as exc:
		frappe.db.rollback()
		inbox.mark(row, "Failed", payout=name, error=f"{type(exc).__name__}: {exc}")
		frappe.log_error(title="B2C Callback Failed", message=frappe.get_traceback())
		# Boundary: the failure is recorded; the body stays replayable.
		frappe.db.commit()
		return {"callback": row, "status": "Failed", "payout": name, "error": str(exc)}
	return {"callback": row, "status": status, "payout": name, "note": note}


def _mark_paid(doc, *, receipt, receiver, completed_at, code, desc, paid_amount=None):
	"""Paid, with M-Pesa's receipt, counterparty and completion time; the ledger row shows it. When M-Pesa
	paid a different amount than the share (B2C pays whole shillings) the difference is noted."""
	note = None
	paid = _money_or_none(paid_amount)
	if paid is not None and paid != D(doc.amount):
		note = f"M-Pesa paid KES {paid} of the KES {to_money(doc.amount)} share"
	outbox.update_payout(
		doc.name,
		{
			"status": "Paid",
			"mpesa_receipt": receipt,
			"receiver_name": (receiver or "")[:140] or None,
			"transaction_completed_at": outbox.parse_completed_at(completed_at),
			"result_code": code,
			"result_desc": desc,
			"next_attempt_at": None,
			"last_error": note,
		},
	)
	if doc.transaction:
		frappe.db.set_value(TRANSACTION, doc.transaction, {"b2c_payment_sent": 1, "payout": doc.name})


def _apply_b2c_result(doc, parsed):
	code, desc = parsed["result_code"], parsed["result_desc"]
	if code == "0":
		receipt = parsed["params"].get("TransactionReceipt") or parsed["transaction_id"]
		if doc.status == "Paid":
			if doc.mpesa_receipt and receipt and doc.mpesa_receipt != receipt:
				frappe.log_error(
					title="B2C Payout Paid Twice",
					message=f"Payout {doc.name} was paid as {doc.mpesa_receipt} and again as {receipt}",
				)
				return "Duplicate", f"Second payment {receipt}: payout already paid as {doc.mpesa_receipt}"
			return "Duplicate", None
		_mark_paid(
			doc,
			receipt=receipt,
			receiver=parsed["params"].get("ReceiverPartyPublicName"),
			completed_at=parsed["params"].get("TransactionCompletedDateTime"),
			code=code,
			desc=desc,
			paid_amount=parsed["params"].get("TransactionAmount"),
		)
		if doc.status == "Failed":
			frappe.log_error(
				title="B2C Payout Paid After Failure",
				message=f"Payout {doc.name} was Failed ({doc.last_error}) but M-Pesa reports it paid as {receipt}",
			)
		return "Processed", None
	# A failed B2C: nothing was paid.
	if doc.status == "Paid" or (doc.status == "Failed" and doc.result_code == code):
		return "Duplicate", None
	outbox.update_payout(
		doc.name,
		{
			"status": "Failed",
			"result_code": code,
			"result_desc": desc,
			"last_error": f"M-Pesa {code}: {desc}"[:1000],
			"next_attempt_at": None,
		},
	)
	frappe.log_error(title="B2C Payout Failed", message=f"Payout {doc.name}: M-Pesa result {code}: {desc}")
	return "Processed", None


def _apply_b2c_timeout(doc, parsed):
	if outbox.mark_unknown(
		doc.name, "Timeout notice from M-Pesa: {}".format(parsed["result_desc"] or "queue timeout")
	):
		return "Processed", None
	return "Duplicate", f"Payout already {doc.status}"


def _apply_status_result(doc, parsed):
	code, desc, params = parsed["result_code"], parsed["result_desc"], parsed["params"]
	if doc.status == "Paid":
		return "Duplicate", "Payout already paid"
	state = str(params.get("TransactionStatus") or "").strip().lower()
	if code == "0" and state == "completed":
		_mark_paid(
			doc,
			receipt=params.get("ReceiptNo") or parsed["transaction_id"],
			receiver=params.get("CreditPartyName"),
			completed_at=params.get("FinalisedTime"),
			code=code,
			desc=desc,
			paid_amount=params.get("Amount"),
		)
		return "Processed", None
	if doc.status not in outbox.IN_DOUBT:
		return "Duplicate", f"Payout is {doc.status}; status result not needed"
	if code in STATUS_NOT_FOUND_CODES or (code == "0" and state in STATUS_NOT_PAID):
		if not outbox.old_enough_to_check(doc):
			# Asked too soon after sending: M-Pesa may still be processing it. Ask again later.
			outbox.update_payout(
				doc.name,
				{
					"next_attempt_at": add_to_date(
						get_datetime(doc.last_attempt_at), minutes=outbox.IN_DOUBT_GRACE_MINUTES
					)
				},
			)
			return "Processed", f"Not found yet ({code}), but the request is too recent to conclude"
		new_status = outbox.requeue_unpaid(doc.name, f"M-Pesa status: {code} {desc} {state}".strip())
		return "Processed", f"Not paid by M-Pesa; payout {new_status}"
	# Anything else tells us nothing certain: stay in doubt, ask again later.
	outbox.update_payout(doc.name, {"last_error": f"Status query answered {code}: {desc}"[:1000]})
	return "Processed", f"Inconclusive status {code}"


def _apply_status_timeout(doc, parsed):
	return "Processed", "Status query timed out; the scheduler asks again"


def handle_b2c_result(received: Received) -> dict:
	return _process("B2C Result", received, _apply_b2c_result)


def handle_b2c_timeout(received: Received) -> dict:
	return _process("B2C Timeout", received, _apply_b2c_timeout)


def handle_status_result(received: Received, payout: str = "") -> dict:
	return _process("Status Result", received, _apply_status_result, payout_hint=payout)


def handle_status_timeout(received: Received, payout: str = "") -> dict:
	return _process("Status Result", received, _apply_status_timeout, payout_hint=payout)
