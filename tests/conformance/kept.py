"""The differences from real Frappe v15 that frappe_lite keeps, each with its reason (also listed in
docs/frappe_lite.md, "Conformance"). test_conformance fails on any difference not listed here, and on any
entry listed here that agrees again (then remove it, here and in the docs).

columns: which results differ ("sqlite", "mariadb": in-process; "http sqlite", "http mariadb").
sqlite_nature: the difference comes from SQLite itself, so it does not count against the agreement on what
is portable (the SQLite columns are measured without these)."""

INPROCESS = ("sqlite", "mariadb")
SQLITE = ("sqlite",)
HTTP_SQLITE = ("http sqlite",)

KEPT = {
	"qb_select": {
		"columns": INPROCESS,
		"reason": "frappe.qb (PyPika) is not provided: the app writes SQL with frappe.db.sql and filters with "
		"get_value/get_all",
	},
	"qb_as_dict_sum": {
		"columns": INPROCESS,
		"reason": "frappe.query_builder is not provided (as qb_select)",
	},
	"scheduler_is_dormant": {
		"columns": INPROCESS,
		"reason": "frappe.utils.scheduler.is_dormant is not provided: it reads the Activity Log (Desk logins), "
		"which frappe_lite does not keep, so every site would count as dormant; the app's health check asks for "
		"it only where it exists",
	},
	"escape_and_db_type": {
		"columns": SQLITE,
		"sqlite_nature": True,
		"reason": "frappe.db.escape quotes for the backend in use: SQLite doubles a quote ('it''s'), MariaDB "
		"backslashes it",
	},
	"sql_missing_table": {
		"columns": SQLITE,
		"sqlite_nature": True,
		"reason": "the error code is MariaDB's (1146) but the text is SQLite's ('no such table: ...')",
	},
	"sql_unknown_column": {
		"columns": SQLITE,
		"sqlite_nature": True,
		"reason": "the error code is MariaDB's (1054) but the text is SQLite's ('no such column: ...')",
	},
	"filter_unknown_field": {
		"columns": SQLITE,
		"sqlite_nature": True,
		"reason": "as sql_unknown_column: SQLite's text for an unknown column in a filter",
	},
	"unique_violation": {
		"columns": SQLITE,
		"sqlite_nature": True,
		"reason": "the UniqueValidationError carries the database's IntegrityError: SQLite's text names the "
		"constraint, not the duplicate value",
	},
	"duplicate_name": {
		"columns": SQLITE,
		"sqlite_nature": True,
		"reason": "the DuplicateEntryError carries SQLite's IntegrityError text (the exception, message and "
		"status code are v15's)",
	},
}


def kept_for(column):
	return {name: entry for name, entry in KEPT.items() if column in entry["columns"]}
