"""A small Daraja (Safaricom M-Pesa API) client on `requests`.

- Base URL from TukTuk Settings: sandbox, production, or a custom URL (the local simulator).
- OAuth token cached until shortly before it expires: per process, and shared between workers through the
  database (encrypted in `__Auth`, like a Password field) with a single-flight refresh, so N workers do not
  fetch N tokens. A token Daraja rejects is replaced once (by one worker) and the request retried once.
- `SecurityCredential`: the stored pre-encrypted credential, or the initiator password encrypted with
  Safaricom's certificate (RSA PKCS#1 v1.5, base64).
- Every call has a timeout; a timeout or a dropped connection raises `DarajaOutcomeUnknown`, because the
  request may have been executed.
"""

import base64
import contextlib
import json
import random
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import frappe
import requests
from frappe import _
from frappe.utils.password import decrypt, set_encrypted_password

from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
	SETTINGS,
	get_callback_secret,
	get_settings,
)

BASE_URLS = {"sandbox": "https://sandbox.safaricom.co.ke", "production": "https://api.safaricom.co.ke"}
TOKEN_PATH = "/oauth/v1/generate?grant_type=client_credentials"
B2C_PATH = "/mpesa/b2c/v3/paymentrequest"
STATUS_PATH = "/mpesa/transactionstatus/v1/query"
C2B_REGISTER_PATH = "/mpesa/c2b/{version}/registerurl"
# Daraja's answer to an expired or unknown token (and to a missing header).
TOKEN_REJECTED_CODES = ("404.001.03", "404.001.04")
# Where the shared token lives: an __Auth row of the settings single, encrypted like a Password field.
TOKEN_AUTH_FIELD = "mpesa_access_token"
# Safaricom refuses callback URLs containing these words, in any case.
FORBIDDEN_URL_WORDS = ("mpesa", "m-pesa", "safaricom", "exe", "exec", "cmd", "sql", "query")
CALLBACK_MODULE = "tuktuk_management.api"

# site -> (token, expires_at epoch seconds)
_process_tokens: dict[str, tuple[str, float]] = {}


class DarajaError(Exception):
	"""Daraja answered and refused the request: nothing was executed."""

	def __init__(self, message, status=None, error_code=None, body=None, oauth=False):
		super().__init__(message)
		self.status, self.error_code, self.body, self.oauth = status, error_code, body, oauth


class DarajaOutcomeUnknown(Exception):
	"""The request may or may not have been executed (timeout, dropped connection, gateway 5xx)."""


class DarajaNotSent(Exception):
	"""The request certainly did not reach Daraja (no connection could be made)."""


@dataclass(frozen=True)
class DarajaConfig:
	base_url: str
	consumer_key: str
	consumer_secret: str
	initiator_name: str
	b2c_shortcode: str
	paybill: str
	command_id: str
	timeout: float
	site_url: str


def base_url_for(environment: str, custom_url: str = "") -> str:
	if environment == "custom":
		if not custom_url:
			frappe.throw(
				_("Set the M-Pesa base URL for the custom environment"), title=_("M-Pesa not configured")
			)
		return custom_url.rstrip("/")
	return BASE_URLS.get(environment or "sandbox", BASE_URLS["sandbox"])


def get_config(settings=None) -> DarajaConfig:
	settings = settings or get_settings()
	return DarajaConfig(
		base_url=base_url_for(settings.environment, settings.custom_base_url),
		consumer_key=(settings.mpesa_consumer_key or "").strip(),
		consumer_secret=settings.secret("mpesa_consumer_secret"),
		initiator_name=(settings.mpesa_initiator_name or "").strip(),
		b2c_shortcode=settings.payout_shortcode,
		paybill=settings.paybill,
		command_id=settings.command_id,
		timeout=settings.http_timeout,
		site_url=settings.public_url,
	)


# -- credentials ----------------------------------------------------------------------------------------
def encrypt_initiator_password(password: str, certificate_pem: str) -> str:
	"""The SecurityCredential: `password` encrypted with the certificate's RSA key (PKCS#1 v1.5), base64."""
	from cryptography import x509
	from cryptography.hazmat.primitives.asymmetric import padding

	certificate = x509.load_pem_x509_certificate(certificate_pem.strip().encode())
	encrypted = certificate.public_key().encrypt(password.encode(), padding.PKCS1v15())
	return base64.b64encode(encrypted).decode()


def security_credential() -> str:
	"""The stored pre-encrypted credential if there is one, else the initiator password encrypted with the
	configured certificate."""
	settings = get_settings()
	stored = settings.secret("mpesa_security_credential")
	if stored:
		return stored
	password = settings.secret("mpesa_initiator_password")
	certificate = settings.mpesa_certificate or ""
	if not password or not certificate.strip():
		frappe.throw(
			_(
				"Set either the M-Pesa security credential, or the initiator password and Safaricom's certificate"
			),
			title=_("M-Pesa not configured"),
		)
	return encrypt_initiator_password(password, certificate)


# -- OAuth --------------------------------------------------------------------------------------------
def _refresh_margin(lifetime: float) -> float:
	"""Renew this long before expiry: a minute, or a tenth of a short lifetime."""
	return min(60.0, lifetime / 10)


def _site() -> str:
	return getattr(frappe.local, "site", None) or ""


def _locked_shared_state() -> dict:
	"""The shared token record, read under its row lock (held until the caller commits)."""
	rows = frappe.db.sql(
		"select `password` from `__Auth` where `doctype`=%s and `name`=%s and `fieldname`=%s for update",
		(SETTINGS, SETTINGS, TOKEN_AUTH_FIELD),
	)
	if not rows or not rows[0][0]:
		return {}
	try:
		state = json.loads(decrypt(rows[0][0]))
	except Exception:
		return {}
	return state if isinstance(state, dict) else {}


def _write_shared_state(state: dict) -> None:
	set_encrypted_password(SETTINGS, SETTINGS, json.dumps(state), TOKEN_AUTH_FIELD)


def get_access_token(config: DarajaConfig | None = None, stale_before: float | None = None) -> str:
	"""A valid access token: from this process, else from the database, else fetched from Daraja.

	Single flight across workers: the shared record (an encrypted `__Auth` row) is read under its row lock;
	the worker that finds it stale takes a short lease, releases the lock, fetches, and publishes the token;
	the others wait for it instead of fetching their own. `stale_before`: Daraja refused the token we used
	in a request sent at that moment, so only a token issued after it will do.
	Commits (called only at boundaries: never inside a unit of work that must stay uncommitted)."""
	config = config or get_config()
	site = _site()
	if stale_before is None:
		cached = _process_tokens.get(site)
		if cached and cached[1] > time.time():
			return cached[0]
	_process_tokens.pop(site, None)
	lease = config.timeout + 5
	give_up_waiting = time.time() + lease + 5
	# Boundary: each look at the shared record is its own short transaction.
	frappe.db.commit()
	while True:
		try:
			state = _locked_shared_state()
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			# Two workers locking the not-yet-written record take gap locks and then both insert it: InnoDB
			# picks one as the deadlock victim. Nothing was sent; look again.
			frappe.db.rollback()
			time.sleep(random.uniform(0.01, 0.1))
			continue
		now = time.time()
		token = state.get("token")
		fresh = stale_before is None or float(state.get("issued_at") or 0) > stale_before
		if token and fresh and float(state.get("renew_at") or 0) > now:
			frappe.db.commit()
			_process_tokens[site] = (token, float(state["renew_at"]))
			return token
		if float(state.get("lease_until") or 0) > now and now < give_up_waiting:
			frappe.db.commit()  # another worker is fetching: release the lock and wait for its token
			time.sleep(0.1)
			continue
		try:
			_write_shared_state({"lease_until": now + lease})
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			frappe.db.rollback()  # the same race on the first insert of the record: look again
			time.sleep(random.uniform(0.01, 0.1))
			continue
		# Boundary: the lease is ours; the HTTP call happens without holding the row lock.
		frappe.db.commit()
		break
	issued_at = time.time()
	try:
		token, lifetime = fetch_token(config)
	except Exception:
		frappe.db.rollback()
		_locked_shared_state()
		_write_shared_state({})
		# Boundary: release the lease so the next worker tries at once.
		frappe.db.commit()
		raise
	renew_at = time.time() + lifetime - _refresh_margin(lifetime)
	_locked_shared_state()
	_write_shared_state({"token": token, "renew_at": renew_at, "issued_at": issued_at})
	# Boundary: share the fresh token with every other worker of this site.
	frappe.db.commit()
	_process_tokens[site] = (token, renew_at)
	return token


def fetch_token(config: DarajaConfig) -> tuple[str, float]:
	if not config.consumer_key or not config.consumer_secret:
		frappe.throw(_("Set the M-Pesa consumer key and secret"), title=_("M-Pesa not configured"))
	try:
		response = requests.get(
			config.base_url + TOKEN_PATH,
			auth=(config.consumer_key, config.consumer_secret),
			timeout=config.timeout,
		)
	except requests.RequestException as exc:
		# No payment request was made yet, so nothing can have been executed.
		raise DarajaNotSent(f"OAuth request failed: {exc}") from exc
	body = _json(response)
	if response.status_code != 200 or not body.get("access_token"):
		raise DarajaError(
			"OAuth failed: {} {}".format(
				response.status_code, body.get("errorMessage") or response.text[:200]
			),
			status=response.status_code,
			error_code=body.get("errorCode"),
			body=body,
			oauth=True,
		)
	try:
		lifetime = float(body.get("expires_in") or 3599)
	except ValueError:
		lifetime = 3599.0
	return body["access_token"], lifetime


@contextlib.contextmanager
def nothing_sent_on_error():
	"""Turn any failure while preparing a request (settings missing, certificate unreadable) into
	DarajaNotSent: it happened before anything reached M-Pesa. Daraja's own errors pass through."""
	try:
		yield
	except (DarajaError, DarajaNotSent, DarajaOutcomeUnknown):
		raise
	except Exception as exc:
		raise DarajaNotSent(f"M-Pesa request not prepared: {exc}") from exc


# -- requests -----------------------------------------------------------------------------------------
def _json(response) -> dict:
	try:
		body = response.json()
	except ValueError:
		return {}
	return body if isinstance(body, dict) else {}


def post(path: str, body: dict, config: DarajaConfig | None = None) -> dict:
	"""POST `body` to a Daraja API with a bearer token; on a rejected token refresh once and retry once.

	Returns the JSON reply of a 2xx answer. Raises DarajaError (refused, nothing executed),
	DarajaOutcomeUnknown (maybe executed) or DarajaNotSent (certainly not executed)."""
	config = config or get_config()
	with nothing_sent_on_error():
		token = get_access_token(config)
	for attempt in (1, 2):
		sent_at = time.time()
		try:
			response = requests.post(
				config.base_url + path,
				json=body,
				headers={"Authorization": f"Bearer {token}"},
				timeout=config.timeout,
			)
		except requests.ConnectTimeout as exc:
			raise DarajaNotSent(f"could not connect to M-Pesa: {exc}") from exc
		except requests.ConnectionError as exc:
			if _never_connected(exc):
				raise DarajaNotSent(f"could not connect to M-Pesa: {exc}") from exc
			raise DarajaOutcomeUnknown(f"connection lost: {exc}") from exc
		except requests.Timeout as exc:
			raise DarajaOutcomeUnknown(f"no reply within {config.timeout:g}s") from exc
		reply = _json(response)
		if (
			response.status_code in (401, 404)
			and reply.get("errorCode") in TOKEN_REJECTED_CODES
			and attempt == 1
		):
			with nothing_sent_on_error():
				token = get_access_token(config, stale_before=sent_at)
			continue
		if 200 <= response.status_code < 300:
			return reply
		message = "M-Pesa {} {}: {}".format(
			response.status_code,
			reply.get("errorCode") or "",
			reply.get("errorMessage") or response.text[:300],
		)
		if response.status_code >= 500:
			raise DarajaOutcomeUnknown(message)
		raise DarajaError(
			message,
			status=response.status_code,
			error_code=reply.get("errorCode"),
			body=reply,
			oauth=response.status_code == 401,
		)
	raise DarajaError("M-Pesa rejected a freshly issued access token", status=401, oauth=True)


def _never_connected(exc) -> bool:
	text = repr(exc)
	return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text


# -- callback URLs ------------------------------------------------------------------------------------
def callback_url(method: str, config: DarajaConfig | None = None, module: str = "payouts", **params) -> str:
	"""The public URL of one of our guest callbacks, carrying the site's callback secret."""
	config = config or get_config()
	if not config.site_url:
		frappe.throw(
			_("Set the site URL in TukTuk Settings (the public address M-Pesa calls back)"),
			title=_("M-Pesa not configured"),
		)
	secret = get_callback_secret()
	if not secret:
		frappe.throw(_("The callback secret is not set"), title=_("M-Pesa not configured"))
	query = urlencode({"token": secret, **params})
	url = f"{config.site_url}/api/method/{CALLBACK_MODULE}.{module}.{method}?{query}"
	check_callback_url(url)
	return url


def check_callback_url(url: str) -> None:
	lowered = url.lower()
	bad = [word for word in FORBIDDEN_URL_WORDS if word in lowered]
	if bad:
		frappe.throw(
			_(
				"M-Pesa refuses callback URLs containing {0}: {1}. Change the site URL or regenerate the callback secret."
			).format(", ".join(repr(w) for w in bad), url.split("?")[0]),
			title=_("Invalid callback URL"),
		)


# -- APIs ---------------------------------------------------------------------------------------------
def b2c_payment_request(
	*,
	originator_conversation_id: str,
	phone: str,
	amount: int,
	remarks: str,
	occasion: str = "",
	config: DarajaConfig | None = None,
) -> dict:
	"""Send one B2C payment (v3, so the OriginatorConversationID is ours). Returns Daraja's sync reply."""
	with nothing_sent_on_error():
		config = config or get_config()
		body = {
			"OriginatorConversationID": originator_conversation_id,
			"InitiatorName": config.initiator_name,
			"SecurityCredential": security_credential(),
			"CommandID": config.command_id,
			"Amount": int(amount),
			"PartyA": config.b2c_shortcode,
			"PartyB": phone,
			"Remarks": remarks[:100],
			"QueueTimeOutURL": callback_url("b2c_timeout", config),
			"ResultURL": callback_url("b2c_result", config),
			"Occassion": occasion[:100],  # sic: Daraja's spelling
		}
	return post(B2C_PATH, body, config)


def transaction_status_query(
	*, original_conversation_id: str, payout: str, config: DarajaConfig | None = None
) -> dict:
	"""Ask M-Pesa what became of a payment we sent; the answer comes to transaction_status_result."""
	with nothing_sent_on_error():
		config = config or get_config()
		body = {
			"Initiator": config.initiator_name,
			"SecurityCredential": security_credential(),
			"CommandID": "TransactionStatusQuery",
			"TransactionID": "",
			"OriginalConversationID": original_conversation_id,
			"PartyA": config.b2c_shortcode,
			"IdentifierType": "4",
			"ResultURL": callback_url("transaction_status_result", config, payout=payout),
			"QueueTimeOutURL": callback_url("transaction_status_timeout", config, payout=payout),
			"Remarks": "Payout status check",
			"Occasion": payout,
		}
	return post(STATUS_PATH, body, config)


def register_c2b_urls(config: DarajaConfig | None = None) -> dict:
	"""Register our C2B confirmation/validation URLs for the paybill (version and ResponseType from settings).

	The registered names are the aliases payment_confirmation/payment_validation: Safaricom refuses URLs
	containing "mpesa"."""
	config = config or get_config()
	settings = get_settings()
	if not config.paybill:
		frappe.throw(
			_("Set the M-Pesa paybill (shortcode) in TukTuk Settings"), title=_("M-Pesa not configured")
		)
	body = {
		"ShortCode": config.paybill,
		"ResponseType": settings.response_type,
		"ConfirmationURL": callback_url("payment_confirmation", config, module="tuktuk"),
		"ValidationURL": callback_url("payment_validation", config, module="tuktuk"),
	}
	version = settings.register_version
	try:
		reply = post(C2B_REGISTER_PATH.format(version=version), body, config)
	except (DarajaError, DarajaOutcomeUnknown, DarajaNotSent) as exc:
		frappe.throw(_("Registering the C2B URLs failed: {0}").format(exc), title=_("M-Pesa error"))
	return {
		"version": version,
		"confirmation_url": body["ConfirmationURL"].split("?")[0],
		"validation_url": body["ValidationURL"].split("?")[0],
		"response": reply,
	}
