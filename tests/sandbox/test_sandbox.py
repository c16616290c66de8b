"""The simulator speaks Daraja: OAuth, B2C results, Transaction Status, C2B, and its ledger tells the truth."""

import base64

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from sandbox_helpers import b2c_body, post, token

from mpesa_sandbox import SandboxProcess

B2C = "/mpesa/b2c/v3/paymentrequest"
STATUS = "/mpesa/transactionstatus/v1/query"


def result_params(body):
	return {p["Key"]: p.get("Value") for p in body["Result"]["ResultParameters"]["ResultParameter"]}


# -- OAuth -----------------------------------------------------------------------------------------
def test_oauth_issues_token_and_rejects_bad_credentials(sandbox):
	sandbox.configure(consumer_key="ck", consumer_secret="cs")
	url = sandbox.base_url + "/oauth/v1/generate"
	ok = requests.get(url, params={"grant_type": "client_credentials"}, auth=("ck", "cs"), timeout=5)
	assert ok.status_code == 200
	assert ok.json()["expires_in"] == "3599" and ok.json()["access_token"]
	wrong = requests.get(url, params={"grant_type": "client_credentials"}, auth=("ck", "nope"), timeout=5)
	assert wrong.status_code == 400 and wrong.json()["errorCode"] == "400.008.01"
	grant = requests.get(url, params={"grant_type": "password"}, auth=("ck", "cs"), timeout=5)
	assert grant.status_code == 400 and grant.json()["errorCode"] == "400.008.02"


def test_expired_and_unknown_tokens_are_rejected_like_daraja(sandbox, receiver):
	access = token(sandbox.base_url)
	assert post(sandbox.base_url, B2C, b2c_body(receiver.url), access).status_code == 200
	sandbox.expire_tokens()
	rejected = post(sandbox.base_url, B2C, b2c_body(receiver.url, OriginatorConversationID="p2"), access)
	assert rejected.status_code == 401
	assert rejected.json()["errorCode"] == "404.001.03"
	assert rejected.json()["errorMessage"] == "Invalid Access Token" and "requestId" in rejected.json()
	forged = post(sandbox.base_url, B2C, b2c_body(receiver.url), "not-a-token")
	assert forged.status_code == 401
	# A short lifetime: the token dies on its own.
	sandbox.configure(token_ttl=0)
	short = token(sandbox.base_url)
	assert post(sandbox.base_url, B2C, b2c_body(receiver.url), short).status_code == 401
	assert sandbox.ledger()["count"] == 1


# -- B2C -------------------------------------------------------------------------------------------
def test_b2c_success_answers_then_posts_daraja_result(sandbox, receiver):
	reply = post(sandbox.base_url, B2C, b2c_body(receiver.url), token(sandbox.base_url))
	assert reply.status_code == 200
	sync = reply.json()
	assert sync["OriginatorConversationID"] == "payout-001"
	assert sync["ResponseCode"] == "0" and sync["ConversationID"].startswith("AG_")
	assert sync["ResponseDescription"]
	body = receiver.wait_for("/result")[0]["body"]
	result = body["Result"]
	assert result["ResultType"] == 0 and result["ResultCode"] == 0
	assert result["OriginatorConversationID"] == "payout-001"
	assert result["ConversationID"] == sync["ConversationID"]
	params = result_params(body)
	assert [p["Key"] for p in result["ResultParameters"]["ResultParameter"]] == [
		"TransactionAmount",
		"TransactionReceipt",
		"ReceiverPartyPublicName",
		"TransactionCompletedDateTime",
		"B2CUtilityAccountAvailableFunds",
		"B2CWorkingAccountAvailableFunds",
		"B2CRecipientIsRegisteredCustomer",
		"B2CChargesPaidAccountAvailableFunds",
	]
	assert params["TransactionAmount"] == 150
	assert params["TransactionReceipt"] == result["TransactionID"]
	assert len(result["TransactionID"]) == 10 and result["TransactionID"].isalnum()
	assert params["ReceiverPartyPublicName"].startswith("254708374149 - ")
	assert (
		len(params["TransactionCompletedDateTime"]) == 19 and params["TransactionCompletedDateTime"][2] == "."
	)
	assert result["ReferenceData"]["ReferenceItem"] == {
		"Key": "QueueTimeoutURL",
		"Value": receiver.url + "/timeout",
	}
	ledger = sandbox.ledger()
	assert ledger["count"] == 1 and ledger["payments"][0]["transaction_id"] == result["TransactionID"]
	assert ledger["utility_balance"] == "999850.00"


def test_v1_generates_the_originator_conversation_id(sandbox, receiver):
	body = b2c_body(receiver.url, OriginatorConversationID=None)
	reply = post(sandbox.base_url, "/mpesa/b2c/v1/paymentrequest", body, token(sandbox.base_url))
	assert reply.status_code == 200 and reply.json()["OriginatorConversationID"]


def test_insufficient_funds_has_no_result_parameters_and_pays_nothing(sandbox, receiver):
	sandbox.script("insufficient_funds", phone="254708374149")
	post(sandbox.base_url, B2C, b2c_body(receiver.url), token(sandbox.base_url))
	result = receiver.wait_for("/result")[0]["body"]["Result"]
	assert result["ResultCode"] == 1 and "ResultParameters" not in result
	assert sandbox.ledger()["count"] == 0


def test_real_balance_shortfall_is_insufficient_funds(sandbox, receiver):
	sandbox.configure(utility_balance="100")
	post(sandbox.base_url, B2C, b2c_body(receiver.url), token(sandbox.base_url))
	assert receiver.wait_for("/result")[0]["body"]["Result"]["ResultCode"] == 1
	assert sandbox.ledger()["count"] == 0


def test_invalid_initiator_scripted_and_from_a_bad_credential(sandbox, receiver):
	sandbox.script("invalid_initiator", originator_conversation_id="payout-001")
	access = token(sandbox.base_url)
	post(sandbox.base_url, B2C, b2c_body(receiver.url), access)
	assert receiver.wait_for("/result")[0]["body"]["Result"]["ResultCode"] == 2001
	# With an initiator password set, the credential must be the password encrypted with the certificate.
	sandbox.configure(initiator_password="Safaricom999!*!")
	cert = x509.load_pem_x509_certificate(sandbox.certificate().encode())
	good = base64.b64encode(cert.public_key().encrypt(b"Safaricom999!*!", padding.PKCS1v15())).decode()
	post(
		sandbox.base_url,
		B2C,
		b2c_body(receiver.url, OriginatorConversationID="p-good", SecurityCredential=good),
		access,
	)
	post(sandbox.base_url, B2C, b2c_body(receiver.url, OriginatorConversationID="p-bad"), access)
	results = {
		r["body"]["Result"]["OriginatorConversationID"]: r["body"]["Result"]["ResultCode"]
		for r in receiver.wait_for("/result", 3)
	}
	assert results == {"payout-001": 2001, "p-good": 0, "p-bad": 2001}
	assert sandbox.ledger()["by_originator"] == {"p-good": 1}


def test_timeout_notice_instead_of_result_but_paid_and_status_query_finds_it(sandbox, receiver):
	sandbox.script("timeout", phone="254708374149")
	access = token(sandbox.base_url)
	post(sandbox.base_url, B2C, b2c_body(receiver.url), access)
	notice = receiver.wait_for("/timeout")[0]["body"]["Result"]
	assert notice["OriginatorConversationID"] == "payout-001"
	assert receiver.on("/result") == []
	assert sandbox.ledger()["count"] == 1
	status = {
		"Initiator": "testapi",
		"SecurityCredential": "x",
		"CommandID": "TransactionStatusQuery",
		"TransactionID": "",
		"OriginalConversationID": "payout-001",
		"PartyA": "600997",
		"IdentifierType": "4",
		"ResultURL": receiver.url + "/status?payout=payout-001",
		"QueueTimeOutURL": receiver.url + "/status_timeout",
		"Remarks": "status",
		"Occasion": "payout-001",
	}
	reply = post(sandbox.base_url, STATUS, status, access)
	assert reply.status_code == 200 and reply.json()["ResponseCode"] == "0"
	got = receiver.wait_for("/status")[0]
	assert got["args"] == {"payout": "payout-001"}
	params = result_params(got["body"])
	assert got["body"]["Result"]["ResultCode"] == 0
	assert params["TransactionStatus"] == "Completed"
	assert params["OriginatorConversationID"] == "payout-001"
	assert params["ReceiptNo"] == sandbox.ledger()["payments"][0]["transaction_id"]
	assert params["Amount"] == 150
	# Nothing paid under another id: 2032, no parameters.
	post(sandbox.base_url, STATUS, {**status, "OriginalConversationID": "never-sent"}, access)
	missing = receiver.wait_for("/status", 2)[1]["body"]["Result"]
	assert missing["ResultCode"] == 2032 and "ResultParameters" not in missing


def test_no_callback_pays_silently_and_duplicate_posts_twice(sandbox, receiver):
	sandbox.script("no_callback", originator_conversation_id="silent")
	sandbox.script("duplicate", originator_conversation_id="twice")
	access = token(sandbox.base_url)
	post(sandbox.base_url, B2C, b2c_body(receiver.url, OriginatorConversationID="silent"), access)
	post(sandbox.base_url, B2C, b2c_body(receiver.url, OriginatorConversationID="twice"), access)
	assert sandbox.drain()
	results = receiver.on("/result")
	assert [r["body"]["Result"]["OriginatorConversationID"] for r in results] == ["twice", "twice"]
	assert results[0]["body"] == results[1]["body"]
	assert sandbox.ledger()["by_originator"] == {"silent": 1, "twice": 1}


def test_a_resent_originator_id_is_paid_again_and_the_ledger_shows_it(sandbox, receiver):
	access = token(sandbox.base_url)
	for _ in range(2):
		assert post(sandbox.base_url, B2C, b2c_body(receiver.url), access).status_code == 200
	assert sandbox.ledger()["by_originator"] == {"payout-001": 2}
	assert sandbox.payments_count("payout-001") == 2


def test_scripts_prefer_originator_then_phone_then_catch_all_and_count_times(sandbox, receiver):
	sandbox.script("insufficient_funds")  # catch-all, once
	sandbox.script("invalid_initiator", phone="254708374149", times=0)  # this phone, always
	sandbox.script("timeout_unpaid", originator_conversation_id="special")
	access = token(sandbox.base_url)
	for ocid, phone in (
		("special", "254708374149"),
		("a", "254708374149"),
		("b", "254711111111"),
		("c", "254711111111"),
		("d", "254708374149"),
	):
		post(
			sandbox.base_url, B2C, b2c_body(receiver.url, OriginatorConversationID=ocid, PartyB=phone), access
		)
	outcomes = {a["originator_conversation_id"]: a["outcome"] for a in sandbox.ledger()["attempts"]}
	assert outcomes == {
		"special": "timeout_unpaid",
		"a": "invalid_initiator",
		"b": "insufficient_funds",
		"c": "success",
		"d": "invalid_initiator",
	}
	assert sandbox.ledger()["count"] == 1


def test_lost_reply_answers_late_but_pays(sandbox, receiver):
	sandbox.script("lost_reply", reply_delay=1.0)
	with pytest.raises(requests.Timeout):
		requests.post(
			sandbox.base_url + B2C,
			json=b2c_body(receiver.url),
			headers={"Authorization": f"Bearer {token(sandbox.base_url)}"},
			timeout=0.3,
		)
	receiver.wait_for("/result")
	assert sandbox.ledger()["count"] == 1


@pytest.mark.parametrize(
	"field,value",
	[
		("InitiatorName", ""),
		("SecurityCredential", None),
		("CommandID", "Payment"),
		("Amount", "abc"),
		("Amount", -5),
		("Amount", 10.5),
		("Amount", 0),
		("PartyA", "abc"),
		("PartyB", "0712345678"),
		("Remarks", ""),
		("QueueTimeOutURL", "not a url"),
		("ResultURL", None),
		("Occassion", "x" * 101),
		("OriginatorConversationID", ""),
	],
)
def test_b2c_bad_requests_use_daraja_error_shape(sandbox, receiver, field, value):
	body = b2c_body(receiver.url, **{field: value})
	if value is None:
		body.pop(field, None)
	reply = post(sandbox.base_url, B2C, body, token(sandbox.base_url))
	assert reply.status_code == 400
	assert reply.json()["errorCode"] == "400.002.02"
	assert reply.json()["errorMessage"] == f"Bad Request - Invalid {field}"
	assert reply.json()["requestId"]
	assert sandbox.ledger()["attempts"] == []


def test_malformed_json_is_a_bad_request(sandbox):
	reply = requests.post(
		sandbox.base_url + B2C,
		data="{not json",
		headers={"Authorization": f"Bearer {token(sandbox.base_url)}"},
		timeout=5,
	)
	assert reply.status_code == 400 and reply.json()["errorCode"] == "400.002.02"


# -- C2B -------------------------------------------------------------------------------------------
def register(sandbox, receiver, version="v2", validation=True, response_type="Completed", access=None):
	body = {
		"ShortCode": "600984",
		"ResponseType": response_type,
		"ConfirmationURL": receiver.url + "/confirmation?token=s3cret",
		"ValidationURL": receiver.url + "/validation?token=s3cret" if validation else "",
	}
	return post(
		sandbox.base_url, f"/mpesa/c2b/{version}/registerurl", body, access or token(sandbox.base_url)
	)


def simulate(sandbox, access, **overrides):
	body = {
		"ShortCode": "600984",
		"CommandID": "CustomerPayBillOnline",
		"Amount": "100",
		"Msisdn": "254708374126",
		"BillRefNumber": "TT001",
		**overrides,
	}
	return post(sandbox.base_url, "/mpesa/c2b/v1/simulate", body, access)


def test_register_refuses_urls_with_forbidden_words(sandbox, receiver):
	access = token(sandbox.base_url)
	body = {
		"ShortCode": "600984",
		"ResponseType": "Completed",
		"ConfirmationURL": receiver.url + "/api/method/x.MPesa_confirmation",
		"ValidationURL": "",
	}
	reply = post(sandbox.base_url, "/mpesa/c2b/v1/registerurl", body, access)
	assert (
		reply.status_code == 400 and reply.json()["errorMessage"] == "Bad Request - Invalid ConfirmationURL"
	)
	ok = register(sandbox, receiver, access=access)
	assert (
		ok.status_code == 200 and ok.json()["ResponseCode"] == "0" and "OriginatorCoversationID" in ok.json()
	)


def test_c2b_v2_validation_then_confirmation_with_masked_msisdn(sandbox, receiver):
	access = token(sandbox.base_url)
	register(sandbox, receiver, access=access)
	assert simulate(sandbox, access).json()["ResponseCode"] == "0"
	confirmation = receiver.wait_for("/confirmation")[0]
	validation = receiver.on("/validation")[0]
	assert confirmation["args"] == {"token": "s3cret"}
	body = confirmation["body"]
	assert validation["body"] == body
	assert body["TransactionType"] == "Pay Bill" and body["TransAmount"] == "100.00"
	assert body["MSISDN"] == "2547 ***** 126"
	assert len(body["TransID"]) == 10 and len(body["TransTime"]) == 14 and body["TransTime"].isdigit()
	assert body["BusinessShortCode"] == "600984" and body["BillRefNumber"] == "TT001"
	assert (
		body["InvoiceNumber"] == ""
		and body["ThirdPartyTransID"] == ""
		and body["OrgAccountBalance"] == "100.00"
	)
	assert set(body) >= {"FirstName", "MiddleName", "LastName"}


def test_c2b_v1_full_msisdn_and_rejected_validation_stops_confirmation(sandbox, receiver):
	access = token(sandbox.base_url)
	register(sandbox, receiver, version="v1", access=access)
	receiver.replies["/validation"] = {"ResultCode": "C2B00012", "ResultDesc": "Rejected"}
	simulate(sandbox, access, BillRefNumber="UNKNOWN")
	assert sandbox.drain()
	assert receiver.on("/validation")[0]["body"]["MSISDN"] == "254708374126"
	assert receiver.on("/confirmation") == []


def test_c2b_duplicate_confirmation_and_fixed_trans_id(sandbox, receiver):
	access = token(sandbox.base_url)
	register(sandbox, receiver, validation=False, access=access)
	sandbox.script("duplicate", api="c2b")
	simulate(sandbox, access, TransID="RKL51ZDR4F")
	got = receiver.wait_for("/confirmation", 2)
	assert [c["body"]["TransID"] for c in got] == ["RKL51ZDR4F", "RKL51ZDR4F"]


def test_c2b_simulate_rejects_bad_input(sandbox, receiver):
	access = token(sandbox.base_url)
	register(sandbox, receiver, access=access)
	assert simulate(sandbox, access, Amount="-1").json()["errorMessage"] == "Bad Request - Invalid Amount"
	assert simulate(sandbox, access, Msisdn="0708").json()["errorMessage"] == "Bad Request - Invalid Msisdn"
	assert simulate(sandbox, access, ShortCode="111111").status_code == 400


# -- control API -----------------------------------------------------------------------------------
def test_reset_clears_ledger_scripts_and_tokens(sandbox, receiver):
	access = token(sandbox.base_url)
	sandbox.script("timeout", times=0)
	post(sandbox.base_url, B2C, b2c_body(receiver.url), access)
	sandbox.reset()
	ledger = sandbox.ledger()
	assert ledger["count"] == 0 and ledger["attempts"] == [] and ledger["stats"]["tokens_issued"] == 0
	assert post(sandbox.base_url, B2C, b2c_body(receiver.url), access).status_code == 401


def test_unknown_script_outcome_is_refused(sandbox):
	reply = requests.post(sandbox.base_url + "/__sandbox/script", json={"outcome": "maybe"}, timeout=5)
	assert reply.status_code == 400 and "maybe" in reply.json()["error"]


def test_runs_as_a_separate_process(receiver):
	with SandboxProcess("--consumer-key", "ck", "--consumer-secret", "cs", "--result-delay", "0") as proc:
		access = token(proc.url, "ck", "cs")
		proc.client.script("success", phone="254708374149")
		assert post(proc.url, B2C, b2c_body(receiver.url), access).status_code == 200
		receiver.wait_for("/result")
		assert proc.client.payments_count() == 1
	assert proc.process.poll() is not None


# -- Pull Transactions ---------------------------------------------------------------------------------
PULL_REGISTER, PULL_QUERY = "/pulltransactions/v1/register", "/pulltransactions/v1/query"


def test_pull_transactions_register_then_query_pages_of_the_paybills_payments(sandbox, receiver):
	access = token(sandbox.base_url)
	register(sandbox, receiver, validation=False, access=access)
	pull = {"ShortCode": "600984", "RequestType": "Pull", "NominatedNumber": "0722000000"}
	bad = post(sandbox.base_url, PULL_REGISTER, {**pull, "CallBackURL": "not a url"}, access)
	assert bad.status_code == 400 and bad.json()["errorMessage"] == "Bad Request - Invalid CallBackURL"
	first = post(sandbox.base_url, PULL_REGISTER, {**pull, "CallBackURL": receiver.url + "/pull"}, access)
	assert first.json()["Response Status"] == "1000" and first.json()["ShortCode"] == "600984"
	again = post(sandbox.base_url, PULL_REGISTER, {**pull, "CallBackURL": receiver.url + "/pull"}, access)
	assert again.json()["Response Status"] == "1001"

	sandbox.script("no_confirmation", api="c2b")  # paid, but the confirmation never arrives
	simulate(sandbox, access, TransID="RKL51ZDR4F", TransTime="20261205101500", Amount="150")
	simulate(sandbox, access, TransID="RKL51ZDR5G", TransTime="20261205111500")
	window = {"ShortCode": "600984", "StartDate": "2026-12-05 10:00:00", "EndDate": "2026-12-05 11:00"}
	reply = post(sandbox.base_url, PULL_QUERY, {**window, "OffSetValue": "0"}, access).json()
	assert reply["ResponseCode"] == "1000" and reply["ResponseRefID"]
	[[row]] = reply["Response"]
	assert row == {
		"transactionId": "RKL51ZDR4F",
		"trxDate": "2026-12-05T07:15:00Z",  # UTC: 10:15 in Nairobi
		"msisdn": 254708374126,
		"sender": "John",
		"transactiontype": "c2b-pay-bill-debit",
		"billreference": "TT001",
		"amount": "150.00",
		"organizationname": "TukTuk Sandbox",
	}
	past = post(sandbox.base_url, PULL_QUERY, {**window, "OffSetValue": "1"}, access).json()
	assert (past["ResponseCode"], past["Response"]) == ("1001", [[]])
	too_long = {**window, "StartDate": "2026-12-01 00:00:00", "OffSetValue": "0"}
	assert post(sandbox.base_url, PULL_QUERY, too_long, access).status_code == 400
	unregistered = {**window, "ShortCode": "600111", "OffSetValue": "0"}
	assert post(sandbox.base_url, PULL_QUERY, unregistered, access).status_code == 400
