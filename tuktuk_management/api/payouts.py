"""Whitelisted B2C payout endpoints: result and timeout callbacks, held payout release, C2B URL
registration (owned by the B2C engineer).

Re-exported by ``tuktuk_management.api.tuktuk`` so that the documented dotted paths
(``tuktuk_management.api.tuktuk.b2c_result`` and friends) keep working."""

import frappe

from tuktuk_management.callback_auth import authenticate_callback
from tuktuk_management.payouts import daraja, outbox, results

__all__ = [
	"b2c_result",
	"b2c_timeout",
	"transaction_status_result",
	"transaction_status_timeout",
	"release_held_payouts",
	"register_c2b_urls",
	"retry_payout",
]

MANAGER_ROLES = ("TukTuk Manager", "System Manager")
ACCEPTED = {"ResultCode": 0, "ResultDesc": "Accepted"}


def _body() -> str:
	"""The callback body exactly as received."""
	request = getattr(frappe.local, "request", None)
	return request.get_data(as_text=True) if request is not None else ""


def _arg(name) -> str:
	"""A query-string argument (form_dict ignores the query string when the body is JSON)."""
	request = getattr(frappe.local, "request", None)
	return (request.args.get(name) if request is not None else None) or ""


def _acknowledge() -> None:
	# Safaricom reads ResultCode/ResultDesc at the top level of the reply.
	frappe.local.response.update(ACCEPTED)


# -- M-Pesa callbacks (guest; authenticated by the secret in the URL and the optional IP allowlist) ---------


@frappe.whitelist(allow_guest=True, methods=["POST"])
def b2c_result(**kwargs):
	"""B2C Result: the payout is Paid (receipt recorded) or Failed."""
	authenticate_callback()
	results.handle_b2c_result(_body())
	_acknowledge()


@frappe.whitelist(allow_guest=True, methods=["POST"])
def b2c_timeout(**kwargs):
	"""B2C QueueTimeOutURL notice: the outcome is Unknown until a Transaction Status query settles it."""
	authenticate_callback()
	results.handle_b2c_timeout(_body())
	_acknowledge()


@frappe.whitelist(allow_guest=True, methods=["POST"])
def transaction_status_result(**kwargs):
	"""Transaction Status result for a payout in doubt: Paid, or re-queued when M-Pesa paid nothing."""
	authenticate_callback()
	results.handle_status_result(_body(), payout=_arg("payout"))
	_acknowledge()


@frappe.whitelist(allow_guest=True, methods=["POST"])
def transaction_status_timeout(**kwargs):
	authenticate_callback()
	results.handle_status_timeout(_body(), payout=_arg("payout"))
	_acknowledge()


# -- managers ----------------------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def release_held_payouts(payouts=None, driver=None):
	"""Queue On Hold payouts for sending (all, a JSON list of names, or one driver's)."""
	frappe.only_for(MANAGER_ROLES)
	if isinstance(payouts, str):
		payouts = frappe.parse_json(payouts) if payouts.strip().startswith("[") else [payouts]
	return outbox.release_held_payouts(payouts or None, driver=driver or None)


@frappe.whitelist(methods=["POST"])
def register_c2b_urls():
	"""Register this site's C2B confirmation/validation URLs with Safaricom."""
	frappe.only_for(MANAGER_ROLES)
	return daraja.register_c2b_urls()


@frappe.whitelist(methods=["POST"])
def retry_payout(payout):
	"""Send a Failed/Queued payout now, or check an in-doubt one now (never a blind resend)."""
	frappe.only_for(MANAGER_ROLES)
	return outbox.retry_payout(payout)
