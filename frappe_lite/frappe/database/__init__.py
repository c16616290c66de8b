# Backend selection, as frappe/database/__init__.py: one Database interface, a MariaDB and a SQLite
# implementation, and one Dialect object per backend (dialect.py) holding everything else that differs.
# This is the only place that reads a site's `db_type`.
import frappe
from frappe.database.dialect import Dialect
from frappe.database.mariadb.dialect import dialect as mariadb_dialect
from frappe.database.mariadb.dialect import parse_db_url  # noqa: F401
from frappe.database.sqlite.dialect import dialect as sqlite_dialect

DIALECTS = {"sqlite": sqlite_dialect, "mariadb": mariadb_dialect, "mysql": mariadb_dialect}
DEFAULT_DB_TYPE = "sqlite"


def get_dialect(conf=None) -> Dialect:
	"""The dialect of a site config (or of the current site): SQLite unless db_type says mariadb."""
	if conf is None:
		conf = frappe.local.conf
	db_type = (conf.get("db_type") or DEFAULT_DB_TYPE).lower()
	try:
		return DIALECTS[db_type]
	except KeyError:
		raise ValueError(f"Unsupported db_type {db_type!r}: use 'sqlite' or 'mariadb'") from None


def get_dialect_for_url(db_url: str | None) -> Dialect:
	"""The dialect a new site gets from `--db-url`: none is SQLite, mysql://… is MariaDB."""
	if not db_url:
		return DIALECTS[DEFAULT_DB_TYPE]
	return get_dialect(parse_db_url(db_url))


def get_db(conf=None):
	"""A Database for the site described by `conf` (site_config): SQLite unless db_type is mariadb."""
	if conf is None:
		conf = frappe.local.conf
	return get_dialect(conf).get_db(conf)
