"""The bodies Daraja sends and answers, built in one place.

Shapes follow Safaricom's Daraja documentation and the samples its developer portal shows: C2B
validation/confirmation, B2C Result, Transaction Status Result, and the error envelope of the API gateway.
"""

import hashlib
import random
import string
import uuid
from datetime import datetime, timedelta, timezone

NAIROBI = timezone(timedelta(hours=3))

# Outcome name -> (ResultCode, ResultDesc) for B2C results, as M-Pesa reports them.
B2C_RESULT_CODES = {
	"success": (0, "The service request is processed successfully."),
	"insufficient_funds": (1, "The balance is insufficient for the transaction."),
	"invalid_initiator": (2001, "The initiator information is invalid."),
}
STATUS_NOT_FOUND = (2032, "The transaction receipt number does not exist.")
TIMEOUT_NOTICE = (1, "The service request timed out in the queue.")

_NAMES = ["John Doe", "Mary Wanjiku", "Peter Otieno", "Grace Akinyi", "James Mwangi", "Faith Njeri"]


def now_nairobi() -> datetime:
	return datetime.now(NAIROBI).replace(tzinfo=None)


def new_receipt() -> str:
	"""An M-Pesa receipt/TransID like RKL51ZDR4F: three letters, a digit, six alphanumerics."""
	rnd = random.SystemRandom()
	alnum = string.ascii_uppercase + string.digits
	return (
		"".join(rnd.choice(string.ascii_uppercase) for _ in range(3))
		+ rnd.choice(string.digits)
		+ "".join(rnd.choice(alnum) for _ in range(6))
	)


def new_conversation_id() -> str:
	"""Like AG_20191219_00004e48cf7e3533f581."""
	return "AG_{}_{}".format(now_nairobi().strftime("%Y%m%d"), uuid.uuid4().hex[:20])


def new_originator_conversation_id() -> str:
	"""Like 10571-7910404-1, what Daraja makes up when the caller does not send one."""
	rnd = random.SystemRandom()
	return f"{rnd.randint(10000, 99999)}-{rnd.randint(1000000, 9999999)}-1"


def new_request_id() -> str:
	rnd = random.SystemRandom()
	return f"{rnd.randint(10000, 99999)}-{rnd.randint(1000000, 9999999)}-1"


def error_body(error_code: str, message: str) -> dict:
	return {"requestId": new_request_id(), "errorCode": error_code, "errorMessage": message}


def public_name(phone: str, name: str | None = None) -> str:
	if not name:
		name = _NAMES[int(hashlib.sha256(phone.encode()).hexdigest(), 16) % len(_NAMES)]
	return f"{phone} - {name}"


def mask_msisdn(msisdn: str, style: str) -> str:
	"""v2 registrations receive a masked (2547 ***** 126) or hashed MSISDN, never the number."""
	if style == "hashed":
		return hashlib.sha256(msisdn.encode()).hexdigest()
	return f"{msisdn[:4]} ***** {msisdn[-3:]}"


def money(value) -> str:
	return f"{float(value):.2f}"


def c2b_body(
	*,
	trans_id,
	trans_time,
	amount,
	shortcode,
	bill_ref,
	msisdn,
	first_name,
	middle_name,
	last_name,
	org_balance,
	command_id,
) -> dict:
	return {
		"TransactionType": "Pay Bill" if command_id == "CustomerPayBillOnline" else "Buy Goods",
		"TransID": trans_id,
		"TransTime": trans_time,
		"TransAmount": money(amount),
		"BusinessShortCode": str(shortcode),
		"BillRefNumber": bill_ref,
		"InvoiceNumber": "",
		"OrgAccountBalance": money(org_balance),
		"ThirdPartyTransID": "",
		"MSISDN": msisdn,
		"FirstName": first_name,
		"MiddleName": middle_name,
		"LastName": last_name,
	}


def _number(value):
	"""Daraja sends amounts in ResultParameters as JSON numbers: 10, 10.5."""
	f = float(value)
	return int(f) if f == int(f) else round(f, 2)


def b2c_result(
	*,
	outcome,
	originator_conversation_id,
	conversation_id,
	transaction_id,
	amount=None,
	receiver=None,
	completed_at=None,
	utility_funds=None,
	working_funds=0,
	charges_funds=0,
	queue_timeout_url="",
) -> dict:
	code, desc = B2C_RESULT_CODES[outcome]
	result = {
		"ResultType": 0,
		"ResultCode": code,
		"ResultDesc": desc,
		"OriginatorConversationID": originator_conversation_id,
		"ConversationID": conversation_id,
		"TransactionID": transaction_id,
	}
	if outcome == "success":
		result["ResultParameters"] = {
			"ResultParameter": [
				{"Key": "TransactionAmount", "Value": _number(amount)},
				{"Key": "TransactionReceipt", "Value": transaction_id},
				{"Key": "ReceiverPartyPublicName", "Value": receiver},
				{"Key": "TransactionCompletedDateTime", "Value": completed_at.strftime("%d.%m.%Y %H:%M:%S")},
				{"Key": "B2CUtilityAccountAvailableFunds", "Value": _number(utility_funds)},
				{"Key": "B2CWorkingAccountAvailableFunds", "Value": _number(working_funds)},
				{"Key": "B2CRecipientIsRegisteredCustomer", "Value": "Y"},
				{"Key": "B2CChargesPaidAccountAvailableFunds", "Value": _number(charges_funds)},
			]
		}
	result["ReferenceData"] = {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": queue_timeout_url}}
	return {"Result": result}


def timeout_notice(*, originator_conversation_id, conversation_id) -> dict:
	code, desc = TIMEOUT_NOTICE
	return {
		"Result": {
			"ResultType": 1,
			"ResultCode": code,
			"ResultDesc": desc,
			"OriginatorConversationID": originator_conversation_id,
			"ConversationID": conversation_id,
			"TransactionID": "",
		}
	}


def status_result(*, payment, originator_conversation_id, conversation_id, shortcode, occasion="") -> dict:
	"""Transaction Status result: the paid transaction's details, or 2032 when M-Pesa has no such payment."""
	if payment is None:
		code, desc = STATUS_NOT_FOUND
		return {
			"Result": {
				"ResultType": 0,
				"ResultCode": code,
				"ResultDesc": desc,
				"OriginatorConversationID": originator_conversation_id,
				"ConversationID": conversation_id,
				"TransactionID": "",
				"ReferenceData": {"ReferenceItem": {"Key": "Occasion", "Value": occasion}},
			}
		}
	completed = datetime.fromisoformat(payment["completed_at"]).strftime("%Y%m%d%H%M%S")
	return {
		"Result": {
			"ResultType": 0,
			"ResultCode": 0,
			"ResultDesc": "The service request is processed successfully.",
			"OriginatorConversationID": originator_conversation_id,
			"ConversationID": conversation_id,
			"TransactionID": payment["transaction_id"],
			"ResultParameters": {
				"ResultParameter": [
					{"Key": "DebitPartyName", "Value": f"{shortcode} - TukTuk Sandbox"},
					{"Key": "CreditPartyName", "Value": payment["receiver"]},
					{"Key": "OriginatorConversationID", "Value": payment["originator_conversation_id"]},
					{"Key": "InitiatedTime", "Value": int(completed)},
					{"Key": "DebitAccountType", "Value": "Utility Account"},
					{"Key": "DebitPartyCharges", "Value": ""},
					{"Key": "TransactionReason", "Value": ""},
					{"Key": "ReasonType", "Value": "Business Payment to Customer via API"},
					{"Key": "TransactionStatus", "Value": "Completed"},
					{"Key": "FinalisedTime", "Value": int(completed)},
					{"Key": "Amount", "Value": _number(payment["amount"])},
					{"Key": "ConversationID", "Value": payment["conversation_id"]},
					{"Key": "ReceiptNo", "Value": payment["transaction_id"]},
				]
			},
			"ReferenceData": {"ReferenceItem": {"Key": "Occasion", "Value": occasion}},
		}
	}


def pull_row(entry: dict) -> dict:
	"""One C2B payment as Pull Transactions lists it: trxDate in UTC ("2020-08-05T10:13:00Z"), the payer's
	number as a JSON number, the account as ``billreference``."""
	local = datetime.strptime(entry["trans_time"], "%Y%m%d%H%M%S").replace(tzinfo=NAIROBI)
	msisdn = str(entry.get("msisdn") or "")
	return {
		"transactionId": entry["trans_id"],
		"trxDate": local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
		"msisdn": int(msisdn) if msisdn.isdigit() else msisdn,
		"sender": entry.get("first_name") or "",
		"transactiontype": "c2b-pay-bill-debit"
		if entry.get("command_id", "CustomerPayBillOnline") == "CustomerPayBillOnline"
		else "c2b-buy-goods-debit",
		"billreference": entry.get("bill_ref") or "",
		"amount": money(entry["amount"]),
		"organizationname": "TukTuk Sandbox",
	}
