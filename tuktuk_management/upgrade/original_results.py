"""Results of B2C payments the original app sent, arriving after the upgrade on its ResultURL
(``tuktuk_management.api.sendpay.b2c_result`` / ``b2c_timeout``, kept by ``api/sendpay.py``).

Each is stored in the inbox first and offered to our own payouts (``payouts.results``: matched by
OriginatorConversationID, which the original's requests never carry, so normally nothing matches). Then:
- a petty cash payment the original sent (TukTuk Petty Cash, matched by its recorded ConversationID) gets
  its result as the original would have written it: Completed with the M-Pesa receipt, or Failed;
- a driver's share, bonus or withdrawal the original sent has no record to update (the original kept none):
  a success is noted on the inbox row, a failure is left for a manager (the driver was not paid) with an
  Error Log."""

import frappe

from tuktuk_management import inbox
from tuktuk_management.payouts import results

PETTY_CASH = "TukTuk Petty Cash"


def handle_b2c_result(received) -> dict:
	outcome = results.handle_b2c_result(received)
	if outcome.get("status") != "Uncaptured":
		return outcome  # one of our payouts, or a body that could not be read (kept Failed)
	return _original_payment(outcome["callback"], received.data)


def handle_b2c_timeout(received) -> dict:
	outcome = results.handle_b2c_timeout(received)
	if outcome.get("status") != "Uncaptured":
		return outcome
	inbox.mark(
		outcome["callback"],
		"Uncaptured",
		error="Timeout notice for a B2C payment the original app sent: check it on the M-Pesa statement",
	)
	frappe.db.commit()  # Boundary: kept for a manager.
	return {**outcome, "original_app": True}


def _original_payment(callback: str, data) -> dict:
	result = data.get("Result") or {}
	code = str(result.get("ResultCode"))
	conversation = str(result.get("ConversationID") or "")
	originator = str(result.get("OriginatorConversationID") or "")
	params = {
		str(p.get("Key")): p.get("Value")
		for p in ((result.get("ResultParameters") or {}).get("ResultParameter") or [])
		if isinstance(p, dict)
	}
	receipt = str(params.get("TransactionReceipt") or result.get("TransactionID") or "")
	petty = None
	for field, value in (
		("mpesa_conversation_id", conversation),
		("mpesa_originator_conversation_id", originator),
	):
		if value and not petty:
			petty = frappe.db.get_value(PETTY_CASH, {field: value}, "name")
	if petty:
		status = "Completed" if code == "0" else "Failed"
		frappe.db.set_value(
			PETTY_CASH,
			petty,
			{"payment_status": status, "mpesa_result_code": code, "mpesa_transaction_id": receipt or None},
		)
		frappe.get_doc(PETTY_CASH, petty).add_comment(
			"Comment",
			f"M-Pesa result received after the upgrade: {status} ({result.get('ResultDesc') or code})",
		)
		inbox.mark(
			callback, "Processed", error=f"Result of petty cash {petty} (sent by the original app): {status}"
		)
		frappe.db.commit()  # Boundary: the petty cash record and the inbox row change together.
		return {"callback": callback, "status": "Processed", "petty_cash": petty, "petty_cash_status": status}
	if code == "0":
		inbox.mark(
			callback,
			"Processed",
			error=f"Result of a B2C payment the original app sent (receipt {receipt or '?'}); it kept no record to update",
		)
		frappe.db.commit()  # Boundary: noted.
		return {"callback": callback, "status": "Processed", "original_app": True}
	message = (
		f"A B2C payment the original app sent failed ({code}: {result.get('ResultDesc') or ''}); "
		f"ConversationID {conversation}. Whoever it was for was not paid: check the M-Pesa statement."
	)
	inbox.mark(callback, "Uncaptured", error=message)
	frappe.log_error(
		title="Original App B2C Payment Failed",
		message=message,
		reference_doctype=inbox.CALLBACK,
		reference_name=callback,
	)
	frappe.db.commit()  # Boundary: kept for a manager.
	return {"callback": callback, "status": "Uncaptured", "original_app": True}
