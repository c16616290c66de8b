"""[post_model_sync] Payments the original received but never credited wait in our inbox for a manager.

The original kept a confirmation to an account no tuktuk had as a Failed Transaction Log (stage
Confirmation) and credited nothing; it never marked one Processed. Each such log whose TransID is not in the
ledger becomes a TukTuk Callback, status Uncaptured, with a Daraja-shaped body rebuilt from the log (marked
``"_original_app"``), so a manager assigns it to a driver with Process Uncaptured Payment like any other.
(Payments the original dropped without a trace, to a tuktuk with no driver or a sunny ID, left only an
Error Log without the amount: find them on the M-Pesa statement and enter them with Add Missed Transaction.)"""

import frappe

from tuktuk_management import inbox
from tuktuk_management.c2b import inbox_fields
from tuktuk_management.inbox import Received
from tuktuk_management.patches.v2_0.original_app import SETTINGS, is_original_site, report, table_exists

LOG = "Failed Transaction Log"


def execute():
	if not is_original_site() or not table_exists(LOG):
		return
	paybill = frappe.db.get_single_value(SETTINGS, "mpesa_paybill")
	moved = []
	for log in frappe.db.sql(
		f"""select name, transaction_id, customer_phone, amount, transaction_time, account_number
		from `tab{LOG}` where failure_stage='Confirmation' order by creation""",
		as_dict=True,
	):
		if frappe.db.exists("TukTuk Transaction", {"transaction_id": log.transaction_id}):
			continue
		if frappe.db.exists(
			inbox.CALLBACK, {"trans_id": log.transaction_id, "callback_type": "C2B Confirmation"}
		):
			continue
		body = {
			"TransactionType": "Pay Bill",
			"TransID": log.transaction_id,
			"TransTime": log.transaction_time.strftime("%Y%m%d%H%M%S") if log.transaction_time else None,
			"TransAmount": f"{log.amount:.2f}",
			"BusinessShortCode": paybill,
			"BillRefNumber": log.account_number,
			"MSISDN": log.customer_phone,
			"_original_app": f"{LOG} {log.name}",
		}
		name = inbox.store_callback(
			"C2B Confirmation",
			Received.of(body),
			status="Uncaptured",
			error=f"Received by the original app for account {log.account_number}, which no tuktuk had; not credited ({LOG} {log.name})",
			**inbox_fields(body),
		)
		moved.append({"log": log.name, "trans_id": log.transaction_id, "callback": name})
	report("uncredited_payments", moved)
