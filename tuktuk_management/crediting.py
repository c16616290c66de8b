"""Crediting a payment: the one unit of work every money-in path runs (the C2B confirmation callback,
an uncaptured payment assigned by a manager, a missed transaction entered by hand).

One database transaction:
  1. a TransID already in the ledger is a Duplicate (no lock needed to see a committed one);
  2. ``ledger.credit``: under the driver's row lock, the split from the locked balance, the ledger row (its
     unique ``transaction_id`` makes a concurrent repeat a Duplicate), the payout created by the outbox, one
     atomic UPDATE of the driver's money;
  3. the inbox row marked Processed (earlier Failed/Uncaptured deliveries of the TransID settled); commit;
     only then is the payout sent.
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

from tuktuk_management import inbox, ledger
from tuktuk_management.money import to_money
from tuktuk_management.payouts import outbox
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

MAX_ATTEMPTS = 5
LEDGER = ledger.LEDGER


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


def credit_payment(payment, *, settings=None) -> CreditResult:
	"""Credit a ``c2b.C2BPayment`` to ``payment.driver`` and commit.

	Must be called at a transaction boundary (nothing uncommitted): a deadlock makes the database roll the
	whole transaction back, and the unit is then retried from the start. ``payment.callback`` is the inbox
	row to mark Processed / Duplicate / Failed in the same transaction; ``settings`` saves a re-read when the
	caller already has them. A repeated TransID returns status "Duplicate" with the existing ledger row and
	credits nothing."""
	payment = payment.routed(amount=to_money(payment.amount), trans_id=(payment.trans_id or "").strip())
	if payment.amount <= 0:
		frappe.throw(_("Amount must be greater than zero"), CreditError)
	if not payment.trans_id:
		frappe.throw(_("Transaction ID is required"), CreditError)
	if not payment.driver:
		frappe.throw(_("Driver is required"), CreditError)
	if payment.mode not in (ledger.SPLIT, ledger.DEPOSIT):
		frappe.throw(_("Unknown crediting mode {0}").format(payment.mode), CreditError)

	messages_before = len(frappe.local.message_log or [])
	for attempt in range(1, MAX_ATTEMPTS + 1):
		savepoint = "tuktuk_credit"
		frappe.db.savepoint(savepoint)
		try:
			result = _credit_under_lock(payment, settings)
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError) as e:
			# The database may already have rolled the whole transaction back: start the unit again.
			frappe.db.rollback()
			if attempt == MAX_ATTEMPTS:
				_record_failure(payment, e)
				raise
			time.sleep(random.uniform(0.005, 0.05) * attempt)
			continue
		except Exception as e:
			frappe.db.rollback(save_point=savepoint)
			try:
				duplicate = _existing_transaction(payment.trans_id)
				if duplicate:
					# The unique index caught a concurrent repeat: not an error for our caller.
					del frappe.local.message_log[messages_before:]
					result = _duplicate(duplicate, payment)
			except Exception:
				frappe.db.rollback(save_point=savepoint)
				duplicate = None
			if not duplicate:
				_record_failure(payment, e)
				raise
		result.attempts = attempt
		if result.payout_status == "Queued":
			# Registered last so that no failed attempt leaves a pending enqueue behind.
			outbox.enqueue_send(result.payout)
		# Boundary: ledger row, balance, payout and inbox status become visible together.
		frappe.db.commit()
		return result


def _credit_under_lock(payment, settings=None) -> CreditResult:
	# Friendly path for a repeat: no lock needed to see an already committed TransID.
	existing = frappe.db.exists(LEDGER, {"transaction_id": payment.trans_id})
	if existing:
		return _duplicate(existing, payment)

	credit = ledger.credit(payment, settings or get_settings())
	payout = credit.payout.name if credit.payout else None
	if payment.callback:
		inbox.mark(payment.callback, "Processed", transaction=credit.transaction, payout=payout, error=None)
	_settle_earlier_attempts(payment.trans_id, credit.transaction, payment.callback)

	return CreditResult(
		status="Processed",
		transaction=credit.transaction,
		driver=credit.driver,
		amount=credit.split.amount,
		driver_share=credit.split.driver_share,
		target_contribution=credit.split.target_contribution,
		balance_period=credit.balance_period,
		payout=payout,
		payout_status=credit.payout.status if credit.payout else None,
	)


def _existing_transaction(transaction_id: str) -> str | None:
	"""The ledger row for ``transaction_id``, read with a locking read so that it sees rows committed by
	other transactions after ours began (a plain read under REPEATABLE READ might not)."""
	return frappe.db.get_value(LEDGER, {"transaction_id": transaction_id}, "name", for_update=True)


def _settle_earlier_attempts(transaction_id: str, ledger_row: str, callback: str | None) -> None:
	"""Inbox rows of the same TransID still waiting for a manager (an earlier Failed or Uncaptured delivery
	of this payment) are settled as Duplicate of the credit just made, so nobody credits it again by hand."""
	frappe.db.sql(
		"""update `tabTukTuk Callback`
		set status = 'Duplicate', `transaction` = %s, error = %s
		where trans_id = %s and name != %s and status in ('Failed', 'Uncaptured')
			and callback_type in ('C2B Confirmation', 'Manual Entry')""",
		(
			ledger_row,
			_("Settled: TransID credited by {0}").format(callback or ledger_row),
			transaction_id,
			callback or "",
		),
	)


def _duplicate(existing: str, payment) -> CreditResult:
	# A locking read: the row may have been committed after this transaction's snapshot was taken.
	row = frappe.db.get_value(
		LEDGER,
		existing,
		[
			"name",
			"driver",
			"amount",
			"driver_share",
			"target_contribution",
			"balance_period",
			"payout",
			"callback",
		],
		as_dict=True,
		for_update=True,
	)
	error = _("TransID already credited")
	if to_money(payment.amount) != to_money(row.amount):
		# The same receipt number with another amount is not a retry: keep it visible to an operator.
		error = _("TransID already credited with amount {0}; this delivery says {1}").format(
			to_money(row.amount), to_money(payment.amount)
		)
		frappe.log_error(
			title="M-Pesa Duplicate TransID Amount Mismatch",
			message=f"Ledger row {existing}: {error} (callback {payment.callback})",
			reference_doctype=LEDGER,
			reference_name=existing,
		)
	# The inbox row that made this credit (a concurrent replay of it lost the race) stays Processed: only
	# another delivery of the TransID is a Duplicate.
	if payment.callback and row.callback != payment.callback:
		inbox.mark(payment.callback, "Duplicate", transaction=existing, error=error)
	elif payment.callback:
		# ...and is Processed again if it was left pending (so the sweep does not take it up again).
		inbox.mark(payment.callback, "Processed", transaction=existing, payout=row.payout, error=None)
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


def _record_failure(payment, error: Exception) -> None:
	"""Keep the failure visible and the payment replayable: inbox row Failed with the error, an Error Log,
	both committed (the unit of work itself has been rolled back)."""
	message = f"{type(error).__name__}: {error}"
	if payment.callback:
		inbox.mark(payment.callback, "Failed", error=message)
	frappe.log_error(
		title="TukTuk Payment Credit Failed",
		message=f"TransID {payment.trans_id} (callback {payment.callback}):\n{traceback.format_exc()}",
		reference_doctype="TukTuk Callback" if payment.callback else None,
		reference_name=payment.callback,
	)
	# Boundary: the failure record survives even though the credit did not happen.
	frappe.db.commit()
