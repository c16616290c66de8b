"""A payout worker that dies at the worst moment: `python kill_worker.py SITE SITES_PATH PAYOUT after|before`.

after: the B2C request reached M-Pesa, the process dies before recording the reply.
before: the payout was claimed (Sent, committed), the process dies before M-Pesa hears of it."""

import os
import sys

import frappe

site, sites_path, payout, when = sys.argv[1:5]
frappe.init(site, sites_path=sites_path)
frappe.connect()

from tuktuk_management.payouts import daraja, outbox  # noqa: E402

send = daraja.b2c_payment_request


def die_after(**kwargs):
	send(**kwargs)
	os._exit(9)


def die_before(**kwargs):
	os._exit(9)


daraja.b2c_payment_request = die_after if when == "after" else die_before
outbox.send_payout(payout)
sys.exit(0)  # not reached when the payout was sent
