"""The ledger: the one module that writes a driver's money.

A driver's money fields (``MONEY_FIELDS``: current_balance, left_to_target, share_carry, balance_period,
consecutive_misses) are written here and nowhere else (tests/architecture/test_boundaries.py fails
otherwise), always under the driver's row lock (``lock_driver``), in the caller's transaction:

- ``credit``: a payment (C2B confirmation, an uncaptured payment assigned by a manager, a missed
  transaction entered by hand): split from the locked balance, a ledger row (TukTuk Transaction), its payout
  created by the outbox, and ONE atomic UPDATE of balance, left_to_target, share_carry and the open period;
- ``close_period``: the daily close's per-driver step: a TukTuk Daily Close record, the misses counted, the
  balance back to 0 and the next period opened;
- ``set_balance_by_fix``: reconciliation's fix, the balance set to the ledger's own total for the open
  period. The one change without a ledger row: reconciliation keeps its audit trail (Comment, TukTuk Balance
  Reconciliation record, Error Log);
- ``add_adjustment``: a manager's correction, as a NEW ledger row (type Adjustment) and the same atomic
  UPDATE: ledger rows are never changed or deleted (tuktuk_management/records.py), so this is how a wrong
  balance is put right with a trace;
- ``guard_driver_form`` / ``after_driver_save``: a form save never writes a balance; a new driver's first
  period is opened, and a new daily target recomputes what is left.

``left_to_target`` has ONE formula, ``_balance_sql``, used by every one of these.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import frappe
from frappe import _
from frappe.utils import cint, getdate, now_datetime

from tuktuk_management import records
from tuktuk_management.money import ZERO, sql_money, to_money
from tuktuk_management.payouts import outbox
from tuktuk_management.split import (
	Split,
	compute_split,
	deposit_split,
	effective_daily_target,
	effective_fare_percentage,
	target_sharing_enabled,
)
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings
from tuktuk_management.upgrade import verification

if TYPE_CHECKING:
	from tuktuk_management.c2b import C2BPayment

DRIVER = "TukTuk Driver"
LEDGER = "TukTuk Transaction"
DAILY_CLOSE = "TukTuk Daily Close"

MONEY_FIELDS = ("current_balance", "left_to_target", "share_carry", "balance_period", "consecutive_misses")
# What a locked driver row carries: the money and everything a credit or a close decides with.
LOCKED_FIELDS = (
	"name",
	"driver_name",
	"status",
	"mpesa_number",
	"assigned_tuktuk",
	"daily_target",
	"fare_percentage",
	"target_sharing_override",
	*MONEY_FIELDS,
)

# How a payment is credited: SPLIT between the driver (paid out) and the target; DEPOSIT all to the target.
SPLIT, DEPOSIT = "split", "deposit"


def lock_driver(driver: str, *, missing_ok: bool = False) -> frappe._dict | None:
	"""The driver's row, locked until the transaction ends: the lock every write of money takes, and the
	values to decide with (read by the locking read, so they are the latest committed ones)."""
	row = frappe.db.get_value(DRIVER, driver, LOCKED_FIELDS, as_dict=True, for_update=True, order_by=None)
	if not row and not missing_ok:
		frappe.throw(_("TukTuk Driver {0} not found").format(driver), frappe.DoesNotExistError)
	return row


def _balance_sql(new_balance: str) -> str:
	"""The SET clause of every balance change (the one formula for left_to_target): ``current_balance``
	becomes ``new_balance`` (SQL over the row's columns and named parameters) and ``left_to_target`` what
	remains of ``%(target)s`` above it, never below zero.

	left_to_target is assigned FIRST, from the same expression, so it reads the old columns on both backends:
	MariaDB evaluates SET assignments left to right (a later expression sees an earlier column's new value),
	SQLite evaluates every expression against the old row. CASE instead of GREATEST: SQLite has no GREATEST."""
	return (
		f"left_to_target = CASE WHEN %(target)s - ({new_balance}) > 0"
		f" THEN %(target)s - ({new_balance}) ELSE 0 END, current_balance = {new_balance}"
	)


# -- crediting a payment ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
	"""What ``credit`` wrote: the ledger row, the split, the period credited, and the payout (if any)."""

	transaction: str
	driver: str
	split: Split
	balance_period: object
	payout: outbox.NewPayout | None


def credit(payment: "C2BPayment", settings) -> Credit:
	"""Credit ``payment`` to ``payment.driver`` in the caller's transaction (no commit): lock the driver,
	split from the locked balance, append the ledger row (its unique transaction_id refuses a repeat), have
	the outbox create the payout, then ONE atomic UPDATE of the driver's money."""
	locked = lock_driver(payment.driver)
	target = effective_daily_target(locked.daily_target, settings.global_target)
	if payment.mode == DEPOSIT:
		split = deposit_split(payment.amount)
	else:
		split = compute_split(
			payment.amount,
			locked.current_balance,
			target,
			effective_fare_percentage(locked.fare_percentage, settings.global_fare),
			target_sharing_enabled(locked.target_sharing_override, settings.target_sharing),
		)
	# A payment belongs to the period that was open when its lock was taken.
	period = getdate(locked.balance_period) if locked.balance_period else settings.business_date()

	row = records.insert(
		{
			"doctype": LEDGER,
			"transaction_id": payment.trans_id,
			"transaction_type": "Deposit" if payment.mode == DEPOSIT else "Payment",
			"tuktuk": payment.tuktuk or locked.assigned_tuktuk,
			"driver": locked.name,
			"amount": split.amount,
			"driver_share": split.driver_share,
			"target_contribution": split.target_contribution,
			"customer_phone": payment.msisdn,
			"timestamp": payment.trans_time or now_datetime(),
			"payment_status": "Completed",
			"balance_period": period,
			"bill_ref_number": payment.bill_ref_number,
			"callback": payment.callback,
			"remarks": payment.remarks,
		}
	)

	# Held On Hold while M-Pesa is asked to confirm the payment first (upgrade.verification).
	held = payment.verify_first or verification.needs_check(split.driver_share, settings)
	payout = outbox.create_payout(row, locked, go_out=settings.payouts_go_out and not held)
	frappe.db.sql(
		f"""UPDATE `tab{DRIVER}`
		SET {_balance_sql("current_balance + %(contribution)s")},
			share_carry = share_carry + %(carried)s,
			balance_period = COALESCE(balance_period, %(period)s)
		WHERE name = %(driver)s""",
		{
			"target": sql_money(target),
			"contribution": sql_money(split.target_contribution),
			# B2C pays whole shillings: the cents of a share wait on the driver for the next payout.
			"carried": sql_money(payout.carry_out - payout.carry_in if payout else ZERO),
			"period": period,
			"driver": locked.name,
		},
	)
	return Credit(row.name, locked.name, split, period, payout)


# -- balance periods ----------------------------------------------------------------------------------------


def close_period(driver: str, new_period, global_target) -> frappe._dict | None:
	"""The daily close's per-driver step, under the row lock: record the closing balance (TukTuk Daily Close),
	count the misses, and open ``new_period`` at a zero balance. None when the driver is gone or its period is
	already ``new_period`` or later (closed by a run that held the lock before us)."""
	locked = lock_driver(driver, missing_ok=True)
	if not locked or (locked.balance_period and getdate(locked.balance_period) >= new_period):
		return None
	target = effective_daily_target(locked.daily_target, global_target)
	closing = to_money(locked.current_balance)
	target_met = closing >= target
	misses = 0 if target_met else cint(locked.consecutive_misses) + 1
	close = records.insert(
		{
			"doctype": DAILY_CLOSE,
			"driver": driver,
			"balance_period": locked.balance_period,
			"closing_balance": closing,
			"daily_target": target,
			"target_met": 1 if target_met else 0,
			"consecutive_misses": misses,
			"new_period": new_period,
		}
	)
	_open_period(driver, new_period, target, misses)
	return frappe._dict(
		driver=driver,
		daily_close=close.name,
		closed_period=getdate(locked.balance_period) if locked.balance_period else None,
		closing_balance=closing,
		daily_target=target,
		target_met=target_met,
		consecutive_misses=misses,
		new_period=new_period,
	)


def _open_period(driver: str, period, target, misses: int) -> None:
	"""Start ``period`` for a locked driver: nothing credited yet, so all of the target is left."""
	frappe.db.sql(
		f"""UPDATE `tab{DRIVER}`
		SET {_balance_sql("%(balance)s")}, consecutive_misses = %(misses)s, balance_period = %(period)s
		WHERE name = %(driver)s""",
		{
			"target": sql_money(target),
			"balance": sql_money(ZERO),
			"misses": misses,
			"period": period,
			"driver": driver,
		},
	)


# -- reconciliation -----------------------------------------------------------------------------------------


def set_balance_by_fix(locked: frappe._dict, balance: Decimal, target) -> None:
	"""Reconciliation's fix: set the balance of a driver locked with ``lock_driver`` to ``balance``, the ledger's
	own total for the open period (recomputed under that lock), and what is left of ``target`` with it. Writes
	no ledger row; the caller leaves the audit trail."""
	frappe.db.sql(
		f"UPDATE `tab{DRIVER}` SET {_balance_sql('%(balance)s')} WHERE name = %(driver)s",
		{"target": sql_money(target), "balance": sql_money(balance), "driver": locked.name},
	)


# -- corrections --------------------------------------------------------------------------------------------

ADJUSTMENT_PREFIX = "ADJ"
# The largest correction one row may carry (the ceiling of one M-Pesa payment, as for a missed transaction).
MAX_ADJUSTMENT = Decimal("250000")


def add_adjustment(driver: str, amount: Decimal, reason: str, user: str) -> frappe._dict:
	"""A manager's correction of ``driver``'s balance by ``amount`` (positive or negative), in the caller's
	transaction: under the row lock, a new ledger row (type Adjustment, transaction id ``ADJ-...``, the
	amount as its target contribution, nothing paid out, ``reason`` and ``user`` in its remarks) and the one
	atomic UPDATE. Refused when it would take the balance below zero."""
	locked = lock_driver(driver)
	settings = get_settings()
	target = effective_daily_target(locked.daily_target, settings.global_target)
	if to_money(locked.current_balance) + amount < 0:
		frappe.throw(
			_("An adjustment of {0} would take the balance of {1} ({2}) below zero").format(
				amount, driver, to_money(locked.current_balance)
			),
			title=_("Invalid Adjustment"),
		)
	period = getdate(locked.balance_period) if locked.balance_period else settings.business_date()
	row = records.insert(
		{
			"doctype": LEDGER,
			"transaction_id": f"{ADJUSTMENT_PREFIX}-{frappe.generate_hash(length=12).upper()}",
			"transaction_type": "Adjustment",
			"tuktuk": locked.assigned_tuktuk or None,
			"driver": driver,
			"amount": abs(amount),
			"driver_share": ZERO,
			"target_contribution": amount,
			"timestamp": now_datetime(),
			"payment_status": "Completed",
			"balance_period": period,
			"b2c_payment_sent": 1,
			"remarks": _("Adjustment by {0}: {1}").format(user, reason),
		}
	)
	frappe.db.sql(
		f"""UPDATE `tab{DRIVER}`
		SET {_balance_sql("current_balance + %(contribution)s")}, balance_period = COALESCE(balance_period, %(period)s)
		WHERE name = %(driver)s""",
		{"target": sql_money(target), "contribution": sql_money(amount), "period": period, "driver": driver},
	)
	return frappe._dict(
		transaction=row.name,
		transaction_id=row.transaction_id,
		driver=driver,
		amount=amount,
		balance_period=period,
		new_balance=to_money(locked.current_balance) + amount,
	)


# -- the driver form --------------------------------------------------------------------------------------


def guard_driver_form(doc) -> None:
	"""TukTuk Driver ``validate``: balances never come from the form. A new driver's money fields start empty
	(its first period is opened by ``after_driver_save``); a save puts back what is in the database, read under
	the row lock (``save`` holds it already), so a stale form cannot overwrite a balance payments have moved."""
	if doc.is_new():
		for fieldname in MONEY_FIELDS:
			doc.set(fieldname, None if fieldname == "balance_period" else 0)
		return
	stored = lock_driver(doc.name, missing_ok=True)
	if stored:
		for fieldname in MONEY_FIELDS:
			doc.set(fieldname, stored.get(fieldname))


def after_driver_save(doc) -> None:
	"""TukTuk Driver ``on_update``: open a new driver's first period (today's business date, zero balance),
	or, when the daily target changed, recompute what is left of it from the stored balance; then show the
	stored values on the document."""
	before = doc.get_doc_before_save()
	if before is not None and to_money(before.daily_target) == to_money(doc.daily_target):
		return
	settings = get_settings()
	target = effective_daily_target(doc.daily_target, settings.global_target)
	if before is None:
		_open_period(doc.name, settings.business_date(), target, 0)
	else:
		frappe.db.sql(
			f"UPDATE `tab{DRIVER}` SET {_balance_sql('current_balance')} WHERE name = %(driver)s",
			{"target": sql_money(target), "driver": doc.name},
		)
	doc.update(frappe.db.get_value(DRIVER, doc.name, MONEY_FIELDS, as_dict=True))


# -- a site upgraded from the original app ------------------------------------------------------------------

UPGRADE_ROW_PREFIX = "UPG"


def adopt_original_balance(driver: str, period, global_target) -> frappe._dict:
	"""A site upgraded from the original tuktuk_management (patches/v2_0/balance_periods): make a driver's
	balance the ledger's total for its open period, WITHOUT changing the balance.

	Under the row lock: a driver without a period gets ``period`` (the original's day its balance belongs to).
	Where the balance differs from the Completed ledger rows of that period (credits the original made but
	recorded otherwise: uncaptured payments left Pending, withdrawals that zeroed a balance without a row,
	its reconciliation's overwrites), ONE opening row carries the difference: type Adjustment, transaction id
	``UPG-<driver>-<YYYYMMDD>``, the difference as its target contribution, nothing paid out. Then
	``left_to_target`` is recomputed with the one formula (the original's was short by each credit).
	Idempotent: once the opening row is there, the difference is 0 and nothing is written but the same
	``left_to_target``."""
	locked = lock_driver(driver)
	if locked.balance_period:
		period = getdate(locked.balance_period)
	else:
		period = getdate(period)
		frappe.db.sql(f"UPDATE `tab{DRIVER}` SET balance_period = %s WHERE name = %s", (period, driver))
	total = frappe.db.sql(
		f"""SELECT COALESCE(SUM(target_contribution), 0) FROM `tab{LEDGER}`
		WHERE driver = %s AND payment_status = 'Completed' AND balance_period = %s FOR UPDATE""",
		(driver, period),
	)[0][0]
	balance = to_money(locked.current_balance)
	difference = balance - to_money(total)
	opening = None
	if difference:
		opening = records.insert(
			{
				"doctype": LEDGER,
				"transaction_id": f"{UPGRADE_ROW_PREFIX}-{driver}-{period:%Y%m%d}",
				"transaction_type": "Adjustment",
				"tuktuk": locked.assigned_tuktuk or None,
				"driver": driver,
				"amount": abs(difference),
				"driver_share": ZERO,
				"target_contribution": difference,
				"timestamp": now_datetime(),
				"payment_status": "Completed",
				"balance_period": period,
				"b2c_payment_sent": 1,
				"remarks": _(
					"Opening balance at the upgrade from the original app: its balance of {0} for {1} "
					"included {2} its ledger rows do not show as Completed in that day (uncaptured payments "
					"left Pending, withdrawals, its reconciliation's changes). Nothing was paid out."
				).format(balance, period, difference),
			}
		)
	target = effective_daily_target(locked.daily_target, global_target)
	frappe.db.sql(
		f"UPDATE `tab{DRIVER}` SET {_balance_sql('current_balance')} WHERE name = %(driver)s",
		{"target": sql_money(target), "driver": driver},
	)
	return frappe._dict(
		driver=driver,
		balance_period=period,
		balance=balance,
		ledger_total=to_money(total),
		opening_row=opening.name if opening else None,
		opening_amount=difference,
		daily_target=target,
	)


def assign_original_periods(period, reset_moment, earlier_resets) -> None:
	"""The original app's ledger rows (no period yet) get the period their credit counted toward, by the
	original's rule (patches/v2_0/balance_periods): credited at or after ``reset_moment`` (the reset that
	opened ``period``), ``period``; credited between two earlier resets (``earlier_resets``, ascending), the
	day of the earlier one; credited before any reset on record, the day it was credited. Rows that have a
	period are never touched (ours, or a re-run)."""
	credited = "coalesce(creation, timestamp)"
	frappe.db.sql(
		f"UPDATE `tab{LEDGER}` SET balance_period = %s WHERE balance_period IS NULL AND {credited} >= %s",
		(period, reset_moment),
	)
	for start, end in zip(earlier_resets, [*earlier_resets[1:], reset_moment], strict=True):
		frappe.db.sql(
			f"""UPDATE `tab{LEDGER}` SET balance_period = %s
			WHERE balance_period IS NULL AND {credited} >= %s AND {credited} < %s""",
			(getdate(start), start, end),
		)
	frappe.db.sql(f"UPDATE `tab{LEDGER}` SET balance_period = DATE({credited}) WHERE balance_period IS NULL")
