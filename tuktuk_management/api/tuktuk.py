"""The stable dotted paths Safaricom and Desk call: a thin whitelisted facade over the domain modules.

Each endpoint reads the request through the door (``api.door``: body read and parsed once, callback
authenticated, role checked), calls one domain function with typed values, and answers. Replies to
Safaricom carry ResultCode/ResultDesc at the TOP LEVEL of the JSON body, so the callback endpoints update
frappe.response and return None. Safaricom refuses callback URLs containing "mpesa"/"safaricom", so the
URLs we register are the ``payment_*`` aliases, which behave exactly like the ``mpesa_*`` names."""

import frappe

from tuktuk_management import c2b, ledger
from tuktuk_management.api import arguments, door
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings


def _validate(kwargs: dict) -> None:
	settings = get_settings()
	# The original app registered these same paths without a token: see door.receive.
	received = door.receive(kwargs, settings, original_url="C2B Validation")
	if received is None:  # a refused token-less call: kept for review and answered by the door
		return
	door.reply(c2b.handle_validation(received, settings))


def _confirm(kwargs: dict) -> None:
	settings = get_settings()
	received = door.receive(kwargs, settings, original_url="C2B Confirmation")
	if received is None:
		return
	reply = c2b.handle_confirmation(received, settings)
	# A body that cannot be a payment is kept (Rejected) and answered 400; anything else is acknowledged.
	door.reply(reply, http_status=400 if reply.get("status") == "Rejected" else None)


# -- C2B callbacks (guest: authenticated by the secret token in the registered URL) ------------------------


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mpesa_validation(**kwargs):
	_validate(kwargs)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mpesa_confirmation(**kwargs):
	_confirm(kwargs)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def payment_validation(**kwargs):
	"""Alias of mpesa_validation registered with Safaricom."""
	_validate(kwargs)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def payment_confirmation(**kwargs):
	"""Alias of mpesa_confirmation registered with Safaricom."""
	_confirm(kwargs)


# -- managers ------------------------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def process_uncaptured_payment(
	driver=None, tuktuk=None, transaction_id=None, customer_phone=None, amount=None, action_type="send_share"
):
	"""Assign an uncaptured payment to a driver: ``send_share`` (split and payout) or ``deposit_share``
	(the whole amount to the balance)."""
	door.require_manager()
	return c2b.process_uncaptured_payment(driver, tuktuk, transaction_id, customer_phone, amount, action_type)


@frappe.whitelist(methods=["POST"])
def add_missed_transaction(
	transaction_id=None,
	amount=None,
	customer_phone=None,
	tuktuk=None,
	account=None,
	trans_time=None,
	driver=None,
):
	"""Enter a payment whose callback never arrived; processed exactly like a confirmation callback."""
	door.require_manager()
	return c2b.add_missed_transaction(
		transaction_id,
		amount,
		customer_phone=customer_phone,
		tuktuk=tuktuk,
		account=account,
		trans_time=trans_time,
		driver=driver,
	)


@frappe.whitelist(methods=["POST"])
def replay_callback(callback=None):
	"""Process again a C2B confirmation whose crediting Failed, from the body stored in the inbox."""
	door.require_manager()
	return c2b.replay_callback(arguments.existing("TukTuk Callback", callback, "Callback"))


@frappe.whitelist(methods=["POST"])
def add_adjustment(driver=None, amount=None, reason=None):
	"""Correct a driver's balance by ``amount`` (+/-) with a new Adjustment ledger row: ledger rows are never
	edited or deleted, so this is the one way to put a balance right by hand, and it leaves a trace."""
	door.require_manager()
	return ledger.add_adjustment(
		arguments.existing("TukTuk Driver", driver, "Driver"),
		arguments.signed_amount(amount, ledger.MAX_ADJUSTMENT),
		arguments.required_text("Reason", reason, 500),
		frappe.session.user,
	)


# Reconciliation, statement and payout endpoints live with their owners and keep these dotted paths.
from tuktuk_management.api.payouts import *  # noqa: E402
from tuktuk_management.api.reconciliation import *  # noqa: E402
