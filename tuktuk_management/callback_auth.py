"""Authentication of M-Pesa callbacks.

Daraja does not sign its callbacks, so the URLs we register carry a per-site secret (``?token=...``). A
callback is accepted only if the token matches (constant-time compare), the caller's address is in the
optional allowlist, and (checked by the C2B handler once the body is parsed) the BusinessShortCode is ours.
"""

import hmac
import ipaddress

import frappe
from frappe import _

from tuktuk_management.inbox import request_remote_addr
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
	get_callback_secret,
	get_settings,
)


def request_token() -> str | None:
	"""The ``token`` query argument of the current request. Frappe's form_dict ignores the query string when
	the body is JSON, so this reads ``frappe.request.args`` directly."""
	request = getattr(frappe.local, "request", None)
	if request is not None:
		return request.args.get("token")
	return (frappe.local.form_dict or {}).get("token")


def authenticate_callback(token: str | None = None, remote_addr: str | None = None, settings=None) -> None:
	"""Raise frappe.PermissionError (HTTP 403) unless the current callback is authentic.

	``token`` and ``remote_addr`` default to the current request's."""
	settings = settings or get_settings()
	token = request_token() if token is None else token
	secret = get_callback_secret()
	# A site without a secret accepts no callback at all: fail closed.
	if not secret or not token or not hmac.compare_digest(str(token).encode(), secret.encode()):
		frappe.throw(_("Callback not authorised"), frappe.PermissionError, title=_("Not Authorised"))
	if settings.callback_networks:
		addr = remote_addr if remote_addr is not None else request_remote_addr()
		if not ip_allowed(addr, settings.callback_networks):
			frappe.throw(
				_("Callback not authorised from {0}").format(addr or "unknown address"),
				frappe.PermissionError,
				title=_("Not Authorised"),
			)


def ip_allowed(addr: str | None, networks) -> bool:
	try:
		ip = ipaddress.ip_address((addr or "").strip())
	except ValueError:
		return False
	return any(ip in network for network in networks if network.version == ip.version)


def check_shortcode(shortcode, settings=None) -> None:
	"""Raise frappe.PermissionError when a paybill is configured and the callback names another shortcode."""
	settings = settings or get_settings()
	expected = settings.paybill
	if expected and str(shortcode or "").strip() != expected:
		frappe.throw(
			_("BusinessShortCode {0} is not this site's paybill").format(shortcode or "(missing)"),
			frappe.PermissionError,
			title=_("Not Authorised"),
		)
