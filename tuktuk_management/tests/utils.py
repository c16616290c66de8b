"""Factories for the app's tests (helpdesk-style test utils): drivers, vehicles, settings, payments.

``make_payment`` goes through the real crediting code (``credit_payment``), so balances, ledger rows and
payouts are exactly what production writes; note that crediting commits (it is a unit-of-work boundary),
so every factory makes uniquely named records and no test relies on another's leftovers."""

import datetime
import random
from contextlib import contextmanager

import frappe

from tuktuk_management.c2b import C2BPayment
from tuktuk_management.crediting import credit_payment
from tuktuk_management.ledger import SPLIT
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
	SETTINGS,
	get_callback_secret,
)

DRIVER, VEHICLE, LEDGER, INBOX, PAYOUT = (
	"TukTuk Driver",
	"TukTuk Vehicle",
	"TukTuk Transaction",
	"TukTuk Callback",
	"TukTuk Payout",
)


# TukTuk Settings the payment tests assume: payouts held (no Daraja), a 50% fare split, a 3000 target shared.
PAYMENT_SETTINGS = {
	"b2c_enabled": 0,
	"enable_target_sharing": 1,
	"global_fare_percentage": 50,
	"global_daily_target": 3000,
}
# ...and Daraja's callbacks accepted from any IP for paybill 600000 (the one c2b_payload names).
CALLBACK_SETTINGS = {**PAYMENT_SETTINGS, "mpesa_paybill": "600000", "allowed_callback_ips": ""}
# What the served system tests and the benchmarks set: callbacks from anywhere, payouts held, 50% split.
SERVED_C2B_SETTINGS = {
	"mpesa_paybill": "600000",
	"b2c_enabled": 0,
	"allowed_callback_ips": "",
	"global_fare_percentage": 50,
}


def apply_settings(values: dict) -> None:
	"""Set TukTuk Settings ``values`` and commit (crediting commits, so settings must be committed too)."""
	frappe.db.set_single_value(SETTINGS, values)
	frappe.db.commit()


def unique(prefix: str = "", length: int = 8) -> str:
	return f"{prefix}{frappe.generate_hash(length=length).upper()}"


def make_vehicle(tuktuk_id: str | None = None, mpesa_account: str | None = None, **fields):
	"""An inserted TukTuk Vehicle (unique id and account unless given)."""
	return frappe.get_doc(
		{
			"doctype": VEHICLE,
			"tuktuk_id": tuktuk_id or unique("TT"),
			"mpesa_account": mpesa_account or unique("AC"),
			**fields,
		}
	).insert(ignore_permissions=True)


def make_driver(vehicle=True, **fields):
	"""An inserted, Active TukTuk Driver. ``vehicle=True`` (default) also makes a vehicle and assigns it;
	pass a vehicle name to assign that one, or ``None``/``False`` for none. Returns the driver document
	(reloaded, so assigned_tuktuk and the balance fields are as stored)."""
	if vehicle is True:
		vehicle = make_vehicle().name
	values = {
		"doctype": DRIVER,
		"driver_first_name": "Test",
		"driver_last_name": unique("Driver "),
		"mpesa_number": "07" + "".join(random.choices("0123456789", k=8)),
		"status": "Active",
		**fields,
	}
	if vehicle:
		values["assigned_tuktuk"] = vehicle
	doc = frappe.get_doc(values).insert(ignore_permissions=True)
	doc.reload()
	return doc


def make_split_driver(vehicle=True, **fields):
	"""``make_driver`` with a fixed split: half of every payment to the target whatever the balance (fare 50%,
	a target nobody reaches, target sharing off), so the expected balance is known in advance."""
	values = {
		"daily_target": 10_000_000,
		"fare_percentage": 50,
		"target_sharing_override": "Disable",
		**fields,
	}
	return make_driver(vehicle, **values)


def account_of(driver) -> str:
	"""The M-Pesa account (BillRefNumber) of the driver's assigned vehicle."""
	return frappe.db.get_value(VEHICLE, driver.assigned_tuktuk, "mpesa_account")


def make_payment(driver, amount, transaction_id: str | None = None, mode: str = SPLIT, **fields):
	"""Credit ``amount`` to ``driver`` (a name or document) through the real crediting code and return the
	CreditResult (``.transaction`` is the ledger row). ``fields``: more of the C2BPayment (msisdn, ...)."""
	name = driver if isinstance(driver, str) else driver.name
	payment = C2BPayment(transaction_id or unique("TX", 10), amount, driver=name, mode=mode, **fields)
	return credit_payment(payment)


def c2b_payload(
	account: str, amount, trans_id: str | None = None, msisdn: str = "254708374149", **extra
) -> dict:
	"""A Daraja C2B confirmation/validation body for a payment to ``account``."""
	return {
		"TransactionType": "Pay Bill",
		"TransID": trans_id or unique("TX", 10),
		"TransTime": datetime.datetime.now().strftime("%Y%m%d%H%M%S"),
		"TransAmount": str(amount),
		"BusinessShortCode": frappe.db.get_single_value(SETTINGS, "mpesa_paybill") or "600000",
		"BillRefNumber": account,
		"InvoiceNumber": "",
		"OrgAccountBalance": "",
		"ThirdPartyTransID": "",
		"MSISDN": msisdn,
		"FirstName": "John",
		**extra,
	}


def callback_token() -> str:
	return get_callback_secret()


@contextmanager
def settings_changed(**values):
	"""TukTuk Settings with ``values`` for the block (committed, since crediting commits), restored after."""
	old = {k: frappe.db.get_single_value(SETTINGS, k) for k in values}
	frappe.db.set_single_value(SETTINGS, values)
	frappe.db.commit()
	try:
		yield
	finally:
		frappe.db.set_single_value(SETTINGS, old)
		frappe.db.commit()


def driver_row(driver) -> frappe._dict:
	name = driver if isinstance(driver, str) else driver.name
	return frappe.db.get_value(
		DRIVER,
		name,
		["current_balance", "left_to_target", "balance_period", "consecutive_misses"],
		as_dict=True,
	)
