"""The one door for HTTP: everything the app takes from a request, and the checks made on it.

Only ``tuktuk_management.api`` reads the request (``frappe.request``, ``form_dict``, the caller's address,
query arguments such as ``?token=`` and ``?payout=``), checks roles and authenticates callbacks; the domain
modules below take typed values (``inbox.Received``, settings, names) and never touch the request
(tests/architecture/test_boundaries.py holds every module to that).

Daraja does not sign its callbacks, so the URLs we register carry a per-site secret (``?token=...``). A
callback is accepted only if the token matches (constant-time compare) and the caller's address is in the
optional allowlist; the BusinessShortCode is checked by the C2B handler once the body is read.

Outside a request (``frappe.call("tuktuk_management.api.tuktuk.<fn>", ...)`` from the console, tests) a
callback's body is the keyword arguments and the token one of them."""

import hmac
import ipaddress

import frappe
from frappe import _

from tuktuk_management.inbox import Received
from tuktuk_management.roles import MANAGER_ROLES

# Arguments that travel in the callback URL's query string, never in the body.
QUERY_ARGUMENTS = ("cmd", "token", "payout")


def receive(kwargs: dict, settings) -> Received:
	"""The callback in the current request, read and parsed once, after authenticating it: a forged call
	raises frappe.PermissionError (HTTP 403) before anything is stored."""
	request = getattr(frappe.local, "request", None)
	if request is not None:
		received = Received.parse(request.get_data(as_text=True), remote_addr=_remote_addr(request))
		token = request.args.get("token")  # form_dict ignores the query string when the body is JSON
	else:
		received = Received.of({k: v for k, v in kwargs.items() if k not in QUERY_ARGUMENTS})
		token = kwargs.get("token") or (frappe.local.form_dict or {}).get("token")
	authenticate_callback(settings, token, received.remote_addr)
	return received


def query_argument(kwargs: dict, name: str) -> str:
	"""A query-string argument of the callback URL (outside a request: the keyword argument)."""
	request = getattr(frappe.local, "request", None)
	value = request.args.get(name) if request is not None else kwargs.get(name)
	return str(value or "")


def _remote_addr(request) -> str | None:
	"""The caller's address as Frappe resolved it for this request."""
	return getattr(frappe.local, "request_ip", None) or getattr(request, "remote_addr", None)


def authenticate_callback(settings, token: str | None, remote_addr: str | None) -> None:
	"""Raise frappe.PermissionError (HTTP 403) unless ``token`` is the site's callback secret and, when an
	allowlist is set, ``remote_addr`` is in it."""
	secret = settings.secret("callback_secret")
	# A site without a secret accepts no callback at all: fail closed.
	if not secret or not token or not hmac.compare_digest(str(token).encode(), secret.encode()):
		frappe.throw(_("Callback not authorised"), frappe.PermissionError, title=_("Not Authorised"))
	networks = settings.callback_networks
	if networks and not ip_allowed(remote_addr, networks):
		frappe.throw(
			_("Callback not authorised from {0}").format(remote_addr or "unknown address"),
			frappe.PermissionError,
			title=_("Not Authorised"),
		)


def ip_allowed(addr: str | None, networks) -> bool:
	try:
		ip = ipaddress.ip_address((addr or "").strip())
	except ValueError:
		return False
	return any(ip in network for network in networks if network.version == ip.version)


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
