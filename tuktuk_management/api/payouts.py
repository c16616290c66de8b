"""Whitelisted B2C payout endpoints: result and timeout callbacks, held payout release, C2B URL
registration (owned by the B2C engineer).

Re-exported by ``tuktuk_management.api.tuktuk`` so that the documented dotted paths
(``tuktuk_management.api.tuktuk.b2c_result`` and friends) keep working."""

import frappe

from tuktuk_management.api import arguments, door
from tuktuk_management.payouts import daraja, outbox, results
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

__all__ = [
	"b2c_result",
	"b2c_timeout",
	"transaction_status_result",
	"transaction_status_timeout",
	"release_held_payouts",
	"register_c2b_urls",
	"retry_payout",
]

ACCEPTED = {"ResultCode": 0, "ResultDesc": "Accepted"}


def _receive(kwargs):
	return door.receive(kwargs, get_settings())


# -- M-Pesa callbacks (guest; authenticated by the secret in the URL and the optional IP allowlist) ---------


@frappe.whitelist(allow_guest=True, methods=["POST"])
def b2c_result(**kwargs):
	"""B2C Result: the payout is Paid (receipt recorded) or Failed."""
	results.handle_b2c_result(_receive(kwargs))
	door.reply(ACCEPTED)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def b2c_timeout(**kwargs):
	"""B2C QueueTimeOutURL notice: the outcome is Unknown until a Transaction Status query settles it."""
	results.handle_b2c_timeout(_receive(kwargs))
	door.reply(ACCEPTED)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def transaction_status_result(**kwargs):
	"""Transaction Status result for a payout in doubt: Paid, or re-queued when M-Pesa paid nothing."""
	results.handle_status_result(_receive(kwargs), payout=door.query_argument(kwargs, "payout"))
	door.reply(ACCEPTED)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def transaction_status_timeout(**kwargs):
	results.handle_status_timeout(_receive(kwargs), payout=door.query_argument(kwargs, "payout"))
	door.reply(ACCEPTED)


# -- managers ----------------------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def release_held_payouts(payouts=None, driver=None):
	"""Queue On Hold payouts for sending (all, a JSON list of names, or one driver's)."""
	door.require_manager()
	return outbox.release_held_payouts(
		arguments.names(payouts, "Payouts") or None,
		driver=arguments.existing("TukTuk Driver", driver, "Driver") if driver else None,
	)


@frappe.whitelist(methods=["POST"])
def register_c2b_urls():
	"""Register this site's C2B confirmation/validation URLs with Safaricom."""
	door.require_manager()
	return daraja.register_c2b_urls()


@frappe.whitelist(methods=["POST"])
def retry_payout(payout=None):
	"""Send a Failed/Queued payout now, or check an in-doubt one now (never a blind resend)."""
	door.require_manager()
	return outbox.retry_payout(arguments.existing("TukTuk Payout", payout, "Payout"))
