# MariaDB's side of every backend difference (see frappe/database/dialect.py), following
# frappe/database/mariadb/setup_db.py, mariadb/schema.py and utils/backups.py in Frappe v15.
import gzip
import os
import shutil
import subprocess
from urllib.parse import unquote, urlparse

import pymysql

from frappe.database.dialect import Dialect
from frappe.database.mariadb.database import MariaDBDatabase
from frappe.exceptions import ValidationError

TABLE_OPTIONS = "ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4 COLLATE=utf8mb4_unicode_ci"


def parse_db_url(db_url: str) -> dict:
	"""mysql://user:password@host:port/dbname -> site_config keys."""
	u = urlparse(db_url)
	if u.scheme not in ("mysql", "mariadb"):
		raise ValueError(
			f"Unsupported database URL scheme {u.scheme!r}: use mysql://user:pass@host:port/dbname"
		)
	name = (u.path or "/").lstrip("/")
	return {
		"db_type": "mariadb",
		"db_host": u.hostname or "127.0.0.1",
		"db_port": u.port or 3306,
		"db_user": unquote(u.username or "root"),
		"db_password": unquote(u.password or ""),
		"db_name": name,
	}


def server_connection(config):
	"""An autocommit connection to the server, no database selected (to create and drop databases)."""
	return pymysql.connect(
		host=config.get("db_host") or "127.0.0.1",
		port=int(config.get("db_port") or 3306),
		user=config.get("db_user") or "root",
		password=config.get("db_password") or "",
		charset="utf8mb4",
		autocommit=True,
	)


class MariaDBDialect(Dialect):
	name = "mariadb"
	title = "MariaDB"
	database_class = MariaDBDatabase

	def new_site_config(self, site, db_url=None):
		config = parse_db_url(db_url)  # a bad URL fails here, before anything is created
		if not config["db_name"]:
			from frappe.utils import generate_hash

			config["db_name"] = "_" + generate_hash(length=16)
		return config

	def create_database(self, config, force=False):
		conn = server_connection(config)
		try:
			with conn.cursor() as cur:
				name = config["db_name"]
				cur.execute(
					"select schema_name from information_schema.schemata where schema_name=%s", (name,)
				)
				if cur.fetchone():
					if not force:
						raise ValidationError(f"Database {name} already exists (use --force to replace it)")
					cur.execute(f"drop database `{name}`")
				cur.execute(f"create database `{name}` character set utf8mb4 collate utf8mb4_unicode_ci")
		finally:
			conn.close()

	def drop_database(self, config):
		if not config.get("db_name"):
			return
		try:
			conn = server_connection(config)
			with conn.cursor() as cur:
				cur.execute(f"drop database if exists `{config['db_name']}`")
			conn.close()
		except Exception as e:
			print(f"Could not drop database {config['db_name']}: {e}")

	def test_db_url(self, conf):
		import uuid
		from urllib.parse import quote

		user = quote(conf.get("db_user") or "root", safe="")
		password = quote(str(conf.get("db_password") or ""), safe="")
		host = conf.get("db_host") or "127.0.0.1"
		port = conf.get("db_port") or 3306
		return f"mysql://{user}:{password}@{host}:{port}/fltest_{uuid.uuid4().hex[:12]}"

	# ---- schema -------------------------------------------------------------------------------------
	def create_table(self, db, table, columns, primary_key=None, indexes=(), engine="InnoDB"):
		parts = [f"`{c}` {self.column_definition(d)}" for c, d in columns]
		if primary_key:
			parts.append(f"primary key ({_column_list(primary_key)})")
		for name, unique, cols in indexes:
			parts.append(f"{'unique' if unique else 'index'} `{name}` ({_column_list(cols)})")
		engine = engine if engine in ("InnoDB", "MyISAM") else "InnoDB"
		body = ",\n".join(parts)
		db.sql_ddl(f"create table if not exists `{table}` (\n{body}\n) ENGINE={engine} {TABLE_OPTIONS}")

	def add_index(self, db, table, columns, index_name, unique=False):
		existing = db.get_indexes(table)
		if index_name in existing:
			index_name = f"{index_name}_{len(existing)}"
		kind = "unique index" if unique else "index"
		db.sql_ddl(f"alter table `{table}` add {kind} `{index_name}` ({_column_list(columns)})")

	def change_column_type(self, db, table, column, definition, current_type):
		if _normalise_type(current_type) != _normalise_type(definition.split(" ")[0]):
			db.sql_ddl(f"alter table `{table}` modify `{column}` {definition}")

	# ---- backups ------------------------------------------------------------------------------------
	def backup(self, conf, folder, prefix):
		target = os.path.join(folder, f"{prefix}-database.sql.gz")
		cmd = [
			shutil.which("mariadb-dump") or shutil.which("mysqldump") or "mysqldump",
			"--single-transaction",
			"--quick",
			"--routines",
			*_client_args(conf),
		]
		proc = subprocess.run(cmd, capture_output=True, env=_client_env(conf), check=False)
		if proc.returncode != 0:
			raise ValidationError(f"mysqldump failed: {proc.stderr.decode().strip()}")
		with gzip.open(target, "wb") as f:
			f.write(proc.stdout)
		return target

	def restore(self, conf, path):
		opener = gzip.open if path.endswith(".gz") else open
		with opener(path, "rb") as f:
			dump = f.read()
		cmd = [shutil.which("mariadb") or shutil.which("mysql") or "mysql", *_client_args(conf)]
		proc = subprocess.run(cmd, input=dump, capture_output=True, env=_client_env(conf), check=False)
		if proc.returncode != 0:
			raise ValidationError(f"restore failed: {proc.stderr.decode().strip()}")


def _column_list(columns):
	columns = [columns] if isinstance(columns, str) else columns
	return ", ".join(f"`{c}`" for c in columns)


def _client_args(conf):
	return [
		f"--host={conf.db_host or '127.0.0.1'}",
		f"--port={conf.db_port or 3306}",
		f"--user={conf.db_user or 'root'}",
		conf.db_name,
	]


def _client_env(conf):
	return dict(os.environ, MYSQL_PWD=conf.db_password or "")


def _normalise_type(t):
	t = t.lower().replace(" ", "")
	# MariaDB stores JSON as longtext and reports it so.
	return "longtext" if t == "json" else t


dialect = MariaDBDialect()
