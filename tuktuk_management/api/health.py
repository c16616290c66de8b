"""Whitelisted health and connection endpoints (managers only): what Desk shows on the workspace's health
indicator and behind TukTuk Settings' Test connection button. The checks live in ``tuktuk_management.health``
and ``tuktuk_management.connection``; this module only checks the role and calls them."""

import frappe

from tuktuk_management import connection, health
from tuktuk_management.api import door

__all__ = ["get_health", "health_card", "test_connection"]


@frappe.whitelist()
def get_health():
	"""The health report: ``status`` (OK/WARN/FAIL), ``counts`` and one ``items`` row per check."""
	door.require_manager()
	return health.get_report()


@frappe.whitelist()
def health_card(filters=None):
	"""The workspace number card: how many health items FAIL (0 is healthy), without the Daraja call so the
	workspace stays fast; the card's route opens the full report."""
	door.require_manager()
	report = health.get_report(check_daraja=False)
	return {"value": report["counts"][health.FAIL], "fieldtype": "Int"}


@frappe.whitelist(methods=["POST"])
def test_connection():
	"""Ask Daraja for an OAuth token with the saved TukTuk Settings and say what is wrong, if anything."""
	door.require_manager()
	return connection.check_connection(fresh=True).as_dict()
