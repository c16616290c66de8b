# DocType → table, following frappe/database/schema.py and mariadb/schema.py (v15): Frappe's type map,
# standard columns, unique/search indexes; migrate adds columns and indexes and never drops data.
# Definitions are written in MariaDB's terms; the connection's dialect (db.dialect) declares them.
from frappe.model import child_table_fields, float_like_fields
from frappe.utils.data import cint, flt

VARCHAR_LEN = 140

# frappe/database/mariadb/database.py type_map
TYPE_MAP = {
	"Currency": ("decimal", "21,9"),
	"Int": ("int", "11"),
	"Long Int": ("bigint", "20"),
	"Float": ("decimal", "21,9"),
	"Percent": ("decimal", "21,9"),
	"Check": ("int", "1"),
	"Small Text": ("text", ""),
	"Long Text": ("longtext", ""),
	"Code": ("longtext", ""),
	"Text Editor": ("longtext", ""),
	"Markdown Editor": ("longtext", ""),
	"HTML Editor": ("longtext", ""),
	"Date": ("date", ""),
	"Datetime": ("datetime", "6"),
	"Time": ("time", "6"),
	"Text": ("text", ""),
	"Data": ("varchar", VARCHAR_LEN),
	"Link": ("varchar", VARCHAR_LEN),
	"Dynamic Link": ("varchar", VARCHAR_LEN),
	"Password": ("text", ""),
	"Select": ("varchar", VARCHAR_LEN),
	"Rating": ("decimal", "3,2"),
	"Read Only": ("varchar", VARCHAR_LEN),
	"Attach": ("text", ""),
	"Attach Image": ("text", ""),
	"Signature": ("longtext", ""),
	"Color": ("varchar", VARCHAR_LEN),
	"Barcode": ("longtext", ""),
	"Geolocation": ("longtext", ""),
	"Duration": ("decimal", "21,9"),
	"Icon": ("varchar", VARCHAR_LEN),
	"Phone": ("varchar", VARCHAR_LEN),
	"Autocomplete": ("varchar", VARCHAR_LEN),
	"JSON": ("json", ""),
}
DEFAULT_SHORTCUTS = ("_Today", "Today", "__user", "Now", "now", "__today")

# Frappe's tables that are not DocTypes, created by install_db: (columns, primary key, indexes).
CORE_TABLES = {
	"tabSingles": (
		[("doctype", "varchar(255)"), ("field", "varchar(255)"), ("value", "longtext")],
		None,
		[("singles_doctype_field_index", False, ["doctype", "field"])],
	),
	"tabSeries": ([("name", "varchar(100)"), ("current", "int(10) not null default 0")], "name", []),
	"__Auth": (
		[
			("doctype", "varchar(140) not null"),
			("name", "varchar(255) not null"),
			("fieldname", "varchar(140) not null"),
			("password", "text not null"),
			("encrypted", "int(1) not null default 0"),
		],
		("doctype", "name", "fieldname"),
		[],
	),
	"tabSessions": (
		[
			("user", "varchar(140)"),
			("sid", "varchar(255)"),
			("sessiondata", "longtext"),
			("ipaddress", "varchar(16)"),
			("lastupdate", "datetime(6) default null"),
			("status", "varchar(20)"),
		],
		"sid",
		[("sessions_user_index", False, ["user"])],
	),
	"tabPatch Log": (
		[("name", "varchar(140)"), ("patch", "text"), ("creation", "datetime(6)")],
		"name",
		[],
	),
}


def create_core_tables(db):
	for table, (columns, primary_key, indexes) in CORE_TABLES.items():
		db.dialect.create_table(db, table, columns, primary_key=primary_key, indexes=indexes)


def column_type(df) -> str | None:
	t = TYPE_MAP.get(df.fieldtype)
	if not t:
		return None
	name, size = t
	if df.fieldtype == "Int" and cint(df.get("length")) > 11:
		name, size = "bigint", "20"
	elif name == "varchar" and cint(df.get("length")):
		size = cint(df.get("length"))
	return f"{name}({size})" if size else name


def column_definition(df) -> str | None:
	ctype = column_type(df)
	if not ctype:
		return None
	default = df.get("default")
	if df.fieldtype in ("Check", "Int"):
		ctype += f" not null default {cint(default)}"
	elif df.fieldtype in float_like_fields:
		ctype += f" not null default {flt(default)}"
	elif (
		default
		and default not in DEFAULT_SHORTCUTS
		and not str(default).startswith(":")
		and ctype.startswith("varchar")
	):
		ctype += " default " + _quote(default)
	return ctype


def _quote(value):
	return "'" + str(value).replace("'", "''") + "'"


def standard_columns(meta):
	cols = [
		("name", f"varchar({VARCHAR_LEN})"),
		("creation", "datetime(6)"),
		("modified", "datetime(6)"),
		("modified_by", f"varchar({VARCHAR_LEN})"),
		("owner", f"varchar({VARCHAR_LEN})"),
		("docstatus", "int(1) not null default 0"),
		("idx", "int(8) not null default 0"),
	]
	if meta.istable:
		cols += [(f, f"varchar({VARCHAR_LEN})") for f in child_table_fields]
	return cols


def optional_columns(meta):
	if meta.istable:
		return []
	cols = [("_user_tags", "text"), ("_comments", "text"), ("_assign", "text"), ("_liked_by", "text")]
	if meta.get("track_seen"):
		cols.append(("_seen", "text"))
	return cols


def field_columns(meta):
	out = []
	seen = set()
	for df in meta.fields:
		if not df.get("fieldname") or df.fieldname in seen or df.get("is_virtual"):
			continue
		definition = column_definition(df)
		if definition:
			seen.add(df.fieldname)
			out.append((df.fieldname, definition))
	return out


def table_columns(meta):
	return standard_columns(meta) + field_columns(meta) + optional_columns(meta)


def wanted_indexes(meta):
	"""[(index_name, unique, [columns])]"""
	out = []
	if meta.istable:
		out.append(("parent", False, ["parent"]))
	else:
		out.append(("modified", False, ["modified"]))
	for df in meta.fields:
		if not df.get("fieldname") or df.fieldtype not in TYPE_MAP:
			continue
		is_text = TYPE_MAP[df.fieldtype][0] in ("text", "longtext", "json")
		if df.get("unique") and not is_text:
			out.append((df.fieldname, True, [df.fieldname]))
		elif df.get("search_index") and not is_text:
			out.append((df.fieldname, False, [df.fieldname]))
	return out


def create_table(db, meta):
	db.dialect.create_table(
		db,
		f"tab{meta.name}",
		table_columns(meta),
		primary_key="name",
		indexes=wanted_indexes(meta),
		engine=meta.engine,
	)
	db.dialect.after_table_sync(db, meta)


def add_index(db, table, columns, index_name=None, unique=False):
	"""Add an index on `columns` unless one with the same columns (and uniqueness) exists."""
	columns = [columns] if isinstance(columns, str) else list(columns)
	index_name = index_name or "_".join(columns) + "_index"
	for _name, (_unique, cols) in db.get_indexes(table).items():
		if cols == columns and _unique == unique:
			return
	db.dialect.add_index(db, table, columns, index_name, unique=unique)


def sync_table(db, meta):
	"""Create the table, or add what a changed DocType JSON needs; never drops columns or data."""
	if meta.issingle or meta.get("is_virtual"):
		return
	table = f"tab{meta.name}"
	if not db.has_table(table):
		create_table(db, meta)
		return
	existing = db.get_table_columns_description(table)
	for col, definition in table_columns(meta):
		if col not in existing:
			db.sql_ddl(f"alter table `{table}` add column `{col}` {db.dialect.column_definition(definition)}")
		elif col != "name":
			db.dialect.change_column_type(db, table, col, definition, existing[col])
	for name, unique, columns in wanted_indexes(meta):
		add_index(db, table, columns, name, unique=unique)
	db.dialect.after_table_sync(db, meta)
