"""Crediting a payment to a driver: the one locked unit of work every money-in path uses (the C2B
confirmation callback, uncaptured payments assigned by a manager, missed transactions entered by hand).

Inside one database transaction, under the driver's row lock:
  1. read the locked driver (``get_doc(..., for_update=True)``) and compute the split from *its* balance;
  2. insert the ledger row (the unique ``transaction_id`` makes a repeated TransID a Duplicate);
  3. add the contribution with one atomic UPDATE;
  4. insert the payout row (Queued, or On Hold when payouts are not going out);
  5. mark the inbox row Processed; commit; only then enqueue the payout.
A deadlock or lock-wait timeout retries the whole unit; any other failure rolls back to the savepoint,
marks the inbox row Failed (committed, replayable) and re-raises.
"""

import random
import time
import traceback
from dataclasses import asdict, dataclass
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from tuktuk_management import inbox
from tuktuk_management.money import sql_money, to_money
from tuktuk_management.split import (
	compute_split,
	deposit_split,
	effective_daily_target,
	effective_fare_percentage,
	target_sharing_enabled,
	whole_shilling_payout,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

SPLIT, DEPOSIT = "split", "deposit"
MAX_ATTEMPTS = 5
SEND_PAYOUT = "tuktuk_management.payouts.outbox.send_payout"

# left_to_target is assigned FIRST so that it reads the old current_balance on both backends: MariaDB
# evaluates SET assignments left to right (a later expression sees an earlier column's new value), SQLite
# evaluates every expression against the old row. CASE instead of GREATEST: SQLite has no GREATEST.
ATOMIC_CREDIT_SQL = """
	update `tabTukTuk Driver`
	set left_to_target = case
			when %(target)s - (current_balance + %(contribution)s) > 0
			then %(target)s - (current_balance + %(contribution)s)
			else 0 end,
		current_balance = current_balance + %(contribution)s,
		balance_period = coalesce(balance_period, %(period)s)
	where name = %(driver)s
"""


@dataclass
class CreditResult:
	status: str  # "Processed" or "Duplicate"
	transaction: str
	driver: str
	amount: Decimal
	driver_share: Decimal
	target_contribution: Decimal
	balance_period: object = None
	payout: str | None = None
	payout_status: str | None = None
	attempts: int = 1

	def as_dict(self) -> dict:
		return asdict(self)


class CreditError(frappe.ValidationError):
	pass


def credit_payment(
	driver: str,
	amount,
	transaction_id: str,
	*,
	tuktuk: str | None = None,
	customer_phone: str | None = None,
	timestamp=None,
	bill_ref_number: str | None = None,
	callback: str | None = None,
	mode: str = SPLIT,
	remarks: str | None = None,
	settings=None,
) -> CreditResult:
	"""Credit ``amount`` for M-Pesa ``transaction_id`` to ``driver`` and commit.

	Must be called at a transaction boundary (nothing uncommitted): a deadlock makes the database roll the
	whole transaction back, and the unit is then retried from the start. ``callback`` is the inbox row to
	mark Processed / Duplicate / Failed in the same transaction; ``settings`` saves a re-read when the
	caller already has them. Returns a CreditResult; a repeated
	transaction_id returns status "Duplicate" with the existing ledger row and credits nothing."""
	amount = to_money(amount)
	transaction_id = (transaction_id or "").strip()
	if amount <= 0:
		frappe.throw(_("Amount must be greater than zero"), CreditError)
	if not transaction_id:
		frappe.throw(_("Transaction ID is required"), CreditError)
	if mode not in (SPLIT, DEPOSIT):
		frappe.throw(_("Unknown crediting mode {0}").format(mode), CreditError)

	messages_before = len(frappe.local.message_log or [])
	for attempt in range(1, MAX_ATTEMPTS + 1):
		savepoint = "tuktuk_credit"
		frappe.db.savepoint(savepoint)
		try:
			result = _credit_under_lock(
				driver,
				amount,
				transaction_id,
				tuktuk=tuktuk,
				customer_phone=customer_phone,
				timestamp=timestamp,
				bill_ref_number=bill_ref_number,
				callback=callback,
				mode=mode,
				remarks=remarks,
				settings=settings,
			)
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError) as e:
			# The database may already have rolled the whole transaction back: start the unit again.
			frappe.db.rollback()
			if attempt == MAX_ATTEMPTS:
				_record_failure(callback, transaction_id, e)
				raise
			time.sleep(random.uniform(0.005, 0.05) * attempt)
			continue
		except Exception as e:
			frappe.db.rollback(save_point=savepoint)
			try:
				duplicate = _existing_transaction(transaction_id)
				if duplicate:
					# The unique index caught a concurrent repeat: not an error for our caller.
					del frappe.local.message_log[messages_before:]
					result = _duplicate(duplicate, callback, amount)
			except Exception:
				frappe.db.rollback(save_point=savepoint)
				duplicate = None
			if not duplicate:
				_record_failure(callback, transaction_id, e)
				raise
		result.attempts = attempt
		if result.payout_status == "Queued":
			# Registered last so that no failed attempt leaves a pending enqueue behind.
			frappe.enqueue(SEND_PAYOUT, queue="short", payout=result.payout, enqueue_after_commit=True)
		# Boundary: ledger row, balance, payout and inbox status become visible together.
		frappe.db.commit()
		return result


def _credit_under_lock(
	driver,
	amount,
	transaction_id,
	*,
	tuktuk,
	customer_phone,
	timestamp,
	bill_ref_number,
	callback,
	mode,
	remarks,
	settings=None,
) -> CreditResult:
	# Friendly path for a repeat: no lock needed to see an already committed TransID.
	existing = frappe.db.exists("TukTuk Transaction", {"transaction_id": transaction_id})
	if existing:
		return _duplicate(existing, callback, amount)

	settings = settings or get_settings()
	locked = frappe.get_doc("TukTuk Driver", driver, for_update=True)
	target = effective_daily_target(locked.daily_target, settings.global_target)
	if mode == DEPOSIT:
		split = deposit_split(amount)
	else:
		split = compute_split(
			amount,
			locked.current_balance,
			target,
			effective_fare_percentage(locked.fare_percentage, settings.global_fare),
			target_sharing_enabled(locked.target_sharing_override, settings.target_sharing),
		)
	# A payment belongs to the period that was open when its lock was taken.
	period = getdate(locked.balance_period) if locked.balance_period else settings.business_date()

	ledger = frappe.get_doc(
		{
			"doctype": "TukTuk Transaction",
			"transaction_id": transaction_id,
			"transaction_type": "Deposit" if mode == DEPOSIT else "Payment",
			"tuktuk": tuktuk or locked.assigned_tuktuk,
			"driver": locked.name,
			"amount": split.amount,
			"driver_share": split.driver_share,
			"target_contribution": split.target_contribution,
			"customer_phone": customer_phone,
			"timestamp": timestamp or now_datetime(),
			"payment_status": "Completed",
			"balance_period": period,
			"bill_ref_number": bill_ref_number,
			"callback": callback,
			"remarks": remarks,
		}
	).insert(ignore_permissions=True)

	frappe.db.sql(
		ATOMIC_CREDIT_SQL,
		{
			"target": sql_money(target),
			"contribution": sql_money(split.target_contribution),
			"period": period,
			"driver": locked.name,
		},
	)

	payout_name = payout_status = None
	if split.driver_share > 0:
		# B2C pays whole shillings: the cents of the share wait on the driver row for the next payout.
		carried_in = to_money(locked.share_carry)
		send, carried_out = whole_shilling_payout(split.driver_share, carried_in)
		frappe.db.sql(
			"update `tabTukTuk Driver` set share_carry = share_carry + %s where name = %s",
			(sql_money(carried_out - carried_in), locked.name),
		)
		if send > 0:
			payout_status = "Queued" if settings.payouts_go_out else "On Hold"
			payout = frappe.get_doc(
				{
					"doctype": "TukTuk Payout",
					"driver": locked.name,
					"transaction": ledger.name,
					"share": split.driver_share,
					"carry_in": carried_in,
					"carry_out": carried_out,
					"amount": send,
					"phone": locked.mpesa_number,
					"status": payout_status,
					"next_attempt_at": now_datetime() if payout_status == "Queued" else None,
				}
			).insert(ignore_permissions=True)
			payout_name = payout.name
			frappe.db.set_value(
				"TukTuk Transaction", ledger.name, "payout", payout_name, update_modified=False
			)

	if callback:
		inbox.mark(callback, "Processed", transaction=ledger.name, payout=payout_name, error=None)
	_settle_earlier_attempts(transaction_id, ledger.name, callback)

	return CreditResult(
		status="Processed",
		transaction=ledger.name,
		driver=locked.name,
		amount=split.amount,
		driver_share=split.driver_share,
		target_contribution=split.target_contribution,
		balance_period=period,
		payout=payout_name,
		payout_status=payout_status,
	)


def _existing_transaction(transaction_id: str) -> str | None:
	"""The ledger row for ``transaction_id``, read with a locking read so that it sees rows committed by
	other transactions after ours began (a plain read under REPEATABLE READ might not)."""
	return frappe.db.get_value(
		"TukTuk Transaction", {"transaction_id": transaction_id}, "name", for_update=True
	)


def _settle_earlier_attempts(transaction_id: str, ledger: str, callback: str | None) -> None:
	"""Inbox rows of the same TransID still waiting for a manager (an earlier Failed or Uncaptured delivery
	of this payment) are settled as Duplicate of the credit just made, so nobody credits it again by hand."""
	frappe.db.sql(
		"""update `tabTukTuk Callback`
		set status = 'Duplicate', `transaction` = %s, error = %s
		where trans_id = %s and name != %s and status in ('Failed', 'Uncaptured')
			and callback_type in ('C2B Confirmation', 'Manual Entry')""",
		(
			ledger,
			_("Settled: TransID credited by {0}").format(callback or ledger),
			transaction_id,
			callback or "",
		),
	)


def _duplicate(existing: str, callback: str | None, amount=None) -> CreditResult:
	# A locking read: the row may have been committed after this transaction's snapshot was taken.
	row = frappe.db.get_value(
		"TukTuk Transaction",
		existing,
		["name", "driver", "amount", "driver_share", "target_contribution", "balance_period", "payout"],
		as_dict=True,
		for_update=True,
	)
	error = _("TransID already credited")
	if amount is not None and to_money(amount) != to_money(row.amount):
		# The same receipt number with another amount is not a retry: keep it visible to an operator.
		error = _("TransID already credited with amount {0}; this delivery says {1}").format(
			to_money(row.amount), to_money(amount)
		)
		frappe.log_error(
			title="M-Pesa Duplicate TransID Amount Mismatch",
			message=f"Ledger row {existing}: {error} (callback {callback})",
			reference_doctype="TukTuk Transaction",
			reference_name=existing,
		)
	if callback:
		inbox.mark(callback, "Duplicate", transaction=existing, error=error)
	return CreditResult(
		status="Duplicate",
		transaction=row.name,
		driver=row.driver,
		amount=to_money(row.amount),
		driver_share=to_money(row.driver_share),
		target_contribution=to_money(row.target_contribution),
		balance_period=row.balance_period,
		payout=row.payout,
	)


def _record_failure(callback: str | None, transaction_id: str, error: Exception) -> None:
	"""Keep the failure visible and the payment replayable: inbox row Failed with the error, an Error Log,
	both committed (the unit of work itself has been rolled back)."""
	message = f"{type(error).__name__}: {error}"
	if callback:
		inbox.mark(callback, "Failed", error=message)
	frappe.log_error(
		title="TukTuk Payment Credit Failed",
		message=f"TransID {transaction_id} (callback {callback}):\n{traceback.format_exc()}",
		reference_doctype="TukTuk Callback" if callback else None,
		reference_name=callback,
	)
	# Boundary: the failure record survives even though the credit did not happen.
	frappe.db.commit()
