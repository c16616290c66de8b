"""Kenyan shillings in Desk, whatever the site's default currency.

Frappe v15 picks a Currency field's currency from ``doc[df.options]`` (frappe/model/meta.py and
public/js/frappe/model/meta.js ``get_field_currency``), falling back to the site default. So every Currency
field of the app names the hidden ``currency`` field (default KES), and every report row carries ``currency`` which
its money columns name (the report's total row borrows the first row's, query_report.js ``format_cell``). The
hidden column is Data, not a Link to Currency: a Link column makes v15 check the user's read permission on
Currency (query_report.get_user_match_filters), which a TukTuk Manager lacks. Number cards return text
already formatted (the card widget shows a plain string as it is)."""

from decimal import Decimal

from tuktuk_management.money import to_money

CURRENCY = "KES"

CURRENCY_COLUMN = {
	"fieldname": "currency",
	"label": "Currency",
	"fieldtype": "Data",
	"hidden": 1,
	"width": 60,
}


def money_column(fieldname: str, label: str, width: int = 120) -> dict:
	"""A report column of shillings."""
	return {
		"fieldname": fieldname,
		"label": label,
		"fieldtype": "Currency",
		"options": "currency",
		"width": width,
	}


def in_kes(rows: list[dict]) -> list[dict]:
	"""The rows, each marked KES (what ``money_column`` reads)."""
	for row in rows:
		row["currency"] = CURRENCY
	return rows


def kes(amount) -> str:
	"""``KES 1,234.50``: an amount as a manager reads it (cards, the /tuktuk page)."""
	value: Decimal = to_money(amount)
	sign = "-" if value < 0 else ""
	return f"{CURRENCY} {sign}{abs(value):,.2f}"
