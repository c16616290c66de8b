"""Endpoints of the upgrade from the original app (docs/upgrading.md): the M-Pesa check of payments credited
from token-less callbacks (its Transaction Status results come here, on our own token URLs), and a manager's
replay of a refused callback."""

import frappe

from tuktuk_management.api import arguments, door
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings
from tuktuk_management.upgrade import original_callbacks, verification

ACCEPTED = {"ResultCode": 0, "ResultDesc": "Accepted"}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def verification_result(**kwargs):
	"""Transaction Status result of a payment check (``?callback=`` names the payment's inbox row)."""
	received = door.receive(kwargs, get_settings())
	verification.handle_result(received, door.query_argument(kwargs, "callback"))
	door.reply(ACCEPTED)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def verification_timeout(**kwargs):
	received = door.receive(kwargs, get_settings())
	verification.handle_timeout(received, door.query_argument(kwargs, "callback"))
	door.reply(ACCEPTED)


@frappe.whitelist(methods=["POST"])
def replay_refused_callback(callback=None):
	"""Credit a refused C2B confirmation a manager has reviewed; its payout waits for M-Pesa's confirmation."""
	door.require_manager()
	return original_callbacks.replay_refused(arguments.existing("TukTuk Callback", callback, "Callback"))
