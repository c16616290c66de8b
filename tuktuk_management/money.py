"""Money helpers: every amount in Python is a Decimal with two places (DESIGN invariant 4).

frappe.db returns floats for decimal columns (as real Frappe does); convert them here, through ``str``, so a
float never takes part in arithmetic.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
# An amount as M-Pesa and a form write it: ASCII digits, at most one decimal point (and a minus sign, which
# parse_amount refuses with its own message).
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def D(value) -> Decimal:
	"""Any number-like value (Decimal, int, float, str, None) as an exact Decimal; None and "" are 0.

	Floats go through ``str`` so 0.1 becomes Decimal("0.1"), not its binary expansion."""
	if value is None or value == "":
		return Decimal(0)
	if isinstance(value, Decimal):
		return value
	if isinstance(value, bool):
		return Decimal(int(value))
	if isinstance(value, int):
		return Decimal(value)
	try:
		return Decimal(str(value).strip().replace(",", ""))
	except InvalidOperation as e:
		raise ValueError(f"not a number: {value!r}") from e


def to_money(value) -> Decimal:
	"""``value`` as a Decimal rounded to cents, half up (the rounding every money field uses)."""
	return D(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value, *, maximum: Decimal | None = None) -> Decimal:
	"""A strictly validated positive amount from untrusted input (a callback or a form).

	Raises ValueError with a message fit for the caller: not a number, NaN/Infinity, zero or negative,
	more than two decimal places, or above ``maximum``."""
	if value is None or (isinstance(value, str) and not value.strip()):
		raise ValueError("amount is missing")
	if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
		raise ValueError(f"amount must be a number, got {value!r}")
	text = str(value).strip()
	if not _PLAIN_NUMBER.fullmatch(text):
		# Decimal would also take "1e2", "+5", "1_000", "NaN" and non-ASCII digits; M-Pesa sends "100.00".
		raise ValueError(
			f"amount must be a number in plain digits with an optional decimal point, got {value!r}"
		)
	try:
		amount = Decimal(text)
	except InvalidOperation:
		raise ValueError(f"amount must be a number, got {value!r}") from None
	if not amount.is_finite():
		raise ValueError(f"amount must be a finite number, got {value!r}")
	if amount <= 0:
		raise ValueError(f"amount must be greater than zero, got {value!r}")
	if maximum is not None and amount > maximum:
		raise ValueError(f"amount {value!r} is above the maximum of {maximum}")
	try:
		cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
	except InvalidOperation:
		raise ValueError(f"amount {value!r} is too large") from None
	if amount != cents:
		raise ValueError(f"amount has more than two decimal places: {value!r}")
	return cents


def sql_money(value) -> Decimal:
	"""A money value as an SQL parameter (a cents-exact Decimal: an exact literal on both backends)."""
	return to_money(value)
