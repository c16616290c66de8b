"""Arguments of the managers' whitelisted methods, checked before anything is done: a bad one is refused with
a message that names it and Frappe's status for it (ValidationError 417, DoesNotExistError 404), never a
500 and never half a change."""

from decimal import Decimal, InvalidOperation

import frappe
from frappe import _
from frappe.utils import escape_html, getdate

from tuktuk_management.money import CENT


def required_text(label: str, value, max_length: int) -> str:
	"""A non-empty line of text of at most ``max_length`` characters, without NUL bytes, returned with its
	markup escaped: it is stored, and Desk renders text fields as HTML (Frappe's sanitiser on a bench would
	rewrite it, frappe_lite would not: escaped, both keep the same inert text)."""
	text = value.strip() if isinstance(value, str) else ""
	if not text:
		frappe.throw(
			_("{0} is required").format(label), frappe.ValidationError, title=_("Missing {0}").format(label)
		)
	if len(text) > max_length or "\x00" in text:
		frappe.throw(
			_("{0} must be at most {1} characters of text").format(label, max_length),
			frappe.ValidationError,
			title=_("Invalid {0}").format(label),
		)
	return text.replace("<", "&lt;").replace(">", "&gt;")


def existing(doctype: str, name, label: str) -> str:
	"""The name of an existing ``doctype`` record, else DoesNotExistError (404) naming it."""
	if not isinstance(name, str) or not name.strip() or len(name) > 140:
		frappe.throw(
			_("{0} is required").format(label), frappe.ValidationError, title=_("Missing {0}").format(label)
		)
	if not frappe.db.exists(doctype, name.strip()):
		# Echoed in Desk's message dialog, which renders HTML: escaped.
		frappe.throw(
			_("{0} {1} not found").format(_(doctype), escape_html(name.strip())), frappe.DoesNotExistError
		)
	return name.strip()


def date(value, label: str):
	"""An optional date (None when not given) as a date, else ValidationError naming the argument."""
	if value in (None, ""):
		return None
	try:
		if not isinstance(value, str) or len(value) > 30:
			raise ValueError
		return getdate(value.strip())
	except Exception:
		frappe.throw(
			_("{0} must be a date (YYYY-MM-DD), got {1}").format(label, escape_html(str(value)[:40])),
			frappe.ValidationError,
			title=_("Invalid {0}").format(label),
		)


def names(value, label: str) -> list[str]:
	"""An optional list of record names: a JSON list of strings, one name, or a Python list."""
	if value in (None, "", []):
		return []
	if isinstance(value, str):
		text = value.strip()
		if not text.startswith("["):
			return [text]
		try:
			value = frappe.parse_json(text)
		except ValueError:
			value = None
	if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 140 for v in value):
		frappe.throw(
			_("{0} must be a list of names").format(label),
			frappe.ValidationError,
			title=_("Invalid {0}").format(label),
		)
	return value


def signed_amount(value, maximum: Decimal) -> Decimal:
	"""A non-zero amount in shillings and cents, at most ``maximum`` either way (a correction's sign says
	which way it moves the balance)."""
	try:
		if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
			raise InvalidOperation
		amount = Decimal(str(value).strip())
		valid = (
			amount.is_finite() and amount != 0 and abs(amount) <= maximum and amount == amount.quantize(CENT)
		)
	except (InvalidOperation, ValueError):
		valid = False
	if not valid:
		frappe.throw(
			_(
				"Amount must be a non-zero number of shillings with at most two decimals, at most {0} either way; got {1}"
			).format(maximum, frappe.bold(escape_html(str(value)[:40]))),
			frappe.ValidationError,
			title=_("Invalid Amount"),
		)
	return amount.quantize(CENT)
