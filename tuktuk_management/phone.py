"""Kenyan mobile numbers (MSISDNs) as M-Pesa wants them: 2547XXXXXXXX or 2541XXXXXXXX."""

import re

_SEPARATORS = re.compile(r"[\s\-().]")
_MSISDN = re.compile(r"^254[17]\d{8}$")


class InvalidMSISDN(ValueError):
	pass


def normalise_msisdn(value) -> str:
	"""``value`` in the form 2547XXXXXXXX / 2541XXXXXXXX.

	Accepts 07XXXXXXXX, 01XXXXXXXX, 7XXXXXXXX, 1XXXXXXXX, +2547XXXXXXXX, 2547XXXXXXXX and the same with spaces,
	dashes or brackets. Raises InvalidMSISDN otherwise."""
	if value is None:
		raise InvalidMSISDN("phone number is missing")
	text = _SEPARATORS.sub("", str(value))
	if text.startswith("+"):
		text = text[1:]
	if not text.isdigit():
		raise InvalidMSISDN(f"{value!r} is not a phone number")
	if len(text) == 10 and text.startswith("0"):
		text = "254" + text[1:]
	elif len(text) == 9 and text[0] in "17":
		text = "254" + text
	if not _MSISDN.match(text):
		raise InvalidMSISDN(f"{value!r} is not a Kenyan mobile number (2547XXXXXXXX or 2541XXXXXXXX)")
	return text


def is_valid_msisdn(value) -> bool:
	try:
		normalise_msisdn(value)
	except InvalidMSISDN:
		return False
	return True


def is_masked_msisdn(value) -> bool:
	"""True for the forms Safaricom uses to hide a payer's number in C2B callbacks: ``2547 ***** 126``
	(masked) or a 64-character SHA-256 hex digest (v2 hashed MSISDN)."""
	text = str(value or "").strip()
	if re.fullmatch(r"[0-9a-fA-F]{64}", text):
		return True
	return "*" in text and bool(re.fullmatch(r"[0-9*\s]{6,20}", text))
