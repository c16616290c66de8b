# DocType → table, following frappe/database/schema.py and mariadb/schema.py (v15): Frappe's type map,
# standard columns, unique/search indexes; migrate adds columns and indexes and never drops data.
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


def column_definition(df, db_type) -> str | None:
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
	if db_type == "sqlite" and ctype.startswith(("varchar", "text", "longtext")):
		# utf8mb4_unicode_ci compares case-insensitively; so must SQLite.
		ctype += " collate nocase"
	return ctype


def _quote(value):
	return "'" + str(value).replace("'", "''") + "'"


def standard_columns(meta, db_type):
	nocase = " collate nocase" if db_type == "sqlite" else ""
	cols = [
		("name", f"varchar({VARCHAR_LEN}){nocase} primary key"),
		("creation", "datetime(6)"),
		("modified", "datetime(6)"),
		("modified_by", f"varchar({VARCHAR_LEN}){nocase}"),
		("owner", f"varchar({VARCHAR_LEN}){nocase}"),
		("docstatus", "int(1) not null default 0"),
		("idx", "int(8) not null default 0"),
	]
	if meta.istable:
		cols += [(f, f"varchar({VARCHAR_LEN}){nocase}") for f in child_table_fields]
	return cols


def optional_columns(meta, db_type):
	if meta.istable:
		return []
	cols = [("_user_tags", "text"), ("_comments", "text"), ("_assign", "text"), ("_liked_by", "text")]
	if meta.get("track_seen"):
		cols.append(("_seen", "text"))
	return cols


def field_columns(meta, db_type):
	out = []
	seen = set()
	for df in meta.fields:
		if not df.get("fieldname") or df.fieldname in seen or df.get("is_virtual"):
			continue
		definition = column_definition(df, db_type)
		if definition:
			seen.add(df.fieldname)
			out.append((df.fieldname, definition))
	return out


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
	table = f"tab{meta.name}"
	db_type = db.db_type
	cols = standard_columns(meta, db_type) + field_columns(meta, db_type) + optional_columns(meta, db_type)
	body = ",\n".join(f"`{c}` {d}" for c, d in cols)
	if db_type == "mariadb":
		indexes = []
		for name, unique, columns in wanted_indexes(meta):
			collist = ", ".join(f"`{c}`" for c in columns)
			indexes.append(f"unique `{name}` ({collist})" if unique else f"index `{name}` ({collist})")
		if indexes:
			body += ",\n" + ",\n".join(indexes)
		engine = meta.engine if meta.engine in ("InnoDB", "MyISAM") else "InnoDB"
		db.sql_ddl(
			f"create table if not exists `{table}` (\n{body}\n) ENGINE={engine} ROW_FORMAT=DYNAMIC "
			"CHARACTER SET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
		)
	else:
		db.sql_ddl(f"create table if not exists `{table}` (\n{body}\n)")
		for name, unique, columns in wanted_indexes(meta):
			add_index(db, table, columns, name, unique=unique)
		sync_decimal_triggers(db, meta)


def add_index(db, table, columns, index_name=None, unique=False):
	columns = [columns] if isinstance(columns, str) else list(columns)
	index_name = index_name or "_".join(columns) + "_index"
	existing = db.get_indexes(table)
	for _name, (_unique, cols) in existing.items():
		if cols == columns and _unique == unique:
			return
	collist = ", ".join(f"`{c}`" for c in columns)
	if db.db_type == "mariadb":
		if index_name in existing:
			index_name = f"{index_name}_{len(existing)}"
		kind = "unique index" if unique else "index"
		db.sql_ddl(f"alter table `{table}` add {kind} `{index_name}` ({collist})")
	else:
		kind = "unique index" if unique else "index"
		db.sql_ddl(f"create {kind} if not exists `{table}__{index_name}` on `{table}` ({collist})")


def sync_decimal_triggers(db, meta):
	"""SQLite has no DECIMAL: money lives in REAL columns, snapped to decimal(21,9)'s 9 places on every
	write (as MariaDB rounds on store), so repeated `x = x + %s` never accumulates binary drift; SUM() is
	replaced by an exact Decimal aggregate in the SQLite backend."""
	table = f"tab{meta.name}"
	decimals = [c for c, d in field_columns(meta, "sqlite") if d.startswith("decimal")]
	for event in ("insert", "update"):
		db.sql_ddl(f"drop trigger if exists `{table}__snap_{event}`")
	if not decimals:
		return
	when = " or ".join(f"new.`{c}` is not round(new.`{c}`, 9)" for c in decimals)
	sets = ", ".join(f"`{c}` = round(new.`{c}`, 9)" for c in decimals)
	for event in ("insert", "update"):
		db.sql_ddl(
			f"create trigger `{table}__snap_{event}` after {event} on `{table}` for each row when {when} "
			f"begin update `{table}` set {sets} where rowid = new.rowid; end"
		)


def sync_table(db, meta):
	"""Create the table, or add what a changed DocType JSON needs; never drops columns or data."""
	if meta.issingle or meta.get("is_virtual"):
		return
	table = f"tab{meta.name}"
	if not db.has_table(table):
		create_table(db, meta)
		return
	existing = db.get_table_columns_description(table)
	db_type = db.db_type
	wanted = standard_columns(meta, db_type) + field_columns(meta, db_type) + optional_columns(meta, db_type)
	for col, definition in wanted:
		if col in existing:
			if db_type == "mariadb":
				want_type = definition.split(" ")[0]
				have = existing[col]
				if _normalise_type(have) != _normalise_type(want_type) and "primary key" not in definition:
					db.sql_ddl(f"alter table `{table}` modify `{col}` {definition}")
			continue
		definition = definition.replace(" primary key", "")
		db.sql_ddl(f"alter table `{table}` add column `{col}` {definition}")
	for name, unique, columns in wanted_indexes(meta):
		add_index(db, table, columns, name, unique=unique)
	if db_type == "sqlite":
		sync_decimal_triggers(db, meta)


def _normalise_type(t):
	t = t.lower().replace(" ", "")
	# MariaDB stores JSON as longtext and reports it so.
	return "longtext" if t == "json" else t
