"""The one door for HTTP: everything the app takes from a request, and the checks made on it.

Only ``tuktuk_management.api`` reads the request (``frappe.request``, ``form_dict``, the caller's address,
query arguments such as ``?token=`` and ``?payout=``), checks roles and authenticates callbacks; the domain
modules below take typed values (``inbox.Received``, settings, names) and never touch the request
(tests/architecture/test_boundaries.py holds every module to that).

Daraja does not sign its callbacks, so the URLs we register carry a per-site secret (``?token=...``). A
callback is accepted only if the token matches (constant-time compare) and the caller's address is in the
optional allowlist; the BusinessShortCode is checked by the C2B handler once the body is read. A site
upgraded from the original app may also accept token-less callbacks on the original's URLs (``receive``).

Outside a request (``frappe.call("tuktuk_management.api.tuktuk.<fn>", ...)`` from the console, tests) a
callback's body is the keyword arguments and the token one of them."""

import hmac
from dataclasses import replace

import frappe
from frappe import _

from tuktuk_management import redact, refused
from tuktuk_management.inbox import Received
from tuktuk_management.roles import MANAGER_ROLES
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import ip_allowed
from tuktuk_management.upgrade import original_callbacks

# Arguments that travel in the callback URL's query string, never in the body.
QUERY_ARGUMENTS = ("cmd", "token", "payout", "callback")


def receive(kwargs: dict, settings, original_url: str | None = None) -> Received | None:
	"""The callback in the current request, read and parsed once, after authenticating it: a forged call
	raises frappe.PermissionError (HTTP 403) before anything is stored.

	``original_url`` (the callback type) marks an endpoint whose dotted path the original tuktuk_management
	registered with Safaricom WITHOUT a token. On a site that accepts those URLs (TukTuk Settings, an upgraded
	site) a token-less call there is judged by ``upgrade.original_callbacks`` instead: accepted (M-Pesa's
	address, this paybill, a well-formed body; the Received says so in ``auth``), or refused, kept in the
	inbox for review and answered here, in which case this returns None and the endpoint has nothing to do."""
	request = getattr(frappe.local, "request", None)
	if request is not None:
		received = Received.parse(
			request.get_data(as_text=True),
			remote_addr=client_address(request, settings),
			forwarded_for=_forwarded_for(request),
		)
		token = request.args.get("token")  # form_dict ignores the query string when the body is JSON
	else:
		received = Received.of({k: v for k, v in kwargs.items() if k not in QUERY_ARGUMENTS})
		token = kwargs.get("token") or (frappe.local.form_dict or {}).get("token")
	if not token and original_url and settings.original_urls_accepted:
		verdict = original_callbacks.judge(received, original_url, settings)
		if verdict.accepted:
			return received.authenticated(original_callbacks.MPESA_ADDRESS)
		reply(verdict.reply, http_status=verdict.http_status)
		return None
	try:
		authenticate_callback(settings, token, received.remote_addr)
	except frappe.PermissionError as refusal:
		# Kept for review (bounded: refused.keep) before the 403 rolls the request back.
		_keep_refused(received, original_url, str(refusal))
		raise
	return received.authenticated(original_callbacks.TOKEN)


# The inbox type of a refused callback, by the endpoint it was sent to.
_TYPE_BY_ENDPOINT = {
	"mpesa_confirmation": "C2B Confirmation",
	"payment_confirmation": "C2B Confirmation",
	"mpesa_validation": "C2B Validation",
	"payment_validation": "C2B Validation",
	"b2c_result": "B2C Result",
	"b2c_timeout": "B2C Timeout",
}


def _keep_refused(received: Received, callback_type: str | None, reason: str) -> None:
	from tuktuk_management import c2b

	endpoint = str((frappe.local.form_dict or {}).get("cmd") or _request_path()).rsplit(".", 1)[-1]
	callback_type = callback_type or _TYPE_BY_ENDPOINT.get(endpoint, "Status Result")
	is_payment = False
	fields = {}
	if callback_type.startswith("C2B") and isinstance(received.data, dict):
		fields = c2b.inbox_fields(received.data)
		try:
			c2b.parse_c2b_payload(received.data, require_trans_id=callback_type == "C2B Confirmation")
			is_payment = True
		except c2b.MalformedPayload:
			pass
	secrets = redact.site_secrets()
	if any(secret and secret in received.text for secret in secrets):
		# A caller that put the secret in the body: kept without it.
		received = replace(received, text=redact.scrub(received.text, secrets))
	refused.keep(received, callback_type, f"Refused (403): {reason}", is_payment=is_payment, **fields)


def _request_path() -> str:
	request = getattr(frappe.local, "request", None)
	return getattr(request, "path", "") or ""


def query_argument(kwargs: dict, name: str) -> str:
	"""A query-string argument of the callback URL (outside a request: the keyword argument)."""
	request = getattr(frappe.local, "request", None)
	value = request.args.get(name) if request is not None else kwargs.get(name)
	return str(value or "")


def client_address(request, settings) -> str | None:
	"""The caller's address. ``X-Forwarded-For`` is believed only when the request comes from one of the
	site's trusted proxies (TukTuk Settings), and read from the right: each trusted proxy appends the address
	it saw (bench's nginx: ``$proxy_add_x_forwarded_for``), so the caller is the last address no trusted proxy
	added. (Frappe's own ``request_ip`` takes the LEFTMOST entry, which whoever calls may write.)"""
	peer = getattr(request, "remote_addr", None)
	trusted = settings.trusted_proxy_networks
	if not trusted or not ip_allowed(peer, trusted):
		return peer
	hops = [hop.strip() for hop in (request.headers.get("X-Forwarded-For") or "").split(",") if hop.strip()]
	for hop in reversed(hops):
		if not ip_allowed(hop, trusted):
			return hop
	return hops[0] if hops else peer


def _forwarded_for(request) -> str | None:
	"""What the request said about its path, for the inbox: the X-Forwarded-For header and the peer."""
	header = request.headers.get("X-Forwarded-For")
	peer = getattr(request, "remote_addr", None)
	return f"X-Forwarded-For: {header}; peer: {peer}" if header else None


def authenticate_callback(settings, token: str | None, remote_addr: str | None) -> None:
	"""Raise frappe.PermissionError (HTTP 403) unless ``token`` is the site's callback secret and, when an
	allowlist is set, ``remote_addr`` is in it."""
	secret = settings.secret("callback_secret")
	# A site without a secret accepts no callback at all: fail closed. The reason names which check failed,
	# never the token (it is kept with the refused body and shown in Desk).
	if not secret or not token or not hmac.compare_digest(str(token).encode(), secret.encode()):
		reason = (
			_("this site has no callback secret")
			if not secret
			else _("no callback token")
			if not token
			else _("wrong callback token")
		)
		frappe.throw(
			_("Callback not authorised ({0})").format(reason),
			frappe.PermissionError,
			title=_("Not Authorised"),
		)
	networks = settings.callback_networks
	if networks and not ip_allowed(remote_addr, networks):
		frappe.throw(
			_("Callback not authorised from {0}").format(remote_addr or "unknown address"),
			frappe.PermissionError,
			title=_("Not Authorised"),
		)


def reply(body: dict, http_status: int | None = None) -> None:
	"""Answer at the TOP LEVEL of the JSON body: Safaricom reads ResultCode/ResultDesc there (a plain return
	value would be nested under "message"). The endpoint then returns None."""
	frappe.local.response.update(body)
	if http_status:
		frappe.local.response["http_status_code"] = http_status


def require_manager() -> None:
	"""Raise frappe.PermissionError unless the session user is a manager (DESIGN invariant 5).

	Calls frappe.only_for as Frappe apps do, and checks the roles itself as well, because Frappe's only_for
	returns early when ``flags.in_test`` is set and the check must hold under tests too."""
	frappe.only_for(list(MANAGER_ROLES))
	if frappe.session.user != "Administrator" and set(MANAGER_ROLES).isdisjoint(frappe.get_roles()):
		frappe.throw(
			_("This action is only allowed for {0}").format(", ".join(MANAGER_ROLES)),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


def keep_audit_trail() -> None:
	"""Commit this request even when it is a GET: a detected discrepancy leaves an Error Log and a
	reconciliation record, and a GET is otherwise rolled back (frappe.app.sync_database)."""
	frappe.local.flags.commit = True
