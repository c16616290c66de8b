"""The original app's B2C callback URLs, kept.

The original tuktuk_management sent every B2C request (drivers' shares, bonuses, withdrawals, petty cash)
with ``.../api/method/tuktuk_management.api.sendpay.b2c_result`` as ResultURL and ``...b2c_timeout`` as
QueueTimeOutURL, without a token. Results of requests it sent before the upgrade still arrive here: they are
authenticated as the original's C2B URLs are (``api.door.receive``: M-Pesa's address; refused ones are kept
for review), stored in the inbox and applied by ``upgrade.original_results``. Our own B2C requests use
``tuktuk_management.api.payouts.*`` with the site's token."""

import frappe

from tuktuk_management.api import door
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings
from tuktuk_management.upgrade import original_results
from tuktuk_management.upgrade.original_callbacks import B2C_RESULT, B2C_TIMEOUT

ACCEPTED = {"ResultCode": 0, "ResultDesc": "Accepted"}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def b2c_result(**kwargs):
	"""B2C Result of a payment the original app sent."""
	received = door.receive(kwargs, get_settings(), original_url=B2C_RESULT)
	if received is None:  # refused: kept for review and answered by the door
		return
	original_results.handle_b2c_result(received)
	door.reply(ACCEPTED)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def b2c_timeout(**kwargs):
	"""B2C QueueTimeOutURL notice of a payment the original app sent."""
	received = door.receive(kwargs, get_settings(), original_url=B2C_TIMEOUT)
	if received is None:
		return
	original_results.handle_b2c_timeout(received)
	door.reply(ACCEPTED)
