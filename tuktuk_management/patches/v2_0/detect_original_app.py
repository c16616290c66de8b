"""[pre_model_sync] Is this a site of the ORIGINAL tuktuk_management? Decided once, before our DocTypes are
synced over the original's, and recorded for every later upgrade patch (original_app.is_original_site).

The original left tables our app never had (TukTuk Rental, Failed Transaction Log, TukTuk Substitute Driver,
...) and columns on TukTuk Driver it alone had (driver_license, deposit_required, is_rollover_target). A site
that ran this app has none of them before this migrate; one made by this version never runs this patch
(install marks every patch done)."""

from frappe.utils import now

from tuktuk_management.patches.v2_0.original_app import (
	LEGACY_SETTINGS,
	MARKER,
	has_column,
	is_original_site,
	report,
	set_single_raw,
	table_exists,
)

ORIGINAL_TABLES = ("TukTuk Rental", "Failed Transaction Log", "TukTuk Substitute Driver", "TukTuk Petty Cash")
ORIGINAL_DRIVER_COLUMNS = ("driver_license", "deposit_required", "is_rollover_target")


def execute():
	if is_original_site():
		return
	found = [f"table {t}" for t in ORIGINAL_TABLES if table_exists(t)] + [
		f"TukTuk Driver.{c}" for c in ORIGINAL_DRIVER_COLUMNS if has_column("TukTuk Driver", c)
	]
	if not found:
		return
	set_single_raw(LEGACY_SETTINGS, MARKER, "1")
	set_single_raw(LEGACY_SETTINGS, "upgraded_on", now())
	report("detected", {"found": found, "at": now()})
