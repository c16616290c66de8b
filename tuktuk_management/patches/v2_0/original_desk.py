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

from tuktuk_management.patches.v2_0.original_app import (
	is_original_site,
	rename_link_target,
	report,
	table_exists,
)

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
	if table_exists("Module Def"):
		frappe.db.sql(
			"update `tabModule Def` set module_name=%s where binary name=%s", ("TukTuk Management",) * 2
		)
	disabled = []
	for name in REPORTS:
		row = _rows("Report", "name, module", "name=%s", (name,))
		if row and not os.path.isdir(frappe.get_module_path(row[0][1], "report", frappe.scrub(name))):
			frappe.db.sql("update `tabReport` set disabled=1 where name=%s", (name,))
			disabled.append(name)
	charts = [r[0] for r in _rows("Dashboard Chart", "name", "name in %(names)s", {"names": CHARTS})]
	if charts:
		frappe.db.sql(
			"update `tabDashboard Chart` set is_standard=0 where name in %(names)s", {"names": charts}
		)
	dashboards = [
		r[0] for r in _rows("Dashboard", "name", "module=%s and is_standard=1", ("TukTuk Management",))
	]
	if dashboards:
		frappe.db.sql(
			"update `tabDashboard` set is_standard=0 where name in %(names)s", {"names": dashboards}
		)
	ours = frappe.db.sql(
		"select name from `tabDocType` where module in %(modules)s", {"modules": OUR_MODULES}, pluck=True
	)
	removed = (
		frappe.db.sql(
			"""select parent, role, permlevel, `read`, `write`, `create`, `delete`, `submit`, `report`, `export`
		from `tabCustom DocPerm` where parent in %(doctypes)s order by parent, role""",
			{"doctypes": ours},
			as_dict=True,
		)
		if ours and table_exists("Custom DocPerm")
		else []
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


def _rows(doctype: str, columns: str, condition: str, values):
	"""Plain SQL on Frappe's own tables (their DocTypes may not be loaded where the patch runs)."""
	if not table_exists(doctype):
		return []
	return frappe.db.sql(f"select {columns} from `tab{doctype}` where {condition}", values)
