"""Shared by the C2B system tests and their client processes: Daraja-shaped bodies and the amounts sent."""

import datetime
from decimal import Decimal


def amount_for(prefix: str, i: int) -> Decimal:
	"""A deterministic, varied amount with odd cents (so the half-up rounding is exercised)."""
	seed = sum(map(ord, prefix)) + i * 37
	return Decimal(10 + seed % 190) + Decimal(seed % 100) / 100


def payload(account: str, amount, trans_id: str, shortcode: str = "600000", **extra) -> dict:
	return {
		"TransactionType": "Pay Bill",
		"TransID": trans_id,
		"TransTime": datetime.datetime.now().strftime("%Y%m%d%H%M%S"),
		"TransAmount": f"{Decimal(amount):.2f}",
		"BusinessShortCode": shortcode,
		"BillRefNumber": account,
		"InvoiceNumber": "",
		"OrgAccountBalance": "",
		"ThirdPartyTransID": "",
		"MSISDN": "254708374149",
		"FirstName": "John",
		**extra,
	}
