"""[post_model_sync] The original's Desk artefacts after its code is gone.

- Its four standard Script Reports (Deposit Management Report, Driver Performance Report, TukTuk Daily
  Report, TukTuk Driver Statement) have no code any more: running one fails with an import error. They are
  disabled (kept, so nothing linking them breaks); ours replace them (Driver Balance Reconciliation, the
  driver statement download).
- Its dashboard charts (Daily Revenue, Target Achievement Rate), its dashboard (Tuktuk Operations) and its
  onboarding read fields we still have: kept, made non-standard (their module folder is gone; a standard
  chart cannot be edited outside developer mode).
- Its module ``Tuktuk Management`` is ours spelled differently (MariaDB matches it anyway): renamed to our
  spelling, with every Link to it, byte for byte.
- Custom DocPerms (Role Permission Manager) on our DocTypes were made against the original's permissions,
  and on the original's DocTypes they would let managers write history we keep read-only: they replace a
  DocType's standard permissions wholesale, so ours would never apply. They are removed (listed in the
  upgrade report, so a fleet can redo any it still wants).
- The original's scheduled jobs (daily reset, SMS reminders, reports, battery checks) are removed by
  Frappe's own migrate (its hooks are gone); nothing to do here."""

import os

import frappe

from tuktuk_management.patches.v2_0.original_app import is_original_site, rename_link_target, report

REPORTS = (
	"Deposit Management Report",
	"Driver Performance Report",
	"TukTuk Daily Report",
	"TukTuk Driver Statement",
)
CHARTS = ("Daily Revenue", "Target Achievement Rate")
OUR_MODULES = ("TukTuk Management", "TukTuk Legacy")


def execute():
	if not is_original_site():
		return
	module = rename_link_target("Module Def", "Tuktuk Management", "TukTuk Management")
	frappe.db.sql(
		"update `tabModule Def` set module_name=%s where binary name=%s", ("TukTuk Management",) * 2
	)
	disabled = []
	for name in REPORTS:
		module = frappe.db.get_value("Report", name, "module")
		if module and not os.path.isdir(frappe.get_module_path(module, "report", frappe.scrub(name))):
			frappe.db.set_value("Report", name, "disabled", 1, update_modified=False)
			disabled.append(name)
	charts = [name for name in CHARTS if frappe.db.exists("Dashboard Chart", name)]
	for name in charts:
		frappe.db.set_value("Dashboard Chart", name, "is_standard", 0, update_modified=False)
	dashboards = frappe.get_all(
		"Dashboard", filters={"module": "TukTuk Management", "is_standard": 1}, pluck="name"
	)
	for name in dashboards:
		frappe.db.set_value("Dashboard", name, "is_standard", 0, update_modified=False)
	ours = [name for name in frappe.get_all("DocType", filters={"module": ("in", OUR_MODULES)}, pluck="name")]
	removed = frappe.db.sql(
		"""select parent, role, permlevel, `read`, `write`, `create`, `delete`, `submit`, `report`, `export`
		from `tabCustom DocPerm` where parent in %(doctypes)s order by parent, role""",
		{"doctypes": ours},
		as_dict=True,
	)
	if removed:
		frappe.db.sql("delete from `tabCustom DocPerm` where parent in %(doctypes)s", {"doctypes": ours})
		for doctype in {row.parent for row in removed}:
			frappe.clear_cache(doctype=doctype)
	report(
		"desk",
		{
			"module_renamed": module,
			"reports_disabled": disabled,
			"charts_made_non_standard": charts,
			"dashboards_made_non_standard": dashboards,
			"custom_docperms_removed": removed,
		},
	)
