"""The daily check of the ledger against M-Pesa's own record (Pull Transactions), against the simulator: a
payment whose confirmation never arrived and a credit M-Pesa never received are both reported (Error Log and
health), a matching day is quiet."""

import time

from payout_rig import PAYBILL


def settle(sandbox):
	assert sandbox.client.drain()
	time.sleep(0.2)


def test_the_daily_check_reports_what_the_ledger_and_mpesa_disagree_on(site, sandbox):
	import frappe

	from tuktuk_management import c2b, health, paybill_record
	from tuktuk_management.inbox import Received
	from tuktuk_management.payouts import daraja
	from tuktuk_management.tests.utils import account_of, c2b_payload, make_driver
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	frappe.db.set_single_value(
		"TukTuk Settings",
		{"b2c_enabled": 0, "daily_mpesa_record_check": 1, "mpesa_pull_nominated_number": "0722000000"},
	)
	frappe.db.commit()
	driver = make_driver()
	frappe.db.commit()
	account = account_of(driver)
	daraja.register_c2b_urls()
	assert paybill_record.register()["registered"]
	assert paybill_record.register()["reply"]["Response Status"] == "1001"  # again: harmless

	def pay(amount, **extra):
		body = {
			"ShortCode": PAYBILL,
			"CommandID": "CustomerPayBillOnline",
			"Amount": str(amount),
			"Msisdn": "254708374149",
			"BillRefNumber": account,
			**extra,
		}
		return daraja.post("/mpesa/c2b/v1/simulate", body)

	pay(100, TransID="RCK1DELIVR")  # confirmed and credited
	sandbox.client.script("no_confirmation", api="c2b")
	pay(250, TransID="RCK2NEVERC")  # paid to the paybill, its confirmation never arrives
	settle(sandbox)
	# A confirmation M-Pesa never sent, posted by someone holding the secret: credited by the app.
	forged = c2b_payload(account, "999", trans_id="RCK3FORGED", BusinessShortCode=PAYBILL)
	c2b.handle_confirmation(Received.of(forged), get_settings())
	frappe.db.rollback()
	assert frappe.db.exists("TukTuk Transaction", {"transaction_id": "RCK1DELIVR"})

	result = paybill_record.daily_check(now=frappe.utils.add_to_date(frappe.utils.now_datetime(), minutes=30))
	assert [r["receipt"] for r in result["missing_from_ledger"]] == ["RCK2NEVERC"], result
	assert "no confirmation arrived" in result["missing_from_ledger"][0]["inbox"]
	assert [r["receipt"] for r in result["not_on_mpesa_record"]] == ["RCK3FORGED"], result
	assert result["amount_differs"] == []
	log = frappe.get_all(
		"Error Log",
		filters={"method": paybill_record.DIFFERS_TITLE},
		fields=["error"],
		order_by="creation desc",
	)[0]
	assert "RCK2NEVERC" in log.error and "RCK3FORGED" in log.error
	[item] = health.check_mpesa_record(frappe.utils.now_datetime())
	assert item.status == health.FAIL
	print(f"[{site.backend}] M-Pesa record check: {result['mpesa']} on M-Pesa's record, 1 missing, 1 unknown")
