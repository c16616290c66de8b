"""DocType JSON → tables with Frappe's type map, standard columns and indexes (docs/frappe_slice.md §4)."""

EXPECTED = {
	"name": "varchar(140)",
	"creation": "datetime(6)",
	"modified": "datetime(6)",
	"modified_by": "varchar(140)",
	"owner": "varchar(140)",
	"docstatus": "int(1)",
	"idx": "int(8)",
	"title": "varchar(20)",
	"status": "varchar(140)",
	"code": "varchar(140)",
	"qty": "int(11)",
	"amount": "decimal(21,9)",
	"rate": "decimal(21,9)",
	"due": "date",
	"at": "datetime(6)",
	"t": "time(6)",
	"notes": "text",
	"flag": "int(1)",
	"payload": "longtext",  # MariaDB stores JSON as longtext (SQLite: declared json)
	"secret": "text",
	"ref": "varchar(140)",
	"big": "bigint(20)",
	"category": "varchar(140)",
	"_user_tags": "text",
	"_comments": "text",
	"_assign": "text",
	"_liked_by": "text",
}


def test_columns_follow_frappe_type_map(fl):
	frappe = fl
	columns = frappe.db.get_table_columns_description("tabLF Item")
	for column, expected in EXPECTED.items():
		got = columns[column].split(" ")[0]
		if frappe.db.db_type == "sqlite" and column == "payload":
			expected = "json"
		assert got == expected, (column, got, expected)
	assert "lines" not in columns  # Table fields have no column
	child = frappe.db.get_table_columns_description("tabLF Item Line")
	assert {"parent", "parentfield", "parenttype"} <= set(child) and "_user_tags" not in child


def test_indexes_and_defaults(fl):
	frappe = fl
	indexes = {tuple(cols): unique for _name, (unique, cols) in frappe.db.get_indexes("tabLF Item").items()}
	assert indexes[("code",)] is True
	assert indexes[("category",)] is False
	assert indexes[("modified",)] is False
	assert indexes[("status", "qty")] is False  # made by the controller's on_doctype_update()
	child = {tuple(cols) for _n, (_u, cols) in frappe.db.get_indexes("tabLF Item Line").items()}
	assert ("parent",) in child
	frappe.db.sql("insert into `tabLF Item` (name, title) values ('raw', 'raw')")
	row = frappe.db.get_value(
		"LF Item", "raw", ["qty", "flag", "amount", "docstatus", "idx", "category"], as_dict=True
	)
	assert row == {"qty": 0, "flag": 0, "amount": 0.0, "docstatus": 0, "idx": 0, "category": "general"}


def test_singles_series_and_core_tables(fl):
	frappe = fl
	for table in (
		"tabSingles",
		"tabSeries",
		"__Auth",
		"tabSessions",
		"tabDocType",
		"tabError Log",
		"tabComment",
		"tabVersion",
		"tabUser",
		"tabRole",
		"tabHas Role",
		"tabDefaultValue",
	):
		assert frappe.db.has_table(table), table
	assert not frappe.db.has_table("tabLF Settings")  # Singles have no table
	assert frappe.db.exists("DocType", "LF Item") == "LF Item"
	assert frappe.db.get_value("DocType", "LF Settings", "issingle") == 1
	if frappe.db.db_type == "mariadb":
		engine = frappe.db.sql(
			"select engine from information_schema.tables where table_schema=database() and table_name='tabError Log'"
		)[0][0]
		assert engine == "MyISAM"
		assert frappe.db.sql("select @@session.tx_isolation")[0][0] == "REPEATABLE-READ"
		charset = frappe.db.sql(
			"select table_collation from information_schema.tables where table_schema=database() and table_name='tabLF Item'"
		)[0][0]
		assert charset == "utf8mb4_unicode_ci"
	else:
		assert frappe.db.sql("pragma journal_mode")[0][0] == "wal"
