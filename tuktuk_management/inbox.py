"""The callback inbox (TukTuk Callback): every body M-Pesa sends us is stored and committed before it is
processed, so nothing received can be lost (DESIGN invariant 3)."""

import frappe
from frappe.utils import now_datetime

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
)


def request_remote_addr() -> str | None:
	"""The caller's address as Frappe resolved it for this request (None outside a request)."""
	addr = getattr(frappe.local, "request_ip", None)
	if addr:
		return addr
	request = getattr(frappe.local, "request", None)
	return getattr(request, "remote_addr", None) if request is not None else None


def store_callback(callback_type: str, payload_text: str | None, **fields) -> str:
	"""Insert an inbox row (status Received unless given) holding ``payload_text`` exactly, commit, and
	return its name. Values that do not fit their columns are dropped rather than losing the body."""
	doc = frappe.new_doc(CALLBACK)
	doc.callback_type = callback_type
	doc.payload = payload_text
	doc.status = fields.pop("status", None) or "Received"
	if "remote_addr" not in fields:
		fields["remote_addr"] = request_remote_addr()
	for key, value in fields.items():
		if key in _FIELDS and value not in (None, ""):
			doc.set(key, _fit(key, value))
	doc.insert(ignore_permissions=True)
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
	if status in ("Processed", "Duplicate", "Uncaptured", "Rejected", "Failed"):
		values["processed_at"] = now_datetime()
	frappe.db.set_value(CALLBACK, name, values)


def _fit(key, value):
	"""Keep varchar columns within 140 characters and the error text readable (the body itself is a Long
	Text and is never cut)."""
	limit = 4000 if key == "error" else 140
	if isinstance(value, str) and len(value) > limit:
		return value[: limit - 3] + "..."
	return value
