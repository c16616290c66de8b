"""What an upgraded site must do over HTTP (the same on a real bench and on frappe_lite): its managers keep
their access, and callbacks keep arriving on the original app's URLs.

``run(base_url, host, http, facts)`` returns [(name, ok, detail)]; ``http`` is what site_checks.py's
``prepare_http`` phase printed (callback secret, a former manager's API key, the paybill, the petty cash
payment still in flight in the dump). The server must see the test client as 127.0.0.1 (a trusted proxy, as
bench's nginx is): the X-Forwarded-For header a request carries is then what nginx would have written."""

import json

import requests

TUKTUK = "/api/method/tuktuk_management.api.tuktuk"
SENDPAY = "/api/method/tuktuk_management.api.sendpay"
MPESA_ADDRESS = "196.201.214.200"  # one of Safaricom's published callback addresses
ELSEWHERE = "10.9.8.7"


class Client:
	def __init__(self, base_url, host, authorization=None):
		self.base_url, self.host, self.authorization = base_url.rstrip("/"), host, authorization
		self.session = requests.Session()

	def headers(self, forwarded_for=None, auth=True):
		headers = {"Host": self.host, "Accept": "application/json"}
		if auth and self.authorization:
			headers["Authorization"] = self.authorization
		if forwarded_for:
			headers["X-Forwarded-For"] = forwarded_for
		return headers

	def get(self, path, params=None, auth=True):
		return self.session.get(
			self.base_url + path, params=params, headers=self.headers(auth=auth), timeout=60
		)

	def post_json(self, path, body, forwarded_for=None, params=None):
		return requests.post(
			self.base_url + path,
			params=params,
			data=json.dumps(body),
			headers={**self.headers(forwarded_for, auth=False), "Content-Type": "application/json"},
			timeout=60,
		)

	def call(self, method, **kwargs):
		return requests.post(
			self.base_url + "/api/method/" + method, data=kwargs, headers=self.headers(), timeout=60
		)

	def rows(self, doctype, filters, fields):
		reply = self.get(
			f"/api/resource/{doctype}",
			params={"filters": json.dumps(filters), "fields": json.dumps(fields), "limit_page_length": 100},
		)
		reply.raise_for_status()
		return reply.json()["data"]


def c2b_body(paybill, trans_id, amount, account="001"):
	return {
		"TransactionType": "Pay Bill",
		"TransID": trans_id,
		"TransTime": "20261129140000",
		"TransAmount": f"{amount:.2f}",
		"BusinessShortCode": paybill,
		"BillRefNumber": account,
		"InvoiceNumber": "",
		"OrgAccountBalance": "",
		"ThirdPartyTransID": "",
		"MSISDN": "2547******321",
		"FirstName": "UPGRADE",
	}


def run(base_url, host, http, facts):
	results = []

	def check(name, ok, detail=None):
		results.append((name, bool(ok), detail))

	manager = Client(base_url, host, http["authorization"])
	guest = Client(base_url, host)
	paybill = http["paybill"]

	# -- managers keep their access (the role renamed under them) --------------------------------------
	login = requests.Session()
	reply = login.post(
		base_url + "/api/method/login",
		data={"usr": facts["managers"][0], "pwd": "Upgrade-Manager-1"},
		headers={"Host": host, "Accept": "application/json"},
		timeout=60,
	)
	check(
		"a former manager logs in with the original site's password",
		reply.status_code == 200,
		reply.text[:300],
	)
	for path in (
		f"{TUKTUK}.reconcile_driver_balance?driver_name=DRV-112001",
		"/api/resource/TukTuk Transaction",
		"/api/resource/TukTuk Settings/TukTuk Settings",
		"/api/resource/TukTuk Driver/DRV-112001",
		"/api/resource/TukTuk Rental",
		"/api/resource/TukTuk Substitute Driver",
	):
		reply = login.get(base_url + path, headers={"Host": host, "Accept": "application/json"}, timeout=60)
		check(
			f"manager session: GET {path} -> 200",
			reply.status_code == 200,
			(reply.status_code, reply.text[:300]),
		)
	executive = requests.Session()
	executive.post(
		base_url + "/api/method/login",
		data={"usr": "exec@example.com", "pwd": "Upgrade-Exec-1"},
		headers={"Host": host, "Accept": "application/json"},
		timeout=60,
	)
	reply = executive.get(
		base_url + f"{TUKTUK}.reconcile_driver_balance?driver_name=DRV-112001",
		headers={"Host": host, "Accept": "application/json"},
		timeout=60,
	)
	check("Tuktuk Executive gets nothing of ours (403)", reply.status_code == 403, reply.status_code)
	ftl = facts["failed_confirmations"][0]
	reply = manager.call(
		"tuktuk_management.api.tuktuk.process_uncaptured_payment",
		driver="DRV-112003",
		tuktuk="TUK-885-KBX003A",
		transaction_id=ftl,
		customer_phone="254712000999",
		amount="180",
		action_type="send_share",
	)
	check(
		"a payment the original left uncredited is assigned by a former manager",
		reply.status_code == 200,
		reply.text[:500],
	)

	# -- callbacks on the original's token-less URLs ----------------------------------------------------
	body = c2b_body(paybill, "UPGHTTP001", 500)
	reply = guest.post_json(f"{TUKTUK}.payment_confirmation", body, forwarded_for=MPESA_ADDRESS)
	check(
		"token-less confirmation from M-Pesa's address: 200, ResultCode 0 at the top level",
		reply.status_code == 200 and reply.json().get("ResultCode") == 0,
		(reply.status_code, reply.text[:300]),
	)
	ledger = manager.rows(
		"TukTuk Transaction", [["transaction_id", "=", "UPGHTTP001"]], ["name", "driver", "payout"]
	)
	check(
		"... credited once to the vehicle's driver",
		len(ledger) == 1 and ledger[0]["driver"] == "DRV-112001",
		ledger,
	)
	inbox = manager.rows(
		"TukTuk Callback",
		[["trans_id", "=", "UPGHTTP001"], ["callback_type", "=", "C2B Confirmation"]],
		["name", "status", "auth", "verification", "remote_addr"],
	)
	check(
		"... authenticated by M-Pesa's address, its check with M-Pesa pending",
		inbox
		and inbox[0]["auth"] == "M-Pesa Address"
		and inbox[0]["verification"] in ("Pending", "Unverifiable")
		and inbox[0]["remote_addr"] == MPESA_ADDRESS,
		inbox,
	)
	if ledger and ledger[0]["payout"]:
		payout = manager.rows("TukTuk Payout", [["name", "=", ledger[0]["payout"]]], ["status", "last_error"])
		check(
			"... its payout held until M-Pesa confirms the payment",
			payout and payout[0]["status"] == "On Hold",
			payout,
		)
	else:
		check("... its payout held until M-Pesa confirms the payment", False, ledger)
	reply = guest.post_json(f"{TUKTUK}.payment_confirmation", body, forwarded_for=MPESA_ADDRESS)
	again = manager.rows("TukTuk Transaction", [["transaction_id", "=", "UPGHTTP001"]], ["name"])
	check(
		"the same TransID again: acknowledged, not credited twice",
		reply.status_code == 200 and len(again) == 1,
		again,
	)

	refused = {}
	for label, trans_id, forwarded, shortcode in (
		("from an address not M-Pesa's", "UPGHTTP002", ELSEWHERE, paybill),
		(
			"M-Pesa's address written by the caller (nginx appends the real one)",
			"UPGHTTP003",
			f"{MPESA_ADDRESS}, {ELSEWHERE}",
			paybill,
		),
		("another paybill", "UPGHTTP004", MPESA_ADDRESS, "999999"),
	):
		reply = guest.post_json(
			f"{TUKTUK}.payment_confirmation", c2b_body(shortcode, trans_id, 300), forwarded_for=forwarded
		)
		kept = manager.rows(
			"TukTuk Callback",
			[["trans_id", "=", trans_id]],
			["name", "status", "error", "payload", "times_received"],
		)
		credited = manager.rows("TukTuk Transaction", [["transaction_id", "=", trans_id]], ["name"])
		check(
			f"token-less {label}: refused, kept for review with its body, nothing credited",
			reply.status_code == 200
			and kept
			and kept[0]["status"] == "Refused"
			and trans_id in (kept[0]["payload"] or "")
			and not credited,
			(reply.status_code, reply.text[:200], kept, credited),
		)
		if kept:
			refused[trans_id] = kept[0]["name"]
	reply = guest.post_json(
		f"{TUKTUK}.payment_confirmation", c2b_body(paybill, "UPGHTTP002", 300), forwarded_for=ELSEWHERE
	)
	folded = manager.rows("TukTuk Callback", [["trans_id", "=", "UPGHTTP002"]], ["name", "times_received"])
	check(
		"the same refused body again is counted, not stored twice",
		len(folded) == 1 and folded[0]["times_received"] == 2,
		folded,
	)

	reply = guest.post_json(
		f"{TUKTUK}.payment_confirmation",
		c2b_body(paybill, "UPGHTTP005", 200),
		params={"token": http["token"]},
	)
	credited = manager.rows("TukTuk Transaction", [["transaction_id", "=", "UPGHTTP005"]], ["name"])
	auth = manager.rows("TukTuk Callback", [["trans_id", "=", "UPGHTTP005"]], ["auth"])
	check(
		"with this site's token: credited as always",
		reply.status_code == 200 and credited and auth and auth[0]["auth"] == "Token",
		(reply.text[:200], auth),
	)
	reply = guest.post_json(
		f"{TUKTUK}.payment_confirmation", c2b_body(paybill, "UPGHTTP006", 200), params={"token": "wrong"}
	)
	stored = manager.rows("TukTuk Callback", [["trans_id", "=", "UPGHTTP006"]], ["name", "status"])
	credited = manager.rows("TukTuk Transaction", [["transaction_id", "=", "UPGHTTP006"]], ["name"])
	check(
		"with a wrong token: 403, kept as Refused, nothing credited",
		reply.status_code == 403 and [r["status"] for r in stored] == ["Refused"] and not credited,
		(reply.status_code, stored, credited),
	)
	reply = guest.post_json(
		f"{TUKTUK}.payment_validation", c2b_body(paybill, "UPGHTTP007", 150), forwarded_for=MPESA_ADDRESS
	)
	check(
		"token-less validation from M-Pesa's address: answered at the top level",
		reply.status_code == 200 and str(reply.json().get("ResultCode")) == "0",
		reply.text[:300],
	)

	if "UPGHTTP002" in refused:
		reply = manager.call(
			"tuktuk_management.api.upgrade.replay_refused_callback", callback=refused["UPGHTTP002"]
		)
		credited = manager.rows(
			"TukTuk Transaction", [["transaction_id", "=", "UPGHTTP002"]], ["name", "payout"]
		)
		held = (
			manager.rows("TukTuk Payout", [["name", "=", credited[0]["payout"]]], ["status"])
			if credited and credited[0]["payout"]
			else []
		)
		check(
			"a manager replays a refused payment: credited, payout held for M-Pesa's confirmation",
			reply.status_code == 200 and credited and held and held[0]["status"] == "On Hold",
			(reply.status_code, reply.text[:300], credited, held),
		)
		reply = guest.call(
			"tuktuk_management.api.upgrade.replay_refused_callback", callback=refused["UPGHTTP003"]
		)
		check("a guest cannot replay", reply.status_code in (401, 403), reply.status_code)

	# -- B2C results of payments the original sent --------------------------------------------------------
	petty = http["petty_cash"]
	result = {
		"Result": {
			"ResultType": 0,
			"ResultCode": 0,
			"ResultDesc": "The service request is processed successfully.",
			"OriginatorConversationID": "orig-in-flight",
			"ConversationID": petty["conversation_id"],
			"TransactionID": "TKP000002",
			"ResultParameters": {
				"ResultParameter": [
					{"Key": "TransactionAmount", "Value": 300},
					{"Key": "TransactionReceipt", "Value": "TKP000002"},
				]
			},
		}
	}
	reply = guest.post_json(f"{SENDPAY}.b2c_result", result, forwarded_for=MPESA_ADDRESS)
	check(
		"the original's B2C ResultURL still answers",
		reply.status_code == 200 and reply.json().get("ResultCode") == 0,
		reply.text[:300],
	)
	pc = manager.rows(
		"TukTuk Petty Cash", [["name", "=", petty["name"]]], ["payment_status", "mpesa_transaction_id"]
	)
	check(
		"... and completes the petty cash payment it was for",
		pc and pc[0]["payment_status"] == "Completed" and pc[0]["mpesa_transaction_id"] == "TKP000002",
		pc,
	)
	reply = guest.post_json(
		f"{SENDPAY}.b2c_timeout",
		{"Result": {"ConversationID": "AG_unknown", "ResultCode": 1}},
		forwarded_for=MPESA_ADDRESS,
	)
	check("the original's B2C QueueTimeOutURL still answers", reply.status_code == 200, reply.text[:300])
	reply = guest.post_json(f"{SENDPAY}.b2c_result", result, forwarded_for=ELSEWHERE)
	check(
		"a B2C result from elsewhere is refused but answered and kept",
		reply.status_code == 200,
		reply.text[:300],
	)
	return results
