"""The optional check before large payouts, end to end against the simulator: with TukTuk Settings
``verify_payouts_above`` set, a real customer payment's large share is paid once M-Pesa's Transaction Status
query confirms the receipt; a confirmation M-Pesa never sent (posted by someone holding the secret) is
credited but its payout stays On Hold, and the simulator pays nothing."""

import time

import requests
from payout_rig import INBOX, LEDGER, PAYBILL, PAYMENTS_REPORT, PAYOUT


def wait_for(read, expected, timeout=30):
	deadline = time.monotonic() + timeout
	while True:
		value = read()
		if value == expected or time.monotonic() > deadline:
			assert value == expected, f"{value!r}, expected {expected!r}"
			return value
		time.sleep(0.1)


def test_a_large_share_waits_for_mpesa_and_a_forged_one_never_leaves(site, sandbox):
	import frappe

	from tuktuk_management.payouts import daraja
	from tuktuk_management.tests.utils import account_of, c2b_payload, callback_token, make_driver

	frappe.db.set_single_value("TukTuk Settings", "verify_payouts_above", 100)
	frappe.db.commit()
	driver = make_driver(fare_percentage=50, daily_target=10_000_000, target_sharing_override="Disable")
	frappe.db.commit()
	daraja.register_c2b_urls()

	def fresh_value(doctype, filters, field):
		frappe.db.rollback()
		return frappe.db.get_value(doctype, filters, field)

	# A real payment: M-Pesa knows the receipt.
	body = {
		"ShortCode": PAYBILL,
		"CommandID": "CustomerPayBillOnline",
		"Amount": "1000",
		"Msisdn": "254708374149",
		"BillRefNumber": account_of(driver),
		"TransID": "RCKREAL001",
	}
	daraja.post("/mpesa/c2b/v1/simulate", body)
	wait_for(
		lambda: fresh_value(
			INBOX, {"trans_id": "RCKREAL001", "callback_type": "C2B Confirmation"}, "verification"
		),
		"Verified",
	)
	payout = fresh_value(LEDGER, {"transaction_id": "RCKREAL001"}, "payout")
	sandbox.client.drain()
	wait_for(lambda: fresh_value(PAYOUT, payout, "status"), "Paid")
	assert sandbox.client.payments_count(payout) == 1

	# A confirmation M-Pesa never sent, with the secret: credited, never paid out.
	forged = c2b_payload(account_of(driver), "1000", trans_id="RCKFORGED1", BusinessShortCode=PAYBILL)
	url = f"{site.base_url}/api/method/tuktuk_management.api.tuktuk.payment_confirmation"
	assert requests.post(url, params={"token": callback_token()}, json=forged, timeout=30).status_code == 200
	sandbox.client.drain()
	wait_for(lambda: fresh_value(INBOX, {"trans_id": "RCKFORGED1"}, "verification"), "Not Confirmed")
	forged_payout = fresh_value(LEDGER, {"transaction_id": "RCKFORGED1"}, "payout")
	assert fresh_value(PAYOUT, forged_payout, "status") == "On Hold"
	assert sandbox.client.payments_count(forged_payout) == 0
	PAYMENTS_REPORT.append(
		f"[{site.backend}] check before large payouts: confirmed receipt paid 1, forged confirmation paid 0"
	)
