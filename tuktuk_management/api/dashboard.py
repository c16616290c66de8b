"""Whitelisted number cards of the workspace "TukTuk Management" (managers only); the numbers come from
``tuktuk_management.dashboard``. A count card answers {value, fieldtype, route} (a click opens the route); the
shillings card answers text already in KES, which the card widget shows as it is (kes.py says why)."""

import frappe

from tuktuk_management import dashboard
from tuktuk_management.api import door
from tuktuk_management.kes import kes

__all__ = [
	"payments_today_card",
	"kes_today_card",
	"uncaptured_card",
	"payouts_attention_card",
	"discrepancies_card",
]


def _count(value: int, route: list, route_options: dict | None = None) -> dict:
	card = {"value": value, "fieldtype": "Int", "route": route}
	if route_options:
		card["route_options"] = route_options
	return card


@frappe.whitelist()
def payments_today_card(filters=None):
	door.require_manager()
	return _count(dashboard.payments_on().count, ["List", "TukTuk Transaction"])


@frappe.whitelist()
def kes_today_card(filters=None):
	door.require_manager()
	return kes(dashboard.payments_on().total)


@frappe.whitelist()
def uncaptured_card(filters=None):
	door.require_manager()
	return _count(dashboard.uncaptured_count(), ["query-report", "Uncaptured Payments"])


@frappe.whitelist()
def payouts_attention_card(filters=None):
	door.require_manager()
	return _count(dashboard.failed_or_in_doubt_count(), ["query-report", "Payouts Needing Attention"])


@frappe.whitelist()
def discrepancies_card(filters=None):
	door.require_manager()
	return _count(
		len(dashboard.discrepant_drivers()),
		["query-report", "Driver Balance Reconciliation"],
		{"only_discrepancies": 1},
	)
