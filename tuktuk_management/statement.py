"""Driver statement: the driver's credited ledger rows for a range of balance periods, and its CSV.

Rows are selected by ``balance_period`` (the period crediting put them in) and ``payment_status =
"Completed"``: exactly the rows reconciliation sums. So for the open period the ``target_contribution``
column totals the driver's ``current_balance``, which is how drivers check their balance.
"""

import csv
import io

import frappe
from frappe import _
from frappe.utils import getdate

from tuktuk_management.money import ZERO, to_money

DRIVER = "TukTuk Driver"
LEDGER = "TukTuk Transaction"

COLUMNS = (
	"timestamp",
	"transaction_id",
	"transaction_type",
	"tuktuk",
	"customer_phone",
	"amount",
	"driver_share",
	"target_contribution",
	"payment_status",
	"balance_period",
	"b2c_payment_sent",
)
MONEY_COLUMNS = ("amount", "driver_share", "target_contribution")


def get_statement(driver: str, from_date=None, to_date=None) -> dict:
	"""The driver's Completed ledger rows with ``from_date <= balance_period <= to_date``, oldest first.

	Both dates default to the driver's open period (one missing date takes the other's value). Totals are
	Decimal; ``total_target_contribution`` equals ``current_balance`` when the range is the open period."""
	info = frappe.db.get_value(
		DRIVER, driver, ["name", "driver_name", "current_balance", "balance_period"], as_dict=True
	)
	if not info:
		frappe.throw(_("TukTuk Driver {0} not found").format(driver), frappe.DoesNotExistError)
	open_period = getdate(info.balance_period) if info.balance_period else None
	start = getdate(from_date) if from_date else None
	end = getdate(to_date) if to_date else None
	start, end = start or end or open_period, end or start or open_period
	if start and end and start > end:
		frappe.throw(_("From date {0} is after to date {1}").format(start, end))

	if start is None:  # no period was ever opened for this driver: its credits carry a NULL period
		condition, values = "balance_period IS NULL", (driver,)
	else:
		condition, values = "balance_period BETWEEN %s AND %s", (driver, start, end)
	rows = frappe.db.sql(
		f"""SELECT {", ".join(COLUMNS)}
		FROM `tab{LEDGER}`
		WHERE driver = %s AND payment_status = 'Completed' AND {condition}
		ORDER BY balance_period, timestamp, creation""",
		values,
		as_dict=True,
	)
	totals = {column: ZERO for column in MONEY_COLUMNS}
	for row in rows:
		for column in MONEY_COLUMNS:
			row[column] = to_money(row[column])
			totals[column] += row[column]
	return frappe._dict(
		driver=info.name,
		driver_name=info.driver_name,
		from_date=start,
		to_date=end,
		balance_period=open_period,
		covers_open_period=start is None or (start <= open_period <= end if open_period else False),
		current_balance=to_money(info.current_balance),
		transactions_count=len(rows),
		total_amount=totals["amount"],
		total_driver_share=totals["driver_share"],
		total_target_contribution=totals["target_contribution"],
		rows=rows,
	)


def _cell(value):
	if value is None:
		return ""
	return str(value)


def statement_csv(statement: dict) -> str:
	"""The statement as CSV text: a header, one line per ledger row, a blank line, then the totals."""
	out = io.StringIO()
	writer = csv.writer(out, lineterminator="\n")
	writer.writerow(COLUMNS)
	for row in statement["rows"]:
		writer.writerow([_cell(row.get(column)) for column in COLUMNS])
	writer.writerow([])
	writer.writerow(["driver", statement["driver"], statement["driver_name"] or ""])
	writer.writerow(["from_date", _cell(statement["from_date"]), "to_date", _cell(statement["to_date"])])
	writer.writerow(["transactions_count", statement["transactions_count"]])
	writer.writerow(["total_amount", statement["total_amount"]])
	writer.writerow(["total_driver_share", statement["total_driver_share"]])
	writer.writerow(["total_target_contribution", statement["total_target_contribution"]])
	writer.writerow(
		["current_balance", statement["current_balance"], "open_period", _cell(statement["balance_period"])]
	)
	return out.getvalue()


def statement_filename(statement: dict) -> str:
	"""A download name without extension (Frappe's ``as_csv`` appends ``.csv`` to ``response["doctype"]``)."""
	start, end = statement["from_date"], statement["to_date"]
	period = f"{start}" if start == end else f"{start}_to_{end}"
	return f"statement_{statement['driver']}_{period}"
