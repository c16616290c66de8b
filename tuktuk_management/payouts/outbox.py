"""The B2C payout outbox: each TukTuk Payout is sent at most once.

States: Queued -> Sent -> Paid | Failed; On Hold while B2C is off (a manager releases them); Unknown when
M-Pesa may have executed the payment but we do not know (a timeout notice, a lost reply, a crashed worker).

The outbox alone creates and changes payout rows: ``plan_payout`` and ``create_payout`` are called by the
ledger inside the crediting unit of work (the driver row locked), and derive the amount, phone, driver and
ledger link themselves.

The rule that keeps money safe: a payout is claimed under its row lock and committed as Sent *before*
Daraja is called. So whatever happens after (a crash, a timeout), the row says a payment may be out, and
nothing resends it blindly: a Sent or Unknown payout is only ever resolved by M-Pesa's Result or by a
Transaction Status query, and it goes back to Queued only when M-Pesa confirms nothing was paid.
The OriginatorConversationID is the payout's own name.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

import frappe
from frappe import _
from frappe.utils import add_to_date, get_datetime, now_datetime

from tuktuk_management import rows
from tuktuk_management.enqueue import enqueue_after_commit
from tuktuk_management.money import ZERO, D, to_money
from tuktuk_management.payouts import daraja
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

PAYOUT = "TukTuk Payout"
TRANSACTION = "TukTuk Transaction"
SEND_PAYOUT = "tuktuk_management.payouts.outbox.send_payout"
# A payout whose last attempt's outcome is not known yet.
IN_DOUBT = ("Sent", "Unknown")
RETRY_BATCH = 50
# M-Pesa may still be processing a request for a while after accepting it; a Transaction Status query in
# that window would answer "no such payment" for a payment about to be made. So an in-doubt payout is
# checked, and a "not found" is believed, only this long after the request was sent.
IN_DOUBT_GRACE_MINUTES = 2


def _log(title, message):
	frappe.log_error(title=title, message=message)


def backoff_minutes(settings, attempts: int) -> float:
	"""Wait before retry number `attempts + 1`: the configured minutes doubled per attempt, capped at a day."""
	base = max(int(settings.retry_backoff_minutes or 0), 0)
	return float(min(base * (2 ** max(attempts - 1, 0)), 24 * 60))


def check_delay_minutes(settings) -> float:
	"""How long after a send an in-doubt payout is first checked (never inside the grace window)."""
	return max(backoff_minutes(settings, 1), IN_DOUBT_GRACE_MINUTES)


def old_enough_to_check(doc, now=None) -> bool:
	"""Whether the payout's last request was sent long enough ago for a "not found" to be believed."""
	if not doc.last_attempt_at:
		return True
	now = now or now_datetime()
	return get_datetime(doc.last_attempt_at) <= add_to_date(now, minutes=-IN_DOUBT_GRACE_MINUTES)


def sendable_amount(amount) -> int:
	"""M-Pesa B2C pays whole shillings: the share rounded down (never pay more than is owed)."""
	return int(D(amount).to_integral_value(rounding=ROUND_DOWN))


def whole_shilling_payout(share, carried_in) -> tuple[Decimal, Decimal]:
	"""M-Pesa B2C pays whole shillings: (amount to send, cents carried to the next payout).

	The share to the cent plus what earlier shares left over is owed; the whole shillings of it go out now
	and the rest (under one shilling) is carried, so the driver is never paid less than the shares add up to.
	``amount + carried_out == share + carried_in`` exactly."""
	owed = to_money(share) + to_money(carried_in)
	amount = owed.to_integral_value(rounding=ROUND_DOWN) if owed > 0 else ZERO
	return to_money(amount), owed - to_money(amount)


@dataclass(frozen=True)
class NewPayout:
	"""The payout side of one credited share: the payout row (None while what is owed is under a shilling and
	all of it is carried), its status, and the cents carried on the driver before and after."""

	name: str | None
	status: str | None
	carry_in: Decimal
	carry_out: Decimal
	share: Decimal = ZERO
	amount: Decimal = ZERO


def plan_payout(share, locked_driver, *, go_out: bool) -> NewPayout | None:
	"""The payout of a driver share, inside the crediting unit of work (``locked_driver`` is the row the
	ledger locked): the share plus the cents already carried, in whole shillings, Queued when payouts go out
	at once (``go_out``) else On Hold, named now so the ledger row can link it as it is written. Its ``name``
	is None while what is owed is under a shilling (all of it carried); the new carry is for the ledger to
	record on the driver. None when there is no share."""
	share = to_money(share)
	if share <= 0:
		return None
	carry_in = to_money(locked_driver.share_carry)
	amount, carry_out = whole_shilling_payout(share, carry_in)
	if amount <= 0:
		return NewPayout(None, None, carry_in, carry_out, share, ZERO)
	return NewPayout(rows.new_name(), "Queued" if go_out else "On Hold", carry_in, carry_out, share, amount)


def create_payout(plan: NewPayout, transaction: str, locked_driver) -> None:
	"""Write the planned payout of ledger row ``transaction`` to the driver's M-Pesa number (the ledger calls
	this right after appending the row). Appended like the ledger row (rows.py): the unique index on
	``transaction`` keeps it one payout per ledger row; its name is its OriginatorConversationID."""
	rows.append_row(
		PAYOUT,
		{
			"driver": locked_driver.name,
			"transaction": transaction,
			"share": plan.share,
			"carry_in": plan.carry_in,
			"carry_out": plan.carry_out,
			"amount": plan.amount,
			"phone": locked_driver.mpesa_number,
			"status": plan.status,
			"originator_conversation_id": plan.name,
			"next_attempt_at": now_datetime() if plan.status == "Queued" else None,
		},
		name=plan.name,
	)


def not_backed_by_ledger(doc) -> str | None:
	"""Why payout ``doc`` is not the one its ledger row created (None when it is): every payout that goes out
	is the driver share of a Completed ledger row that names it, for that row's driver, and pays exactly the
	share plus the cents carried in, less those carried out. A row written any other way is never sent."""
	if not doc.transaction:
		return _("Payout {0} has no ledger row").format(doc.name)
	row = frappe.db.get_value(
		TRANSACTION, doc.transaction, ["driver", "driver_share", "payout", "payment_status"], as_dict=True
	)
	if not row or row.payout != doc.name:
		return _("Ledger row {0} does not name payout {1}").format(doc.transaction, doc.name)
	if row.payment_status != "Completed":
		return _("Ledger row {0} is {1}, not Completed").format(doc.transaction, row.payment_status)
	if row.driver != doc.driver or to_money(row.driver_share) != to_money(doc.share):
		return _("Payout {0} does not match the driver and share of ledger row {1}").format(
			doc.name, doc.transaction
		)
	if to_money(doc.amount) + to_money(doc.carry_out) != to_money(doc.share) + to_money(doc.carry_in):
		return _("Payout {0} amount {1} is not its share plus the cents carried").format(doc.name, doc.amount)
	return None


def enqueue_send(payout: str):
	"""Send the payout in a background job, once the current transaction has committed. A queue that cannot
	take it (Redis down) leaves the payout Queued for the scheduler's ``retry_due_payouts``: what was committed
	is never reported as failed (a confirmation answered "held for replay", a manager's action answered 500)
	for want of a queue."""
	enqueue_after_commit(
		SEND_PAYOUT,
		queue="short",
		log_title="B2C Payout Not Enqueued",
		log_note=f"Payout {payout} stays Queued for the scheduled retry",
		payout=payout,
	)


def update_payout(name, values: dict):
	frappe.db.set_value(PAYOUT, name, values, update_modified=True)


def send_payout(payout: str, force: bool = False):
	"""Move one payout forward: send it (Queued), check on it (Sent/Unknown, when due), hold it (B2C off).

	Safe to call any number of times, from any number of workers: the decision is taken under the payout's
	row lock and committed before M-Pesa is called. `force` ignores `next_attempt_at` (manager retry)."""
	action = _claim(payout, force=force)
	if action == "send":
		_send(payout)
	elif action == "check":
		_check(payout)
	return action


def _claim(name: str, force: bool = False) -> str | None:
	"""Decide under the row lock what to do with the payout, record the decision, commit. Returns
	"send", "check" or None."""
	settings = get_settings()
	if not frappe.db.exists(PAYOUT, name):
		return None
	doc = frappe.get_doc(PAYOUT, name, for_update=True)
	now = now_datetime()
	due = force or not doc.next_attempt_at or get_datetime(doc.next_attempt_at) <= now
	action = None
	if doc.status == "Queued":
		if not settings.payouts_enabled:
			update_payout(name, {"status": "On Hold", "last_error": _("B2C payouts are disabled")})
		elif not due:
			pass
		elif (doc.attempts or 0) >= max(settings.max_attempts, 1):
			update_payout(
				name, {"status": "Failed", "last_error": _("Gave up after {0} attempts").format(doc.attempts)}
			)
			_log(
				"B2C Payout Failed",
				f"Payout {name} exhausted {doc.attempts} attempts: {doc.last_error or ''}",
			)
		elif problem := not_backed_by_ledger(doc):
			update_payout(name, {"status": "Failed", "last_error": problem})
			_log("B2C Payout Not Backed By Ledger", f"Payout {name} was not sent: {problem}")
		elif sendable_amount(doc.amount) < 1 or not doc.phone:
			update_payout(
				name,
				{
					"status": "Failed",
					"last_error": _("Nothing to send: amount {0}, phone {1}").format(
						doc.amount, doc.phone or "missing"
					),
				},
			)
		else:
			update_payout(
				name,
				{
					"status": "Sent",
					"attempts": (doc.attempts or 0) + 1,
					"last_attempt_at": now,
					# When to ask M-Pesa if no Result has come by then.
					"next_attempt_at": add_to_date(now, minutes=check_delay_minutes(settings)),
					"originator_conversation_id": doc.originator_conversation_id or name,
					"last_error": None,
				},
			)
			action = "send"
	elif doc.status in IN_DOUBT and due and settings.payouts_enabled:
		update_payout(name, {"next_attempt_at": add_to_date(now, minutes=check_delay_minutes(settings))})
		action = "check"
	# Boundary: the claim (Sent, with its attempt counted) is durable before M-Pesa hears of it.
	frappe.db.commit()
	return action


def _send(name: str):
	doc = frappe.get_doc(PAYOUT, name)
	try:
		reply = daraja.b2c_payment_request(
			originator_conversation_id=doc.originator_conversation_id or name,
			phone=doc.phone,
			amount=sendable_amount(doc.amount),
			remarks="TukTuk driver share",
			occasion=doc.transaction or "",
		)
	except daraja.DarajaNotSent as exc:
		_after_failure(name, "Queued", str(exc))
		return
	except daraja.DarajaError as exc:
		# Refused: nothing was executed. OAuth trouble may pass (retry with backoff); a refused payment
		# request (bad phone, bad amount) will not, so it is Failed and visible.
		if exc.oauth:
			_after_failure(name, "Queued", str(exc))
		else:
			_after_failure(name, "Failed", str(exc))
			_log("B2C Payout Failed", f"Payout {name} refused by M-Pesa: {exc}")
		return
	except daraja.DarajaOutcomeUnknown as exc:
		_after_failure(name, "Unknown", str(exc))
		return
	except Exception as exc:
		# Unexpected (a bug): the request may have gone out, so never resend blindly; a status check decides.
		frappe.db.rollback()
		_after_failure(name, "Unknown", f"{type(exc).__name__}: {exc}")
		_log("B2C Payout Error", frappe.get_traceback())
		return
	values = {"conversation_id": reply.get("ConversationID")}
	if str(reply.get("ResponseCode")) != "0":
		values["last_error"] = reply.get("ResponseDescription")
	# The Result may already have been recorded: only add what the reply tells us.
	frappe.db.set_value(PAYOUT, name, values, update_modified=False)
	# Boundary: the accepted request's ConversationID is on the payout.
	frappe.db.commit()


def _after_failure(name: str, status: str, error: str):
	"""Record a failed attempt, unless a Result has already settled the payout meanwhile."""
	settings = get_settings()
	doc = frappe.get_doc(PAYOUT, name, for_update=True)
	if doc.status == "Sent":
		values = {"status": status, "last_error": error[:1000]}
		if status == "Queued":
			values["next_attempt_at"] = add_to_date(
				now_datetime(), minutes=backoff_minutes(settings, doc.attempts or 1)
			)
		update_payout(name, values)
	# Boundary: the attempt's outcome is recorded.
	frappe.db.commit()


def _check(name: str):
	"""Ask M-Pesa (Transaction Status) what became of the payout; transaction_status_result resolves it."""
	doc = frappe.get_doc(PAYOUT, name)
	try:
		daraja.transaction_status_query(
			original_conversation_id=doc.originator_conversation_id or name, payout=name
		)
	except Exception as exc:
		frappe.db.rollback()
		frappe.db.set_value(
			PAYOUT, name, "last_error", f"Status query failed: {exc}"[:1000], update_modified=False
		)
		# Boundary: the failed check is visible; the next scheduler tick asks again.
		frappe.db.commit()


def mark_unknown(name: str, reason: str) -> bool:
	"""Sent -> Unknown (a timeout notice): the payment may be out; only a status query may resolve it.
	Caller holds the row lock and commits."""
	doc = frappe.get_doc(PAYOUT, name, for_update=True)
	if doc.status != "Sent":
		return False
	settings = get_settings()
	update_payout(
		name,
		{
			"status": "Unknown",
			"last_error": reason[:1000],
			"next_attempt_at": add_to_date(
				get_datetime(doc.last_attempt_at or now_datetime()), minutes=check_delay_minutes(settings)
			),
		},
	)
	return True


def requeue_unpaid(name: str, reason: str) -> str:
	"""M-Pesa confirmed nothing was paid for an in-doubt payout: queue a resend (or fail when exhausted).
	Caller holds the row lock and commits. Returns the new status."""
	settings = get_settings()
	doc = frappe.get_doc(PAYOUT, name, for_update=True)
	if doc.status not in IN_DOUBT:
		return doc.status
	if (doc.attempts or 0) >= max(settings.max_attempts, 1):
		update_payout(
			name,
			{
				"status": "Failed",
				"last_error": _("Not paid after {0} attempts: {1}").format(doc.attempts, reason),
			},
		)
		_log("B2C Payout Failed", f"Payout {name}: not paid after {doc.attempts} attempts ({reason})")
		return "Failed"
	update_payout(name, {"status": "Queued", "next_attempt_at": now_datetime(), "last_error": reason[:1000]})
	enqueue_send(name)
	return "Queued"


def retry_due_payouts():
	"""Scheduler: send due Queued payouts and check on in-doubt ones whose Result is overdue."""
	settings = get_settings()
	if not settings.payouts_enabled:
		return []
	now = now_datetime()
	rows = frappe.get_all(
		PAYOUT,
		filters={"status": ("in", ("Queued",) + IN_DOUBT)},
		fields=["name", "next_attempt_at"],
		order_by="creation asc",
	)
	names = [r.name for r in rows if not r.next_attempt_at or get_datetime(r.next_attempt_at) <= now][
		:RETRY_BATCH
	]
	done = []
	for name in names:
		try:
			done.append((name, send_payout(name)))
		except Exception:
			frappe.db.rollback()
			_log("B2C Payout Error", frappe.get_traceback())
	return done


def release_held_payouts(payouts=None, driver=None) -> dict:
	"""Manager action: queue On Hold payouts (all, the given names, or one driver's) for sending."""
	settings = get_settings()
	if not settings.payouts_enabled:
		frappe.throw(
			_("Enable B2C payouts in TukTuk Settings before releasing held payouts"), title=_("B2C disabled")
		)
	filters = {"status": "On Hold"}
	if payouts:
		filters["name"] = ("in", list(payouts))
	if driver:
		filters["driver"] = driver
	released = []
	for name in frappe.get_all(PAYOUT, filters=filters, pluck="name", order_by="creation asc"):
		doc = frappe.get_doc(PAYOUT, name, for_update=True)
		if doc.status != "On Hold":
			continue
		update_payout(name, {"status": "Queued", "next_attempt_at": None, "last_error": None})
		enqueue_send(name)
		released.append(name)
	# Boundary: the released payouts are queued; their jobs start after this commit.
	frappe.db.commit()
	return {"released": released, "count": len(released)}


# What a manager's retry may do, by status: resend (Failed: M-Pesa said nothing was paid), send now (Queued),
# check with M-Pesa (in doubt). Paid is final; On Hold waits for a release (release_held_payouts).
RETRYABLE = ("Failed", "Queued", *IN_DOUBT)


def retry_payout(payout: str) -> dict:
	"""Manager action: send a Failed or Queued payout again now, or check an in-doubt one now.

	A Failed payout was never paid (M-Pesa said so), so a resend cannot pay twice; it gets a fresh attempt
	budget. An in-doubt payout is never resent from here, only checked. A Paid or On Hold payout, or one its
	ledger row does not back (``not_backed_by_ledger``), is refused."""
	doc = frappe.get_doc(PAYOUT, payout, for_update=True)
	if doc.status == "Paid":
		frappe.throw(_("Payout {0} is already paid").format(payout), title=_("Already paid"))
	if doc.status not in RETRYABLE:
		frappe.throw(
			_("Payout {0} is {1}: only {2} payouts can be retried (held payouts are released)").format(
				payout, doc.status, ", ".join(RETRYABLE)
			),
			title=_("Cannot retry"),
		)
	if problem := not_backed_by_ledger(doc):
		frappe.throw(problem, title=_("Not backed by the ledger"))
	if doc.status == "Failed":
		update_payout(
			payout, {"status": "Queued", "attempts": 0, "next_attempt_at": None, "last_error": None}
		)
	# Boundary: the manager's decision is recorded before anything is sent.
	frappe.db.commit()
	action = send_payout(payout, force=True)
	return {"payout": payout, "action": action, "status": frappe.db.get_value(PAYOUT, payout, "status")}


def parse_completed_at(value) -> datetime.datetime | None:
	"""Daraja's `19.12.2019 11:45:50` (B2C Result) or `20191219114550` (status result) as a datetime."""
	text = str(value or "").strip()
	for fmt in ("%d.%m.%Y %H:%M:%S", "%Y%m%d%H%M%S"):
		try:
			return datetime.datetime.strptime(text, fmt)
		except ValueError:
			continue
	return None


def mark_old_payouts_in_kes() -> None:
	"""Payouts written before the ``currency`` display field get KES (patches/v3_0/amounts_in_kes); here
	because only the outbox writes payouts. Touches no amount or status."""
	frappe.db.sql("update `tabTukTuk Payout` set currency = 'KES' where currency is null or currency = ''")
