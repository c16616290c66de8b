"""The simulated Daraja gateway: a WSGI application holding one in-memory M-Pesa.

Daraja endpoints: OAuth, C2B register/simulate, B2C paymentrequest (v1, v3), Transaction Status query,
Pull Transactions register/query (the paybill's own record of the C2B payments it received).
Control endpoints under `/__sandbox/`: script outcomes, read the ledger of what was actually paid, reset,
configure (credentials, token lifetime, callback delay), expire tokens, wait for pending callbacks.
"""

import base64
import json
import re
import secrets
import threading
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import payloads
from .dispatcher import Dispatcher
from .scripts import ScriptError, Scripts

B2C_COMMANDS = ("BusinessPayment", "SalaryPayment", "PromotionPayment")
C2B_COMMANDS = ("CustomerPayBillOnline", "CustomerBuyGoodsOnline")
# Safaricom refuses to register callback URLs containing these words (any case).
FORBIDDEN_URL_WORDS = ("mpesa", "m-pesa", "safaricom", "exec", "cmd", "sql", "query")
MAX_B2C_AMOUNT = Decimal("250000")
# Pull Transactions: the longest window one query may ask for, and the rows one page returns.
PULL_MAX_WINDOW_HOURS = 48
PULL_PAGE_SIZE = 100
MIN_B2C_AMOUNT = Decimal("1")

DEFAULT_CONFIG = {
	"consumer_key": None,  # None: any Basic credentials are accepted
	"consumer_secret": None,
	"token_ttl": 3599,  # seconds a token lives; reported as expires_in
	"result_delay": 0.2,  # seconds between the synchronous reply and the asynchronous callback
	"reply_delay": 3.0,  # how long a "lost_reply" request waits before answering
	"initiator_name": None,  # None: any InitiatorName is accepted
	"initiator_password": None,  # set: SecurityCredential must decrypt (sandbox certificate) to it
	"utility_balance": "1000000.00",
	"c2b_org_balance": "0.00",
	"msisdn_style": "masked",  # how v2 C2B registrations see the payer: masked or hashed
	# Safaricom calls a registered ValidationURL only once it has enabled external validation for the
	# shortcode (off by default on a real paybill): False models a paybill without it (confirmations only).
	"c2b_external_validation": True,
}


def json_response(body, status=200):
	return Response(json.dumps(body), status=status, mimetype="application/json")


class DarajaError(Exception):
	def __init__(self, status, error_code, message):
		super().__init__(message)
		self.status, self.error_code, self.message = status, error_code, message

	def response(self):
		return json_response(payloads.error_body(self.error_code, self.message), self.status)


def bad_request(field):
	return DarajaError(400, "400.002.02", f"Bad Request - Invalid {field}")


class Sandbox:
	"""All the state of the simulated M-Pesa, behind one lock."""

	def __init__(self, **config):
		self.lock = threading.RLock()
		self.dispatcher = Dispatcher()
		self.scripts = Scripts()
		self._key = None
		self._cert_pem = None
		self.config = dict(DEFAULT_CONFIG)
		self.configure(config)
		self.reset()

	# -- state ----------------------------------------------------------------------------------
	def reset(self):
		with self.lock:
			self.tokens = {}  # token -> expiry (monotonic)
			self.registrations = {}  # shortcode -> {version, response_type, confirmation_url, validation_url}
			self.payments = []  # money that actually moved, in order
			self.attempts = []  # every accepted B2C request, paid or not
			self.status_queries = []
			self.c2b = []
			self.pull_registrations = {}  # shortcode -> {nominated_number, callback_url}
			self.stats = {"tokens_issued": 0, "auth_rejected": 0, "requests": {}}
			self.utility_balance = Decimal(str(self.config["utility_balance"]))
			self.c2b_balance = Decimal(str(self.config["c2b_org_balance"]))
		self.scripts.clear()
		self.dispatcher.reset()

	def configure(self, values: dict):
		unknown = set(values) - set(DEFAULT_CONFIG)
		if unknown:
			raise ValueError(f"unknown config keys: {sorted(unknown)}")
		with self.lock:
			self.config.update(values)
			if "utility_balance" in values:
				self.utility_balance = Decimal(str(values["utility_balance"]))

	def count(self, path):
		with self.lock:
			self.stats["requests"][path] = self.stats["requests"].get(path, 0) + 1

	# -- the initiator certificate ----------------------------------------------------------------
	def certificate_pem(self) -> str:
		"""A self-signed certificate standing in for Safaricom's: encrypt the initiator password with it."""
		with self.lock:
			if self._cert_pem is None:
				from datetime import timedelta

				from cryptography import x509
				from cryptography.hazmat.primitives import hashes, serialization
				from cryptography.hazmat.primitives.asymmetric import rsa
				from cryptography.x509.oid import NameOID

				self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
				name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "apisandbox.local")])
				now = datetime.utcnow()
				cert = (
					x509.CertificateBuilder()
					.subject_name(name)
					.issuer_name(name)
					.public_key(self._key.public_key())
					.serial_number(x509.random_serial_number())
					.not_valid_before(now - timedelta(days=1))
					.not_valid_after(now + timedelta(days=3650))
					.sign(self._key, hashes.SHA256())
				)
				self._cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
			return self._cert_pem

	def initiator_ok(self, name: str, credential: str) -> bool:
		expected_name = self.config["initiator_name"]
		if expected_name and name != expected_name:
			return False
		expected_password = self.config["initiator_password"]
		if not expected_password:
			return True
		from cryptography.hazmat.primitives.asymmetric import padding

		self.certificate_pem()
		try:
			plain = self._key.decrypt(base64.b64decode(credential), padding.PKCS1v15())
		except Exception:
			return False
		return plain.decode(errors="replace") == expected_password

	# -- OAuth ----------------------------------------------------------------------------------
	def issue_token(self, request) -> dict:
		if request.args.get("grant_type") != "client_credentials":
			raise DarajaError(400, "400.008.02", "Invalid grant type passed")
		auth = request.headers.get("Authorization", "")
		if not auth.startswith("Basic "):
			raise DarajaError(400, "400.008.01", "Invalid Authentication passed")
		try:
			key, _, secret = base64.b64decode(auth[6:].strip()).decode().partition(":")
		except Exception:
			raise DarajaError(400, "400.008.01", "Invalid Authentication passed") from None
		want_key, want_secret = self.config["consumer_key"], self.config["consumer_secret"]
		if not key or (want_key is not None and (key != want_key or secret != want_secret)):
			raise DarajaError(400, "400.008.01", "Invalid Authentication passed")
		token = secrets.token_urlsafe(21)[:28]
		ttl = int(self.config["token_ttl"])
		with self.lock:
			self.tokens[token] = time.monotonic() + ttl
			self.stats["tokens_issued"] += 1
		return {"access_token": token, "expires_in": str(ttl)}

	def require_token(self, request):
		auth = request.headers.get("Authorization", "")
		if not auth.startswith("Bearer "):
			with self.lock:
				self.stats["auth_rejected"] += 1
			raise DarajaError(401, "404.001.04", "Invalid Authentication Header")
		token = auth[7:].strip()
		with self.lock:
			expiry = self.tokens.get(token)
			if expiry is None or expiry <= time.monotonic():
				self.stats["auth_rejected"] += 1
				raise DarajaError(401, "404.001.03", "Invalid Access Token")

	def expire_tokens(self):
		with self.lock:
			self.tokens.clear()

	# -- C2B ------------------------------------------------------------------------------------
	def register_urls(self, body: dict, version: str) -> dict:
		shortcode = str(body.get("ShortCode") or "")
		if not re.fullmatch(r"\d{5,7}", shortcode):
			raise bad_request("ShortCode")
		if body.get("ResponseType") not in ("Completed", "Cancelled"):
			raise bad_request("ResponseType")
		urls = {}
		for field in ("ConfirmationURL", "ValidationURL"):
			url = body.get(field) or ""
			if field == "ConfirmationURL" and not url:
				raise bad_request(field)
			if url and (not valid_url(url) or any(w in url.lower() for w in FORBIDDEN_URL_WORDS)):
				raise bad_request(field)
			urls[field] = url
		with self.lock:
			self.registrations[shortcode] = {
				"version": version,
				"response_type": body["ResponseType"],
				"confirmation_url": urls["ConfirmationURL"],
				"validation_url": urls["ValidationURL"],
			}
		# Daraja's own spelling of the key.
		return {
			"OriginatorCoversationID": payloads.new_originator_conversation_id(),
			"ResponseCode": "0",
			"ResponseDescription": "Success",
		}

	def simulate_c2b(self, body: dict) -> dict:
		shortcode = str(body.get("ShortCode") or "")
		with self.lock:
			registration = self.registrations.get(shortcode)
		if registration is None:
			raise bad_request("ShortCode")
		if body.get("CommandID") not in C2B_COMMANDS:
			raise bad_request("CommandID")
		amount = parse_amount(body.get("Amount"))
		if amount is None or amount < 1:
			raise bad_request("Amount")
		msisdn = str(body.get("Msisdn") or "")
		if not re.fullmatch(r"254\d{9}", msisdn):
			raise bad_request("Msisdn")
		bill_ref = str(body.get("BillRefNumber") or "")
		if body.get("CommandID") == "CustomerPayBillOnline" and not bill_ref:
			raise bad_request("BillRefNumber")
		behaviour = self.scripts.take("c2b", phone=msisdn)
		# Sandbox extensions: a caller may fix the TransID/TransTime/names (replays, clock tests).
		trans_id = body.get("TransID") or payloads.new_receipt()
		trans_time = body.get("TransTime") or payloads.now_nairobi().strftime("%Y%m%d%H%M%S")
		with self.lock:
			self.c2b_balance += amount
			balance = self.c2b_balance
		payer = (
			msisdn
			if registration["version"] == "v1"
			else payloads.mask_msisdn(msisdn, self.config["msisdn_style"])
		)
		first, _, last = (body.get("FirstName") or "John Doe").partition(" ")
		payload = payloads.c2b_body(
			trans_id=trans_id,
			trans_time=trans_time,
			amount=amount,
			shortcode=shortcode,
			bill_ref=bill_ref,
			msisdn=payer,
			first_name=first,
			middle_name=body.get("MiddleName") or "",
			last_name=body.get("LastName") or last,
			org_balance=balance,
			command_id=body["CommandID"],
		)
		entry = {
			"trans_id": trans_id,
			"trans_time": trans_time,
			"command_id": body["CommandID"],
			"first_name": first,
			"amount": str(amount),
			"msisdn": msisdn,
			"bill_ref": bill_ref,
			"shortcode": shortcode,
			"validation": None,
			"confirmations": 0,
			"outcome": behaviour["outcome"],
		}
		with self.lock:
			self.c2b.append(entry)
		delay = float(behaviour.get("delay", self.config["result_delay"]))
		confirm_times = {"result": 1, "duplicate": 2, "none": 0}[behaviour["callback"]]

		def confirm(delay_now):
			for _ in range(confirm_times):
				entry["confirmations"] += 1
				self.dispatcher.schedule(
					registration["confirmation_url"], payload, delay_now, "c2b_confirmation", trans_id
				)

		if registration["validation_url"] and self.config["c2b_external_validation"]:

			def after_validation(record):
				entry["validation"] = record["status"], record["response"]
				accepted = validation_accepted(record)
				if accepted is None:  # unreachable: the registered ResponseType decides
					accepted = registration["response_type"] == "Completed"
				if accepted:
					confirm(0)

			self.dispatcher.schedule(
				registration["validation_url"],
				payload,
				delay,
				"c2b_validation",
				trans_id,
				on_done=after_validation,
			)
		else:
			confirm(delay)
		return {
			"OriginatorCoversationID": payloads.new_originator_conversation_id(),
			"ResponseCode": "0",
			"ResponseDescription": "Accept the service request successfully.",
		}

	# -- Pull Transactions (C2B reconciliation) ---------------------------------------------------
	def pull_register(self, body: dict) -> dict:
		shortcode = str(body.get("ShortCode") or "")
		if not re.fullmatch(r"\d{5,7}", shortcode):
			raise bad_request("ShortCode")
		if body.get("RequestType") != "Pull":
			raise bad_request("RequestType")
		if not re.fullmatch(r"(07\d{8}|2547\d{8})", str(body.get("NominatedNumber") or "")):
			raise bad_request("NominatedNumber")
		if not valid_url(body.get("CallBackURL")):
			raise bad_request("CallBackURL")
		with self.lock:
			known = shortcode in self.pull_registrations
			if not known:
				self.pull_registrations[shortcode] = {
					"nominated_number": body["NominatedNumber"],
					"callback_url": body["CallBackURL"],
				}
		# Daraja's own keys, spaces included.
		return {
			"ResponseRefID": payloads.new_originator_conversation_id(),
			"Response Status": "1001" if known else "1000",
			"ShortCode": shortcode,
			"Response Description": "ShortCode already Registered"
			if known
			else "Short code Registered Successfully",
		}

	def pull_query(self, body: dict) -> dict:
		shortcode = str(body.get("ShortCode") or "")
		with self.lock:
			registered = shortcode in self.pull_registrations
		if not registered:
			raise bad_request("ShortCode")
		start, end = pull_time(body.get("StartDate")), pull_time(body.get("EndDate"))
		if start is None:
			raise bad_request("StartDate")
		if end is None or end < start or (end - start).total_seconds() > PULL_MAX_WINDOW_HOURS * 3600:
			raise bad_request("EndDate")
		try:
			offset = int(str(body.get("OffSetValue", "0")))
		except ValueError:
			raise bad_request("OffSetValue") from None
		if offset < 0:
			raise bad_request("OffSetValue")
		with self.lock:
			rows = [
				c
				for c in self.c2b
				if c["shortcode"] == shortcode
				and start <= datetime.strptime(c["trans_time"], "%Y%m%d%H%M%S") <= end
			]
		rows.sort(key=lambda c: (c["trans_time"], c["trans_id"]))
		page = [payloads.pull_row(c) for c in rows[offset : offset + PULL_PAGE_SIZE]]
		if not page:
			return {
				"ResponseRefID": payloads.new_originator_conversation_id(),
				"ResponseCode": "1001",
				"ResponseMessage": "No transactions available for the selected time period",
				"Response": [[]],
			}
		return {
			"ResponseRefID": payloads.new_originator_conversation_id(),
			"ResponseCode": "1000",
			"ResponseMessage": "Success",
			"Response": [page],
		}

	# -- B2C ------------------------------------------------------------------------------------
	def b2c_payment(self, body: dict, version: str):
		"""Validate, decide the outcome, move the money (or not), schedule the callback; return the reply."""
		validate_b2c(body, version)
		amount = parse_amount(body["Amount"])
		phone = str(body["PartyB"])
		ocid = str(body.get("OriginatorConversationID") or "") if version == "v3" else ""
		ocid = ocid or payloads.new_originator_conversation_id()
		behaviour = self.scripts.take("b2c", phone=phone, originator_conversation_id=ocid)
		if behaviour.get("sync_error"):
			raise DarajaError(500, "500.003.1001", "Internal Server Error")
		conversation_id = payloads.new_conversation_id()
		result_outcome = behaviour["result"]
		paid = bool(behaviour["paid"])
		if not self.initiator_ok(str(body["InitiatorName"]), str(body["SecurityCredential"])):
			result_outcome, paid = "invalid_initiator", False
		receipt = payloads.new_receipt()
		completed_at = payloads.now_nairobi()
		receiver = payloads.public_name(phone, behaviour.get("name"))
		with self.lock:
			if paid and self.utility_balance < amount:
				result_outcome, paid = "insufficient_funds", False
			if paid:
				self.utility_balance -= amount
			balance = self.utility_balance
			attempt = {
				"originator_conversation_id": ocid,
				"conversation_id": conversation_id,
				"phone": phone,
				"amount": str(amount),
				"outcome": behaviour["outcome"],
				"result": result_outcome,
				"paid": paid,
				"api_version": version,
				"at": completed_at.isoformat(),
			}
			self.attempts.append(attempt)
			if paid:
				self.payments.append(
					{
						"originator_conversation_id": ocid,
						"conversation_id": conversation_id,
						"transaction_id": receipt,
						"phone": phone,
						"receiver": receiver,
						"amount": str(amount),
						"party_a": str(body["PartyA"]),
						"command_id": body["CommandID"],
						"api_version": version,
						"completed_at": completed_at.isoformat(),
					}
				)
		delay = float(behaviour.get("delay", self.config["result_delay"]))
		callback = behaviour["callback"]
		if callback in ("result", "duplicate"):
			result = payloads.b2c_result(
				outcome=result_outcome or "success",
				originator_conversation_id=ocid,
				conversation_id=conversation_id,
				transaction_id=receipt,
				amount=amount,
				receiver=receiver,
				completed_at=completed_at,
				utility_funds=balance,
				queue_timeout_url=body["QueueTimeOutURL"],
			)
			for _ in range(2 if callback == "duplicate" else 1):
				self.dispatcher.schedule(body["ResultURL"], result, delay, "b2c_result", ocid)
		elif callback == "timeout":
			notice = payloads.timeout_notice(originator_conversation_id=ocid, conversation_id=conversation_id)
			self.dispatcher.schedule(body["QueueTimeOutURL"], notice, delay, "b2c_timeout", ocid)
		reply_delay = float(behaviour.get("reply_delay", 0) or 0)
		if reply_delay:
			time.sleep(reply_delay)
		return {
			"ConversationID": conversation_id,
			"OriginatorConversationID": ocid,
			"ResponseCode": "0",
			"ResponseDescription": "Accept the service request successfully.",
		}

	# -- Transaction Status -----------------------------------------------------------------------
	def transaction_status(self, body: dict):
		for field in ("Initiator", "SecurityCredential", "PartyA", "IdentifierType", "Remarks"):
			if not str(body.get(field) or "").strip():
				raise bad_request(field)
		if body.get("CommandID") != "TransactionStatusQuery":
			raise bad_request("CommandID")
		for field in ("ResultURL", "QueueTimeOutURL"):
			if not valid_url(body.get(field)):
				raise bad_request(field)
		transaction_id = str(body.get("TransactionID") or "")
		original = str(body.get("OriginalConversationID") or body.get("OriginatorConversationID") or "")
		if not transaction_id and not original:
			raise bad_request("TransactionID")
		query_ocid = payloads.new_originator_conversation_id()
		query_cid = payloads.new_conversation_id()
		with self.lock:
			matches = [
				p
				for p in self.payments
				if (transaction_id and p["transaction_id"] == transaction_id)
				or (not transaction_id and p["originator_conversation_id"] == original)
			]
			self.status_queries.append(
				{
					"transaction_id": transaction_id,
					"original_conversation_id": original,
					"found": bool(matches),
				}
			)
		behaviour = self.scripts.take("status", originator_conversation_id=original)
		delay = float(behaviour.get("delay", self.config["result_delay"]))
		if behaviour["callback"] == "result":
			result = payloads.status_result(
				payment=matches[-1] if matches else None,
				originator_conversation_id=query_ocid,
				conversation_id=query_cid,
				shortcode=body["PartyA"],
				occasion=str(body.get("Occasion") or body.get("Occassion") or ""),
			)
			self.dispatcher.schedule(
				body["ResultURL"], result, delay, "status_result", original or transaction_id
			)
		elif behaviour["callback"] == "timeout":
			notice = payloads.timeout_notice(originator_conversation_id=query_ocid, conversation_id=query_cid)
			self.dispatcher.schedule(
				body["QueueTimeOutURL"], notice, delay, "status_timeout", original or transaction_id
			)
		return {
			"OriginatorConversationID": query_ocid,
			"ConversationID": query_cid,
			"ResponseCode": "0",
			"ResponseDescription": "Accept the service request successfully.",
		}

	# -- views for tests --------------------------------------------------------------------------
	def ledger(self, originator_conversation_id=None) -> dict:
		with self.lock:
			payments = [dict(p) for p in self.payments]
			attempts = [dict(a) for a in self.attempts]
			if originator_conversation_id:
				payments = [
					p for p in payments if p["originator_conversation_id"] == originator_conversation_id
				]
				attempts = [
					a for a in attempts if a["originator_conversation_id"] == originator_conversation_id
				]
			by_originator = {}
			for p in payments:
				by_originator[p["originator_conversation_id"]] = (
					by_originator.get(p["originator_conversation_id"], 0) + 1
				)
			return {
				"count": len(payments),
				"total": str(sum((Decimal(p["amount"]) for p in payments), Decimal("0"))),
				"payments": payments,
				"by_originator": by_originator,
				"attempts": attempts,
				"status_queries": [dict(q) for q in self.status_queries],
				"c2b": [dict(c) for c in self.c2b],
				"registrations": {k: dict(v) for k, v in self.registrations.items()},
				"pull_registrations": {k: dict(v) for k, v in self.pull_registrations.items()},
				"utility_balance": str(self.utility_balance),
				"stats": json.loads(json.dumps(self.stats)),
			}


def pull_time(value):
	"""A Pull Transactions StartDate/EndDate ("2019-07-31 20:35:21" or "2019-07-31 20:35", Nairobi time)."""
	for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
		try:
			return datetime.strptime(str(value or "").strip(), fmt)
		except ValueError:
			continue
	return None


def valid_url(url) -> bool:
	return isinstance(url, str) and re.match(r"^https?://[^\s/]+", url) is not None


def parse_amount(value):
	if isinstance(value, bool) or value is None or value == "":
		return None
	try:
		amount = Decimal(str(value))
	except InvalidOperation:
		return None
	if not amount.is_finite():
		return None
	return amount


def validation_accepted(record):
	"""True/False from the validation reply's ResultCode; None when the receiver could not be reached."""
	if record["status"] is None or record["status"] >= 500:
		return None
	try:
		code = json.loads(record["response"] or "{}").get("ResultCode")
	except (ValueError, AttributeError):
		return None
	return str(code) == "0"


def validate_b2c(body: dict, version: str):
	"""Daraja's gateway checks, in the order its error messages come back."""
	for field in ("InitiatorName", "SecurityCredential"):
		if not isinstance(body.get(field), str) or not body[field].strip():
			raise bad_request(field)
	if version == "v3":
		ocid = body.get("OriginatorConversationID")
		if not isinstance(ocid, str) or not ocid.strip() or len(ocid) > 100:
			raise bad_request("OriginatorConversationID")
	if body.get("CommandID") not in B2C_COMMANDS:
		raise bad_request("CommandID")
	amount = parse_amount(body.get("Amount"))
	if (
		amount is None
		or amount < MIN_B2C_AMOUNT
		or amount > MAX_B2C_AMOUNT
		or amount != amount.to_integral_value()
	):
		raise bad_request("Amount")
	if not re.fullmatch(r"\d{5,7}", str(body.get("PartyA") or "")):
		raise bad_request("PartyA")
	if not re.fullmatch(r"254[17]\d{8}", str(body.get("PartyB") or "")):
		raise bad_request("PartyB")
	remarks = body.get("Remarks")
	if not isinstance(remarks, str) or not (2 <= len(remarks) <= 100):
		raise bad_request("Remarks")
	for field in ("QueueTimeOutURL", "ResultURL"):
		if not valid_url(body.get(field)):
			raise bad_request(field)
	occasion = body.get("Occassion", body.get("Occasion", ""))
	if occasion is not None and (not isinstance(occasion, str) or len(occasion) > 100):
		raise bad_request("Occassion")


class DarajaApp:
	"""WSGI entry point."""

	def __init__(self, sandbox: Sandbox | None = None):
		self.sandbox = sandbox or Sandbox()
		self.url_map = Map(
			[
				Rule("/oauth/v1/generate", endpoint="oauth", methods=["GET"]),
				Rule("/mpesa/c2b/<any(v1,v2):version>/registerurl", endpoint="register", methods=["POST"]),
				Rule("/mpesa/c2b/<any(v1,v2):version>/simulate", endpoint="simulate", methods=["POST"]),
				Rule("/mpesa/b2c/<any(v1,v3):version>/paymentrequest", endpoint="b2c", methods=["POST"]),
				Rule("/mpesa/transactionstatus/v1/query", endpoint="status", methods=["POST"]),
				Rule("/pulltransactions/v1/register", endpoint="pull_register", methods=["POST"]),
				Rule("/pulltransactions/v1/query", endpoint="pull_query", methods=["POST"]),
				Rule("/__sandbox/script", endpoint="script", methods=["GET", "POST"]),
				Rule("/__sandbox/ledger", endpoint="ledger", methods=["GET"]),
				Rule("/__sandbox/reset", endpoint="reset", methods=["POST"]),
				Rule("/__sandbox/config", endpoint="config", methods=["GET", "POST"]),
				Rule("/__sandbox/expire_tokens", endpoint="expire_tokens", methods=["POST"]),
				Rule("/__sandbox/drain", endpoint="drain", methods=["POST"]),
				Rule("/__sandbox/callbacks", endpoint="callbacks", methods=["GET"]),
				Rule("/__sandbox/certificate", endpoint="certificate", methods=["GET"]),
				Rule("/__sandbox/health", endpoint="health", methods=["GET"]),
			]
		)

	def __call__(self, environ, start_response):
		request = Request(environ)
		try:
			response = self.dispatch(request)
		except DarajaError as exc:
			response = exc.response()
		except NotFound:
			response = json_response(payloads.error_body("404.001.01", "Resource not found"), 404)
		except HTTPException as exc:
			response = json_response(payloads.error_body(f"{exc.code}.000.00", exc.name), exc.code)
		return response(environ, start_response)

	def dispatch(self, request):
		adapter = self.url_map.bind_to_environ(request.environ)
		endpoint, args = adapter.match()
		sb = self.sandbox
		sb.count(request.path)
		if endpoint == "oauth":
			return json_response(sb.issue_token(request))
		if endpoint in ("pull_register", "pull_query"):
			sb.require_token(request)
			body = read_json(request)
			return json_response(
				sb.pull_register(body) if endpoint == "pull_register" else sb.pull_query(body)
			)
		if endpoint in ("register", "simulate", "b2c", "status"):
			sb.require_token(request)
			body = read_json(request)
			if endpoint == "register":
				return json_response(sb.register_urls(body, args["version"]))
			if endpoint == "simulate":
				return json_response(sb.simulate_c2b(body))
			if endpoint == "b2c":
				return json_response(sb.b2c_payment(body, args["version"]))
			return json_response(sb.transaction_status(body))
		return self.control(endpoint, request)

	def control(self, endpoint, request):
		sb = self.sandbox
		if endpoint == "health":
			return json_response({"ok": True})
		if endpoint == "script":
			if request.method == "GET":
				return json_response({"scripts": sb.scripts.list()})
			body = read_json(request, allow_list=True)
			entries = body if isinstance(body, list) else body.get("entries", [body])
			try:
				added = [sb.scripts.add(e) for e in entries]
			except (ScriptError, TypeError, AttributeError) as exc:
				return json_response({"error": str(exc)}, 400)
			return json_response({"added": added})
		if endpoint == "ledger":
			return json_response(sb.ledger(request.args.get("originator_conversation_id")))
		if endpoint == "reset":
			sb.reset()
			return json_response({"ok": True})
		if endpoint == "config":
			if request.method == "POST":
				try:
					sb.configure(read_json(request))
				except ValueError as exc:
					return json_response({"error": str(exc)}, 400)
			return json_response({**sb.config, "utility_balance": str(sb.utility_balance)})
		if endpoint == "expire_tokens":
			sb.expire_tokens()
			return json_response({"ok": True})
		if endpoint == "drain":
			timeout = float(request.args.get("timeout", 30))
			done = sb.dispatcher.drain(timeout)
			return json_response({"drained": done, "pending": sb.dispatcher.pending()}, 200 if done else 504)
		if endpoint == "callbacks":
			return json_response(
				{"deliveries": list(sb.dispatcher.deliveries), "pending": sb.dispatcher.pending()}
			)
		if endpoint == "certificate":
			return Response(sb.certificate_pem(), mimetype="application/x-pem-file")
		raise NotFound()


def read_json(request, allow_list=False):
	try:
		body = json.loads(request.get_data(as_text=True) or "null")
	except ValueError:
		raise DarajaError(400, "400.002.02", "Bad Request - Invalid JSON") from None
	if not isinstance(body, dict) and not (allow_list and isinstance(body, list)):
		raise DarajaError(400, "400.002.02", "Bad Request - Invalid JSON")
	return body


def create_app(**config) -> DarajaApp:
	return DarajaApp(Sandbox(**config))
