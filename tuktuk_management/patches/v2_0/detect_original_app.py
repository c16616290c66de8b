"""[pre_model_sync] Is this a site of the ORIGINAL tuktuk_management? Decided once and recorded for every
later upgrade patch (original_app.is_original_site).

The marks, any of which only the original leaves (this app keeps the original's DocTypes and driver columns
itself, so their mere presence proves nothing once our DocTypes are synced):
- TukTuk Settings values our Settings has no field for (the original's install saved every field of its
  Single, e.g. ``sms_provider``, ``global_rental_initial``, ``mpesa_api_key``); our first save after the
  migrate removes them, so they are read here, before anything saves it;
- a Patch Log entry of one of the original's own patches (``tuktuk_management.patches.<name>``; ours live
  in ``patches.v1_0``, ``patches.v2_0``);
- one of the original's DocTypes still in its module (``Tuktuk Management``): true until our sync moves it
  to TukTuk Legacy.
A site that ran this app has none of them; one made by this version never runs this patch (install marks
every patch done)."""

import frappe
from frappe.utils import now

from tuktuk_management.patches.v2_0.original_app import (
	LEGACY_SETTINGS,
	MARKER,
	SETTINGS,
	has_column,
	is_original_site,
	report,
	set_single_raw,
	table_exists,
)

ORIGINAL_SETTINGS = (
	"sms_provider",
	"global_rental_initial",
	"bonus_enabled",
	"mpesa_api_key",
	"update_interval",
)
ORIGINAL_DOCTYPES = (
	"TukTuk Rental",
	"Failed Transaction Log",
	"TukTuk Substitute Driver",
	"TukTuk Petty Cash",
)


def original_marks() -> list:
	marks = [
		f"TukTuk Settings.{field}"
		for field in ORIGINAL_SETTINGS
		if frappe.db.sql("select 1 from `tabSingles` where doctype=%s and field=%s", (SETTINGS, field))
	]
	column = "patch" if has_column("Patch Log", "patch") else "name"
	marks += [
		f"Patch Log {patch}"
		for patch in frappe.db.sql(
			f"""select `{column}` from `tabPatch Log` where `{column}` like 'tuktuk\\_management.patches.%%'
			and `{column}` not like 'tuktuk\\_management.patches.v%%'""",
			pluck=True,
		)
	]
	if table_exists("DocType"):
		marks += [
			f"DocType {doctype} in the original's module"
			for doctype in ORIGINAL_DOCTYPES
			if (frappe.db.get_value("DocType", doctype, "module") or "").lower() == "tuktuk management"
		]
	return marks


def execute():
	if is_original_site():
		return
	marks = original_marks()
	if not marks:
		return
	set_single_raw(LEGACY_SETTINGS, MARKER, "1")
	set_single_raw(LEGACY_SETTINGS, "upgraded_on", now())
	report("detected", {"marks": marks, "at": now()})
