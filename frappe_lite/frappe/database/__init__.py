# Backend selection, as frappe/database/__init__.py: one Database interface, a MariaDB and a SQLite implementation.


def get_db(conf=None):
	"""A Database for the site described by `conf` (site_config): SQLite unless db_type is mariadb."""
	import frappe

	conf = conf if conf is not None else frappe.local.conf
	db_type = (conf.get("db_type") or "sqlite").lower()
	if db_type in ("mariadb", "mysql"):
		from frappe.database.mariadb.database import MariaDBDatabase

		return MariaDBDatabase(conf)
	if db_type == "sqlite":
		from frappe.database.sqlite.database import SQLiteDatabase

		return SQLiteDatabase(conf)
	raise ValueError(f"Unsupported db_type {db_type!r}: use 'sqlite' or 'mariadb'")


def parse_db_url(db_url: str) -> dict:
	"""mysql://user:password@host:port/dbname -> site_config keys."""
	from urllib.parse import unquote, urlparse

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
