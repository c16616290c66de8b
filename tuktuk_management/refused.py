"""Refused callbacks are kept, within bounds: one place for every callback the app turns away.

Two doors refuse a callback: a token-bearing URL whose secret or caller's address is wrong (HTTP 403,
``api.door.authenticate_callback``), and a token-less call on the original app's URLs that cannot be accepted
(``upgrade.original_callbacks``). Either way the body may be a customer's real payment (Safaricom still
calling with a secret that was just rotated, from an address not yet in the allowlist), so it is kept in the
inbox (status Refused, the reason, the caller's address and X-Forwarded-For as received) for a manager, who
can replay a Refused C2B confirmation (``original_callbacks.replay_refused``: credited, payout held until
M-Pesa confirms the payment).

What protects the database from a flood of forged calls:
- a stored body is capped at ``MAX_STORED_CHARS`` (a Daraja body is under 2 KB);
- an identical body is counted on the row that already holds it (``times_received``, within ``FOLD_HOURS``);
- new Refused rows are limited per caller's address and per clock hour, and for all addresses together
  (``LIMITS``); past them nothing is stored, and one Error Log an hour per address says how many were not.
The counters live in the cache (Redis); when it cannot be reached, the rows of this hour are counted instead.
"""

import hashlib
from dataclasses import dataclass

import frappe
from frappe.utils import add_to_date, now_datetime

from tuktuk_management import inbox
from tuktuk_management.inbox import Received

CALLBACK = inbox.CALLBACK
REFUSED = "Refused"
MAX_STORED_CHARS = 16 * 1024
FOLD_HOURS = 24
# New Refused rows per clock hour: from one address whose body is a well-formed payment to our paybill
# (every one may be a customer's money), from one address otherwise, and from all addresses together.
LIMITS = {"payment": 600, "other": 60, "all": 3000}
THROTTLED_TITLE = "Refused Callbacks Throttled"


@dataclass(frozen=True)
class Kept:
	callback: str | None  # the inbox row holding the body (None: over the limits, not stored)
	throttled: bool = False


def keep(received: Received, callback_type: str, reason: str, *, is_payment: bool = False, **fields) -> Kept:
	"""Store a refused callback (folded, capped, rate-limited) and commit; ``fields`` are more inbox fields
	(ids read from the body)."""
	text = received.text or ""
	digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
	folded = _fold(digest, callback_type)
	if folded:
		return Kept(folded)
	if not _within_limits(received.remote_addr, is_payment):
		return Kept(None, throttled=True)
	stored = received
	if len(text) > MAX_STORED_CHARS:
		stored = Received(
			text[:MAX_STORED_CHARS] + f"\n... [truncated: {len(text)} characters received]",
			None,
			"truncated",
			received.remote_addr,
			forwarded_for=received.forwarded_for,
		)
	name = inbox.store_callback(
		callback_type,
		stored,
		status=REFUSED,
		error=reason,
		payload_hash=digest,
		times_received=1,
		**fields,
	)
	return Kept(name)


def _fold(digest: str, callback_type: str) -> str | None:
	"""The refused row already holding this exact body (within FOLD_HOURS), counted once more."""
	since = add_to_date(now_datetime(), hours=-FOLD_HOURS)
	row = frappe.db.get_value(
		CALLBACK,
		{
			"payload_hash": digest,
			"callback_type": callback_type,
			"status": REFUSED,
			"creation": (">=", since),
		},
		["name", "times_received"],
		as_dict=True,
	)
	if not row:
		return None
	frappe.db.set_value(
		CALLBACK, row.name, "times_received", int(row.times_received or 1) + 1, update_modified=False
	)
	# Boundary: the repeat is counted even though nothing else is written for it.
	frappe.db.commit()
	return row.name


def _within_limits(remote_addr: str | None, is_payment: bool) -> bool:
	"""Count one more refused row for this clock hour; False (and one Error Log an hour) past a limit."""
	now = now_datetime()
	hour = now.strftime("%Y%m%d%H")
	address = remote_addr or "unknown"
	keys = {
		"address": (f"tuktuk_refused:{hour}:{address}", LIMITS["payment" if is_payment else "other"]),
		"all": (f"tuktuk_refused:{hour}:all", LIMITS["all"]),
	}
	try:
		# expires=True: Frappe otherwise keeps the first value read in frappe.local for the rest of the
		# request, and a count read twice in one request would never grow.
		counts = {
			scope: int(frappe.cache.get_value(key, expires=True) or 0)
			for scope, (key, _limit) in keys.items()
		}
		cache_up = True
	except Exception:
		counts, cache_up = _counts_from_rows(now, remote_addr), False
	if any(counts[scope] >= limit for scope, (_key, limit) in keys.items()):
		_note_throttled(hour, address, counts, cache_up)
		return False
	if cache_up:
		for scope, (key, _limit) in keys.items():
			frappe.cache.set_value(key, counts[scope] + 1, expires_in_sec=7200)
	return True


def _counts_from_rows(now, remote_addr) -> dict:
	"""The hour's Refused rows counted in the database (the cache is down)."""
	start = now.replace(minute=0, second=0, microsecond=0)
	since = {"status": REFUSED, "creation": (">=", start)}
	return {
		"address": frappe.db.count(CALLBACK, {**since, "remote_addr": remote_addr or ""}),
		"all": frappe.db.count(CALLBACK, since),
	}


def _note_throttled(hour: str, address: str, counts: dict, cache_up: bool) -> None:
	first = True
	if cache_up:
		key = f"tuktuk_refused_throttled:{hour}:{address}"
		throttled = int(frappe.cache.get_value(key, expires=True) or 0) + 1
		frappe.cache.set_value(key, throttled, expires_in_sec=7200)
		first = throttled == 1
	else:
		since = now_datetime().replace(minute=0, second=0, microsecond=0)
		first = not frappe.db.exists(
			"Error Log",
			{"method": THROTTLED_TITLE, "creation": (">=", since), "error": ("like", f"%{address}%")},
		)
	if first:
		frappe.log_error(
			title=THROTTLED_TITLE,
			message=f"Refused callbacks from {address} are over the hourly limit of refused callbacks kept "
			f"for review ({counts}); further ones this hour are answered but not stored.",
		)
		frappe.db.commit()  # Boundary: the throttling is on record.
