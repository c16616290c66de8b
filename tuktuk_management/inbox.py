"""The callback inbox (TukTuk Callback): every body M-Pesa sends us is stored and committed before it is
processed, so nothing received can be lost (DESIGN invariant 3).

A body travels as ``Received``: the HTTP door (``tuktuk_management.api.door``) reads the request once and
builds it; everything below takes it as a value and never looks at the request."""

import json
from dataclasses import dataclass, replace

import frappe
from frappe.utils import now_datetime

from tuktuk_management import records

CALLBACK = "TukTuk Callback"
# Callback fields a caller may set; anything else passed in is ignored rather than failing the store.
_FIELDS = (
	"trans_id",
	"bill_ref_number",
	"msisdn",
	"amount",
	"trans_time",
	"originator_conversation_id",
	"conversation_id",
	"remote_addr",
	"error",
	"transaction",
	"payout",
	"status",
	"attempts",
	"auth",
	"forwarded_for",
	"verification",
	"payload_hash",
	"times_received",
)


@dataclass(frozen=True)
class Received:
	"""One callback body as it arrived: its text exactly as received (what the inbox keeps), the JSON it holds
	parsed once (``data``; None when it is not JSON, and ``error`` says why) and the caller's address."""

	text: str
	data: object = None
	error: str | None = None
	remote_addr: str | None = None
	# How the door authenticated it ("Token", "M-Pesa Address"), and the proxy path it came by.
	auth: str | None = None
	forwarded_for: str | None = None

	@classmethod
	def parse(cls, text, remote_addr: str | None = None, forwarded_for: str | None = None) -> "Received":
		"""A body read from a request (or from the inbox, to replay it), parsed once."""
		text = text if isinstance(text, str) else (text or b"").decode("utf-8", "replace")
		if not text.strip():
			return cls(text, None, "empty body", remote_addr, forwarded_for=forwarded_for)
		try:
			return cls(text, json.loads(text), None, remote_addr, forwarded_for=forwarded_for)
		except ValueError as e:
			return cls(text, None, str(e), remote_addr, forwarded_for=forwarded_for)

	def authenticated(self, auth: str) -> "Received":
		"""The same body, marked with how the door authenticated it."""
		return replace(self, auth=auth)

	@classmethod
	def of(cls, data: dict, remote_addr: str | None = None) -> "Received":
		"""A body we write ourselves (a hand-entered payment, a console call): the data and its JSON text."""
		return cls(json.dumps(data, default=str), data, None, remote_addr)


def store_callback(callback_type: str, received: Received, **fields) -> str:
	"""Insert an inbox row (status Received unless given) holding the body's text exactly, commit, and
	return its name. Values that do not fit their columns are dropped rather than losing the body."""
	doc = frappe.new_doc(CALLBACK)
	doc.callback_type = callback_type
	doc.payload = received.text
	doc.status = fields.pop("status", None) or "Received"
	fields.setdefault("remote_addr", received.remote_addr)
	fields.setdefault("auth", received.auth)
	fields.setdefault("forwarded_for", received.forwarded_for)
	for key, value in fields.items():
		if key in _FIELDS and value not in (None, ""):
			doc.set(key, _fit(key, value))
	records.by_app(doc).insert(ignore_permissions=True)
	# Boundary: the body is durable before any processing starts.
	frappe.db.commit()
	return doc.name


def mark(name: str, status: str, **fields) -> None:
	"""Set an inbox row's status (and any of its fields) without committing: the caller's unit of work
	decides when it becomes visible."""
	values = {"status": status}
	for key, value in fields.items():
		if key in _FIELDS:
			values[key] = _fit(key, value)
	if status in ("Processed", "Duplicate", "Uncaptured", "Rejected", "Failed", "Refused"):
		values["processed_at"] = now_datetime()
	frappe.db.set_value(CALLBACK, name, values)


def _fit(key, value):
	"""Keep varchar columns within 140 characters and the error text readable (the body itself is a Code
	field, kept verbatim and never cut), and store what a caller sent inertly: markup is escaped, so Desk
	(whose formatters render Data and Text values as HTML) shows it as text, and Frappe's sanitiser on a bench
	finds nothing to rewrite (the same value on frappe_lite and on v15)."""
	limit = 4000 if key in ("error", "forwarded_for") else 140
	if isinstance(value, str):
		value = value.replace("<", "&lt;").replace(">", "&gt;")
		if len(value) > limit:
			return value[: limit - 3] + "..."
	return value


def mark_verification(name: str, state: str, **fields) -> None:
	"""Set the M-Pesa verification state of a payment's inbox row (upgrade.verification), without committing."""
	values = {"verification": state}
	for key, value in fields.items():
		if key in _FIELDS:
			values[key] = _fit(key, value)
	frappe.db.set_value(CALLBACK, name, values)
