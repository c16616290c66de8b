"""Who may move money by hand: TukTuk Manager and System Manager (DESIGN invariant 5)."""

import frappe
from frappe import _

MANAGER_ROLES = ("TukTuk Manager", "System Manager")


def require_manager() -> None:
	"""Raise frappe.PermissionError unless the session user is a manager.

	Calls frappe.only_for as Frappe apps do, and checks the roles itself as well, because Frappe's only_for
	returns early when ``flags.in_test`` is set and the check must hold under tests too."""
	frappe.only_for(list(MANAGER_ROLES))
	if frappe.session.user != "Administrator" and set(MANAGER_ROLES).isdisjoint(frappe.get_roles()):
		frappe.throw(
			_("This action is only allowed for {0}").format(", ".join(MANAGER_ROLES)),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
