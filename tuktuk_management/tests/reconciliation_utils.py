"""Factories for the reconciliation, daily close and statement tests (helpdesk-style test utils).

``record_payment`` writes what crediting writes (a ledger row in the locked driver's period and the atomic
balance increment) without crediting's commit, so the FrappeTestCase rollback cleans it up.
"""

import itertools
import secrets
from decimal import Decimal

import frappe
from frappe.utils import getdate, now_datetime

from tuktuk_management import records
from tuktuk_management.money import sql_money, to_money

DRIVER = "TukTuk Driver"
LEDGER = "TukTuk Transaction"
_sequence = itertools.count(1)

# Every table the self-check could write to: it must leave each one's row count as it found it.
SELF_CHECK_TABLES = (
	"TukTuk Driver",
	"TukTuk Transaction",
	"TukTuk Payout",
	"TukTuk Balance Reconciliation",
	"TukTuk Daily Close",
	"Comment",
	"Error Log",
)


def row_counts(tables=SELF_CHECK_TABLES) -> dict:
	return {table: frappe.db.count(table) for table in tables}


def make_driver(**fields) -> str:
	"""A TukTuk Driver (Active, target 1000 unless given); returns its name."""
	n = next(_sequence)
	doc = frappe.get_doc(
		{
			"doctype": DRIVER,
			"driver_first_name": "Recon",
			"driver_last_name": f"Driver {n}",
			"mpesa_number": f"2547{n % 100000000:08d}",
			"status": "Active",
			"daily_target": 1000,
			**fields,
		}
	).insert(ignore_permissions=True)
	return doc.name


def record_payment(driver: str, amount, contribution, status="Completed", period=None) -> str:
	"""A payment as crediting records it, under the driver's row lock; returns the ledger row's name.

	Only a Completed payment into the driver's open period moves the balance (``period`` puts the row in
	another period, as if it had been credited before a close)."""
	amount, contribution = to_money(amount), to_money(contribution)
	locked = frappe.db.get_value(DRIVER, driver, ["balance_period"], as_dict=True, for_update=True)
	row = records.insert(
		{
			"doctype": LEDGER,
			"transaction_id": f"RECON{secrets.token_hex(6).upper()}",
			"transaction_type": "Payment",
			"driver": driver,
			"amount": amount,
			"driver_share": amount - contribution,
			"target_contribution": contribution,
			"payment_status": status,
			"balance_period": period or locked.balance_period,
			"timestamp": now_datetime(),
		}
	)
	if status == "Completed" and not period:
		frappe.db.sql(
			f"UPDATE `tab{DRIVER}` SET current_balance = current_balance + %s WHERE name = %s",
			(sql_money(contribution), driver),
		)
	return row.name


def corrupt_balance(driver: str, delta) -> None:
	"""Move the stored balance away from the ledger (a lost or doubled update)."""
	frappe.db.sql(
		f"UPDATE `tab{DRIVER}` SET current_balance = current_balance + %s WHERE name = %s",
		(sql_money(delta), driver),
	)


def balance_of(driver: str) -> Decimal:
	return to_money(frappe.db.get_value(DRIVER, driver, "current_balance"))


def period_of(driver: str):
	return getdate(frappe.db.get_value(DRIVER, driver, "balance_period"))


def error_logs(driver: str, title: str, since: str) -> int:
	"""Error Logs titled ``title`` about ``driver`` written since ``since`` (frappe.utils.now() taken at the
	start of the test): Error Log survives rollbacks, and a later test may reuse a rolled-back driver name."""
	return frappe.db.count(
		"Error Log", {"reference_name": driver, "method": title, "creation": [">=", since]}
	)


class CountQueries:
	"""Counts ``frappe.db.sql`` calls in a block (assertQueryCount only bounds them from above)."""

	def __enter__(self):
		self.count = 0
		db = frappe.local.db
		original = db.sql

		def counting(*args, **kwargs):
			self.count += 1
			return original(*args, **kwargs)

		db.sql = counting
		self._db = db
		return self

	def __exit__(self, *exc):
		self._db.__dict__.pop("sql", None)


class CountCommits:
	"""Replaces ``frappe.db.commit`` by a counter in a block, so code that commits can be tested inside a
	FrappeTestCase's rolled-back transaction."""

	def __enter__(self):
		self.count = 0
		db = frappe.local.db

		def counting(*args, **kwargs):
			self.count += 1

		db.commit = counting
		self._db = db
		return self

	def __exit__(self, *exc):
		self._db.__dict__.pop("commit", None)
