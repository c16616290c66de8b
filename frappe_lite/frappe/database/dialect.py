# What differs between the backends, in one place. frappe_lite has one Dialect object per backend
# (sqlite/dialect.py, mariadb/dialect.py), chosen by `frappe.database.get_dialect(conf)` from the site's
# `db_type`; everything outside frappe/database asks the dialect instead of testing the backend.
# Frappe v15 spreads the same concerns over frappe/database/__init__.py (setup/drop/get_command, which
# branch on conf.db_type), frappe/database/<backend>/setup_db.py, <backend>/schema.py and utils/backups.py.
import multiprocessing


class Dialect:
	name = None  # the site_config `db_type`
	title = None  # for people: "SQLite", "MariaDB"
	database_class = None  # the frappe.database.database.Database subclass
	# what a backend adds to every text column so comparisons ignore case, as utf8mb4_unicode_ci does
	text_collation = ""

	# ---- connections and site config ----------------------------------------------------------------
	def get_db(self, conf):
		"""A (not yet connected) Database for a site's config."""
		db = self.database_class(conf)
		db.dialect = self
		return db

	def complete_site_config(self, config, site_path):
		"""Fill in config keys the backend derives from the site (called by frappe.get_site_config)."""
		return config

	def new_site_config(self, site, db_url=None):
		"""site_config keys for a new site's database."""
		raise NotImplementedError

	def create_database(self, config, force=False):
		"""Create the (empty) database of a new site."""

	def drop_database(self, config):
		"""Drop a site's database, if the backend keeps it outside the site folder."""

	def test_db_url(self, conf):
		"""The --db-url of a throwaway copy of the site described by `conf` (run-tests); None for the default."""
		return None

	# ---- schema -------------------------------------------------------------------------------------
	def column_definition(self, definition):
		"""A MariaDB-style column definition, as this backend declares it."""
		if self.text_collation and definition.startswith(("varchar", "text", "longtext")):
			head, _, rest = definition.partition(" ")
			return f"{head}{self.text_collation} {rest}".strip()
		return definition

	def create_table(self, db, table, columns, primary_key=None, indexes=(), engine="InnoDB"):
		"""CREATE TABLE IF NOT EXISTS from [(column, definition)], a primary key column and
		[(index_name, unique, [columns])]."""
		raise NotImplementedError

	def add_index(self, db, table, columns, index_name, unique=False):
		raise NotImplementedError

	def change_column_type(self, db, table, column, definition, current_type):
		"""Bring an existing column to `definition` when its type changed in the DocType JSON."""

	def after_table_sync(self, db, meta):
		"""Anything the backend keeps beside a DocType's table (run after every create/sync)."""

	# ---- documents ----------------------------------------------------------------------------------
	def after_non_transactional_insert(self, db, doctype, row):
		"""A row was inserted into a MyISAM table (Error Log): it must survive a rollback."""

	# ---- backups ------------------------------------------------------------------------------------
	def backup(self, conf, folder, prefix):
		"""Write a consistent copy of the database into `folder` (file name starting with `prefix`);
		return its path. The caller has committed."""
		raise NotImplementedError

	def restore(self, conf, path):
		"""Replace the database with the backup at `path` (the caller has closed its connection)."""
		raise NotImplementedError

	# ---- serving ------------------------------------------------------------------------------------
	max_web_workers = None  # None: no limit of the backend's own
	max_web_workers_reason = ""

	def default_web_workers(self, common_config):
		"""bench's default: `gunicorn_workers` from common_site_config, else 2 × CPU + 1."""
		return int(common_config.get("gunicorn_workers") or multiprocessing.cpu_count() * 2 + 1)

	def __repr__(self):
		return f"<{type(self).__name__}>"
