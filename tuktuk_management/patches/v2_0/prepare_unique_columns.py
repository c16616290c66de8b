"""[pre_model_sync] Make the original's data fit the unique indexes our DocTypes keep or add, before the
model sync builds them: an empty M-Pesa account (vehicles), national ID (drivers) or device ID (vehicles)
becomes NULL (many NULLs fit a unique index, many '' do not), values are trimmed, and duplicates, which the
original only refused in code, stop the migrate with the list, so nothing is half-applied: fix them on the
original site (or in the restored database) and migrate again."""

import frappe

from tuktuk_management.patches.v2_0.original_app import has_column, is_original_site, report

UNIQUE = (
	("TukTuk Vehicle", "mpesa_account", True),  # compared case-insensitively, as payments resolve it
	("TukTuk Vehicle", "device_id", False),
	("TukTuk Vehicle", "device_imei", False),
	("TukTuk Driver", "driver_national_id", False),
)


def execute():
	if not is_original_site():
		return
	duplicates = {}
	for doctype, column, fold_case in UNIQUE:
		if not has_column(doctype, column):
			continue
		table = f"tab{doctype}"
		frappe.db.sql(f"update `{table}` set `{column}`=NULL where trim(coalesce(`{column}`, ''))=''")
		frappe.db.sql(
			f"update `{table}` set `{column}`=trim(`{column}`) where `{column}` != trim(`{column}`)"
		)
		key = f"upper(`{column}`)" if fold_case else f"binary `{column}`"
		rows = frappe.db.sql(
			f"""select {key}, group_concat(name order by name separator ', ')
			from `{table}` where `{column}` is not null group by {key} having count(*) > 1"""
		)
		if rows:
			duplicates[f"{doctype}.{column}"] = {str(value): names for value, names in rows}
	if duplicates:
		frappe.throw(
			f"The upgrade needs these values to be unique; change them and migrate again: {duplicates}",
			title="Duplicate values in the original app's data",
		)
	report("unique_columns", {"checked": [f"{d}.{c}" for d, c, _f in UNIQUE]})
