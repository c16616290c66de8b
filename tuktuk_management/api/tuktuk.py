"""The stable dotted paths Safaricom and Desk call: a thin whitelisted facade over the domain modules.

Replies to Safaricom carry ResultCode/ResultDesc at the TOP LEVEL of the JSON body (a plain return value
would be nested under "message"), so the callback endpoints update frappe.response and return None.
Safaricom refuses callback URLs containing "mpesa"/"safaricom", so the URLs we register are the
``payment_*`` aliases, which behave exactly like the ``mpesa_*`` names."""

import json

import frappe

from tuktuk_management import c2b


def _raw_body(kwargs: dict) -> str:
	"""The callback body exactly as received; outside HTTP (console, tests), the arguments as JSON."""
	request = getattr(frappe.local, "request", None)
	if request is not None:
		return request.get_data(as_text=True)
	return json.dumps({k: v for k, v in kwargs.items() if k not in ("cmd", "token")}, default=str)


def _reply(reply: dict) -> None:
	frappe.local.response.update(reply)


# -- C2B callbacks (guest: authenticated by the secret token in the registered URL) ------------------------


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mpesa_validation(**kwargs):
	_reply(c2b.handle_validation(_raw_body(kwargs)))


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mpesa_confirmation(**kwargs):
	_reply(c2b.handle_confirmation(_raw_body(kwargs)))


@frappe.whitelist(allow_guest=True, methods=["POST"])
def payment_validation(**kwargs):
	"""Alias of mpesa_validation registered with Safaricom."""
	_reply(c2b.handle_validation(_raw_body(kwargs)))


@frappe.whitelist(allow_guest=True, methods=["POST"])
def payment_confirmation(**kwargs):
	"""Alias of mpesa_confirmation registered with Safaricom."""
	_reply(c2b.handle_confirmation(_raw_body(kwargs)))


# -- managers ------------------------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def process_uncaptured_payment(
	driver, tuktuk, transaction_id, customer_phone, amount, action_type="send_share"
):
	"""Assign an uncaptured payment to a driver: ``send_share`` (split and payout) or ``deposit_share``
	(the whole amount to the balance)."""
	return c2b.process_uncaptured_payment(driver, tuktuk, transaction_id, customer_phone, amount, action_type)


@frappe.whitelist(methods=["POST"])
def add_missed_transaction(
	transaction_id, amount, customer_phone=None, tuktuk=None, account=None, trans_time=None, driver=None
):
	"""Enter a payment whose callback never arrived; processed exactly like a confirmation callback."""
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
def replay_callback(callback):
	"""Process again a C2B confirmation whose crediting Failed, from the body stored in the inbox."""
	return c2b.replay_callback(callback)


# Reconciliation, statement and payout endpoints live with their owners and keep these dotted paths.
from tuktuk_management.api.payouts import *  # noqa: E402
from tuktuk_management.api.reconciliation import *  # noqa: E402
