"""What the upgrade patches from the original tuktuk_management share (docs/upgrading.md).

The patches speak MariaDB (``binary`` comparisons, ``date()``): the original ran on Frappe v15 with MariaDB,
the only place such a site can come from. On another backend they only find that the site is not one.

A site that ran the ORIGINAL app (yudamedia/tuktuk-management) has the same app name, so ``bench migrate``
with our code runs our patches on it. ``patches/v2_0/detect_original_app.py`` (the first patch, before the
model sync, while the original's tables are untouched) decides whether this site is one, and records it in
TukTuk Legacy Settings; every other v2_0 patch does nothing on a site that is not (a fresh install marks all
patches done without running them; a site that ran this app before has nothing of the original).

Before the model sync our DocTypes (TukTuk Legacy Settings among them) are not in the database yet, so these
helpers read and write ``tabSingles`` with plain SQL; after it, the same rows are the Single's values.

The upgrade keeps a report of what it found and changed (TukTuk Legacy Settings.upgrade_report, JSON): one
entry per patch, so an operator can see every driver whose target or status changed, every opening balance
row, every permission reset."""

import json

import frappe

LEGACY_SETTINGS = "TukTuk Legacy Settings"
SETTINGS = "TukTuk Settings"
MARKER = "upgraded_from_original"


def single_value(doctype: str, field: str):
	row = frappe.db.sql("select value from `tabSingles` where doctype=%s and field=%s", (doctype, field))
	return row[0][0] if row else None


def set_single_raw(doctype: str, field: str, value) -> None:
	"""Write one value of a Single with SQL (works before its DocType is synced; tabSingles has no key)."""
	frappe.db.sql("delete from `tabSingles` where doctype=%s and field=%s", (doctype, field))
	if value is not None:
		frappe.db.sql(
			"insert into `tabSingles` (doctype, field, value) values (%s, %s, %s)", (doctype, field, value)
		)


def is_original_site() -> bool:
	"""Whether the first patch found the original app's data on this site."""
	return str(single_value(LEGACY_SETTINGS, MARKER) or "0") == "1"


def report(section: str, entry) -> None:
	"""Add ``entry`` under ``section`` of the upgrade report (replacing what a re-run wrote there)."""
	raw = single_value(LEGACY_SETTINGS, "upgrade_report")
	try:
		data = json.loads(raw) if raw else {}
	except ValueError:
		data = {"unreadable_report": raw}
	data[section] = entry
	set_single_raw(LEGACY_SETTINGS, "upgrade_report", json.dumps(data, indent=1, sort_keys=True, default=str))


def read_report() -> dict:
	raw = single_value(LEGACY_SETTINGS, "upgrade_report")
	return json.loads(raw) if raw else {}


def table_exists(doctype: str) -> bool:
	return frappe.db.table_exists(doctype, cached=False)


def has_column(doctype: str, column: str) -> bool:
	return table_exists(doctype) and frappe.db.has_column(doctype, column)


def rename_link_target(target_doctype: str, old: str, new: str) -> dict:
	"""Rename a record whose name differs from ``new`` only by letter case (MariaDB compares names
	case-insensitively; Frappe's Python code does not): the record itself and every Link to it, in every
	table that has one (standard and custom fields), compared byte for byte. Returns {table.column: rows}.

	If both spellings exist as separate rows (a case-sensitive collation), the links are moved and the old
	row deleted."""
	changed = {}
	links = frappe.db.sql(
		"""select parent, fieldname from `tabDocField` where fieldtype='Link' and options=%s
		union select dt, fieldname from `tabCustom Field` where fieldtype='Link' and options=%s""",
		(target_doctype, target_doctype),
	)
	for doctype, fieldname in sorted(set(links)):
		if not has_column(doctype, fieldname):
			continue
		rows = frappe.db.sql(
			f"select name from `tab{doctype}` where binary `{fieldname}`=%s", (old,), pluck=True
		)
		for name in rows:
			frappe.db.set_value(doctype, name, fieldname, new, update_modified=False)
		if rows:
			changed[f"{doctype}.{fieldname}"] = len(rows)
	table = f"tab{target_doctype}"
	both = frappe.db.sql(f"select name from `{table}` where binary name in (%s, %s)", (old, new))
	if len(both) == 2:
		frappe.db.sql(f"delete from `{table}` where binary name=%s", (old,))
		changed[f"{target_doctype} (duplicate {old!r} removed)"] = 1
	elif both and both[0][0] == old:
		frappe.db.sql(f"update `{table}` set name=%s where binary name=%s", (new, old))
		changed[target_doctype] = 1
	return changed
