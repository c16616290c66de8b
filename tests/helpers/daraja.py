"""Daraja-shaped C2B bodies and the amounts the load tests and benchmarks send (stdlib only: their client
and worker processes import it too)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def amount_for(prefix: str, i: int) -> Decimal:
	"""A deterministic, varied amount with odd cents (so the half-up rounding is exercised)."""
	seed = sum(map(ord, prefix)) + i * 37
	return Decimal(10 + seed % 190) + Decimal(seed % 100) / 100


def contribution(amount) -> Decimal:
	"""What a fare-50% driver who never meets the target contributes (computed independently of the app)."""
	amount = Decimal(str(amount)).quantize(CENT)
	return amount - (amount * 50 / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def payload(account: str, amount, trans_id: str, shortcode: str = "600000", **extra) -> dict:
	"""A C2B confirmation (or validation) body: `amount` paid to `account` on paybill `shortcode`."""
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
