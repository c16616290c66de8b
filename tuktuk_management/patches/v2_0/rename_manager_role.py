"""[pre_model_sync] The original's managers keep working: its role ``Tuktuk Manager`` becomes our
``TukTuk Manager``.

MariaDB compares names case-insensitively, Frappe's role checks (``frappe.get_roles``, DocPerm matching) do
not: left alone, the fixture import would find the old row, rename it, and every user's ``Has Role`` would
still say ``Tuktuk Manager`` (403 everywhere). So the Role, and every Link to it (Has Role of users, role
profiles, reports, pages and workspaces, DocPerm, Custom DocPerm, onboarding permissions and any custom
Link to Role), is renamed byte for byte before the model sync. The original's never-shipped ``Tuktuk
Executive`` is left as it is (a product decision: its holders get nothing of ours)."""

import frappe

from tuktuk_management.patches.v2_0.original_app import is_original_site, rename_link_target, report

OLD, NEW = "Tuktuk Manager", "TukTuk Manager"


def execute():
	if not is_original_site():
		return
	changed = rename_link_target("Role", OLD, NEW)
	frappe.db.sql("update `tabRole` set role_name=%s where binary name=%s", (NEW, NEW))
	holders = frappe.db.sql(
		"select distinct parent from `tabHas Role` where parenttype='User' and binary role=%s order by parent",
		(NEW,),
		pluck=True,
	)
	executives = frappe.db.sql(
		"select distinct parent from `tabHas Role` where parenttype='User' and role='Tuktuk Executive'",
		pluck=True,
	)
	report(
		"manager_role",
		{
			"renamed": f"{OLD} -> {NEW}",
			"rows": changed,
			"managers": holders,
			"tuktuk_executive_left_as_is": executives,
		},
	)
	frappe.clear_cache()
