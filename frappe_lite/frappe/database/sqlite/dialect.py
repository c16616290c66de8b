# SQLite's side of every backend difference (see frappe/database/dialect.py): one database file per
# site, text compared case-insensitively (as MariaDB's utf8mb4_unicode_ci), exact decimals, the online
# backup API, and a stand-in for MyISAM's "survives a rollback".
import multiprocessing
import os
import sqlite3

from frappe.database.dialect import Dialect
from frappe.database.schema import field_columns
from frappe.database.sqlite import pool
from frappe.database.sqlite.database import REFUSED_TEMPORAL, SQLiteDatabase

DB_FILE = "db.sqlite3"


class SQLiteDialect(Dialect):
	name = "sqlite"
	title = "SQLite"
	database_class = SQLiteDatabase
	text_collation = " collate nocase"
	# One writer at a time per database file: more workers only add processes queueing for its lock.
	max_web_workers = 8
	max_web_workers_reason = "one writer per database file"

	def complete_site_config(self, config, site_path):
		if site_path and not config.get("db_path"):
			config["db_path"] = os.path.join(site_path, DB_FILE)
		elif config.get("db_path") and site_path and not os.path.isabs(config["db_path"]):
			config["db_path"] = os.path.join(site_path, config["db_path"])
		return config

	def new_site_config(self, site, db_url=None):
		return {"db_type": self.name, "db_name": site}

	def drop_database(self, config):
		# The file goes with the site folder; this process's idle connections to it go first.
		if config.get("db_path"):
			pool.discard(config["db_path"])

	# ---- schema -------------------------------------------------------------------------------------
	def create_table(self, db, table, columns, primary_key=None, indexes=(), engine="InnoDB"):
		parts = [f"`{c}` {self.column_definition(d)}" for c, d in columns]
		if primary_key:
			parts.append(f"primary key ({_column_list(primary_key)})")
		body = ",\n".join(parts)
		db.sql_ddl(f"create table if not exists `{table}` (\n{body}\n)")
		for name, unique, cols in indexes:
			self.add_index(db, table, cols, name, unique=unique)

	def add_index(self, db, table, columns, index_name, unique=False):
		kind = "unique index" if unique else "index"
		db.sql_ddl(
			f"create {kind} if not exists `{table}__{index_name}` on `{table}` ({_column_list(columns)})"
		)

	# SQLite cannot change a column's type in place (change_column_type keeps the column as it is):
	# values are stored by their own type, and the declared type only drives the converters.

	def after_table_sync(self, db, meta):
		sync_decimal_triggers(db, meta)
		sync_temporal_triggers(db, meta)

	# ---- documents ----------------------------------------------------------------------------------
	def after_non_transactional_insert(self, db, doctype, row):
		"""Error Log is MyISAM on MariaDB: its rows survive a rollback. SQLite has no such engine, so the
		row is written again right after a rollback of the transaction that inserted it."""

		def reinsert():
			columns = list(row.keys())
			db.sql(
				"insert or ignore into `tab{}` ({}) values ({})".format(
					doctype, ", ".join(f"`{c}`" for c in columns), ", ".join(["%s"] * len(columns))
				),
				tuple(row.values()),
			)
			db._commit()

		db.after_rollback.add(reinsert)

	# ---- backups ------------------------------------------------------------------------------------
	def backup(self, conf, folder, prefix):
		target = os.path.join(folder, f"{prefix}-database.sqlite3")
		_copy_database(conf.db_path, target)  # the online backup API: consistent even while others write
		return target

	def restore(self, conf, path):
		pool.discard(conf.db_path)
		_copy_database(path, conf.db_path)

	# ---- serving ------------------------------------------------------------------------------------
	def default_web_workers(self, common_config):
		return min(multiprocessing.cpu_count(), self.max_web_workers)


def _column_list(columns):
	columns = [columns] if isinstance(columns, str) else columns
	return ", ".join(f"`{c}`" for c in columns)


def _copy_database(source, target):
	src = sqlite3.connect(source)
	dst = sqlite3.connect(target)
	try:
		src.backup(dst)
	finally:
		dst.close()
		src.close()


def sync_decimal_triggers(db, meta):
	"""SQLite has no DECIMAL: money lives in REAL columns, snapped to decimal(21,9)'s 9 places on every
	write (as MariaDB rounds on store), so repeated `x = x + %s` never accumulates binary drift; SUM() is
	replaced by an exact Decimal aggregate in the SQLite backend."""
	table = f"tab{meta.name}"
	decimals = [c for c, d in field_columns(meta) if d.startswith("decimal")]
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


dialect = SQLiteDialect()


TEMPORAL_KINDS = {"date": "date", "datetime": "datetime", "time": "time"}


def sync_temporal_triggers(db, meta):
	"""Date, Datetime and Time fields take what MariaDB takes, stored in canonical text (see temporal.py): a
	value MariaDB refuses fails the statement with its error 1292; "2024-1-5" is stored as "2024-01-05"."""
	table = f"tab{meta.name}"
	prefix = f"{table}__temporal_"
	for (name,) in db.sql(
		"select name from sqlite_master where type='trigger' and tbl_name=%s and substr(name, 1, %s)=%s",
		(table, len(prefix), prefix),
	):
		db.sql_ddl(f"drop trigger if exists `{name}`")
	columns = [
		(c, d.split("(")[0].split(" ")[0])
		for c, d in field_columns(meta)
		if d.split("(")[0].split(" ")[0] in TEMPORAL_KINDS
	]
	if not columns:
		return
	for column, kind in columns:
		check = f"new.`{column}` is not null and fl_temporal(new.`{column}`, '{kind}') is null"
		refusal = f"{REFUSED_TEMPORAL}:{kind}:{table}:{column}".replace("'", "''")
		for event in ("insert", f"update of `{column}`"):
			suffix = "ins" if event == "insert" else "upd"
			db.sql_ddl(
				f"create trigger `{prefix}{column}_{suffix}` before {event} on `{table}` for each row when {check} "
				f"begin select raise(abort, '{refusal}'); end"
			)
	differs = " or ".join(f"new.`{c}` is not fl_temporal(new.`{c}`, '{k}')" for c, k in columns)
	sets = ", ".join(f"`{c}` = fl_temporal(new.`{c}`, '{k}')" for c, k in columns)
	column_list = ", ".join(f"`{c}`" for c, _k in columns)
	for event, suffix in (("insert", "norm_ins"), (f"update of {column_list}", "norm_upd")):
		db.sql_ddl(
			f"create trigger `{prefix}{suffix}` after {event} on `{table}` for each row when {differs} "
			f"begin update `{table}` set {sets} where rowid = new.rowid; end"
		)
