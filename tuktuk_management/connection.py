"""Can this site talk to Daraja? One OAuth token request, explained in the operator's words.

``check_connection()`` is what TukTuk Settings' **Test connection** button and the health check run: it asks
Daraja for an OAuth token with the saved consumer key and secret and turns every way that can go wrong into a
``Verdict`` that says what to fix: a wrong key or secret (or keys of the other environment: Daraja answers
both the same way), a base URL that is not Daraja's, no network (DNS, refused, unreachable, timeout), M-Pesa
not configured. Nothing is paid or registered; the token obtained is shared with the payout workers the same
way every token is (``daraja.get_access_token``), so testing never leaves them holding a replaced token.
"""

import dataclasses
import time

import frappe
import requests
from frappe import _

from tuktuk_management.payouts import daraja
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

# The OAuth errors Daraja gives for credentials it does not accept (its Authorization API documents
# 400.008.01 "Invalid Authentication passed" and 400.008.02 "Invalid grant type passed").
BAD_CREDENTIAL_CODES = ("400.008.01",)
# A connection test never waits longer than this, whatever http_timeout_seconds says.
MAX_TEST_TIMEOUT = 15.0


@dataclasses.dataclass(frozen=True)
class Verdict:
	ok: bool
	problem: str  # "", "not_configured", "credentials", "base_url", "network", "timeout", "daraja"
	message: str
	base_url: str = ""
	environment: str = ""
	seconds: float = 0.0

	def as_dict(self) -> dict:
		return dataclasses.asdict(self)


def check_connection(settings=None, fresh: bool = True, timeout: float | None = None) -> Verdict:
	"""Ask Daraja for an OAuth token with the saved settings and say what is wrong, if anything.

	``fresh``: fetch a new token even if a valid one is cached (the button); the health check passes False and
	accepts a cached token, fetching only when it is stale. Commits (the shared token record)."""
	settings = settings or get_settings()
	environment = settings.environment
	try:
		config = daraja.get_config(settings)
	except frappe.ValidationError as exc:
		return Verdict(False, "not_configured", _strip(exc), "", environment)
	limit = min(float(timeout or config.timeout), MAX_TEST_TIMEOUT)
	config = dataclasses.replace(config, timeout=limit)
	where = _("{0} ({1})").format(config.base_url, environment)
	if not config.consumer_key or not config.consumer_secret:
		return Verdict(
			False,
			"not_configured",
			_("M-Pesa is not configured: set the consumer key and secret (Daraja portal, My Apps, your app)"),
			config.base_url,
			environment,
		)
	started = time.monotonic()
	try:
		daraja.get_access_token(config, stale_before=time.time() if fresh else None)
	except daraja.DarajaError as exc:
		return _verdict_for_refusal(exc, config, environment, where, time.monotonic() - started)
	except daraja.DarajaNotSent as exc:
		if "timed out" in str(exc).lower() or "timeout" in type(exc.__cause__).__name__.lower():
			return _no_answer(exc, config, environment, where, time.monotonic() - started)
		return Verdict(
			False,
			"network",
			_(
				"No network path to Daraja at {0}: {1}. Check DNS, the firewall and outbound HTTPS from this server."
			).format(where, _reason(exc)),
			config.base_url,
			environment,
			time.monotonic() - started,
		)
	except (daraja.DarajaOutcomeUnknown, requests.RequestException) as exc:
		return _no_answer(exc, config, environment, where, time.monotonic() - started)
	except frappe.ValidationError as exc:
		return Verdict(False, "not_configured", _strip(exc), config.base_url, environment)
	seconds = time.monotonic() - started
	return Verdict(
		True,
		"",
		_("Daraja at {0} issued an access token for this consumer key ({1:.1f} s).").format(where, seconds),
		config.base_url,
		environment,
		seconds,
	)


def _verdict_for_refusal(exc, config, environment, where, seconds) -> Verdict:
	status, code = exc.status, exc.error_code or ""
	if code in BAD_CREDENTIAL_CODES or status in (400, 401) and code.startswith("400.008"):
		other = "production" if environment == "sandbox" else "sandbox"
		hint = (
			_(
				"the consumer key or secret is wrong, or they belong to a {0} app (keys of the sandbox and of production are different)"
			).format(other)
			if environment in ("sandbox", "production")
			else _("the consumer key or secret is wrong for this Daraja")
		)
		return Verdict(
			False,
			"credentials",
			_("Daraja at {0} refused the credentials ({1} {2}): {3}.").format(
				where, status, code or "", hint
			),
			config.base_url,
			environment,
			seconds,
		)
	if status in (404, 405) or not exc.body:
		return Verdict(
			False,
			"base_url",
			_(
				"{0} does not answer like Daraja's OAuth API (HTTP {1}): check the M-Pesa environment and, for custom, the base URL."
			).format(where, status),
			config.base_url,
			environment,
			seconds,
		)
	return Verdict(
		False,
		"daraja",
		_("Daraja at {0} refused the token request: {1}").format(where, exc),
		config.base_url,
		environment,
		seconds,
	)


def _no_answer(exc, config, environment, where, seconds) -> Verdict:
	return Verdict(
		False,
		"timeout",
		_("Daraja at {0} did not answer within {1:g} s ({2}): the network or Daraja is slow or down.").format(
			where, config.timeout, _reason(exc)
		),
		config.base_url,
		environment,
		seconds,
	)


def _reason(exc) -> str:
	"""The useful end of a requests/urllib3 error chain (refused, name not resolved, timed out)."""
	text = str(exc)
	for marker, said in (
		("Name or service not known", "the host name does not resolve"),
		("nodename nor servname", "the host name does not resolve"),
		("Temporary failure in name resolution", "the host name does not resolve (DNS)"),
		("NameResolutionError", "the host name does not resolve"),
		("Connection refused", "connection refused"),
		("Network is unreachable", "network unreachable"),
		("No route to host", "no route to host"),
		("timed out", "timed out"),
	):
		if marker in text:
			return said
	return text[:200]


def _strip(exc) -> str:
	return str(exc)
