"""M-Pesa's own record of the paybill's payments (Pull Transactions): registering the paybill (managers)
and the notifications Safaricom sends to the registered URL. The check itself: ``tuktuk_management.paybill_record``."""

import frappe

from tuktuk_management import paybill_record
from tuktuk_management.api import door
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

__all__ = ["check_mpesa_record", "pull_notification", "register_pull_transactions"]


@frappe.whitelist(methods=["POST"])
def register_pull_transactions():
	"""Register the paybill for Pull Transactions (once; the daily check needs it)."""
	door.require_manager()
	return paybill_record.register()


@frappe.whitelist(methods=["POST"])
def check_mpesa_record():
	"""Run the daily check now (a manager's check after an outage)."""
	door.require_manager()
	door.keep_audit_trail()
	return paybill_record.daily_check()


@frappe.whitelist(allow_guest=True, methods=["POST"])
def pull_notification(**kwargs):
	"""Safaricom's notifications to the registered Pull Transactions URL: authenticated like every callback
	(a refused one is kept by the door) and acknowledged; they carry nothing the check needs."""
	door.receive(kwargs, get_settings())
	door.reply({"ResultCode": 0, "ResultDesc": "Accepted"})
