# The MariaDB backend through PyMySQL, as frappe/database/mariadb/database.py (v15): utf8mb4, autocommit off,
# the server's default isolation (InnoDB REPEATABLE READ; v15 sets none), Frappe's value converters.
import pymysql
from pymysql.constants import ER, FIELD_TYPE
from pymysql.converters import conversions, escape_string

from frappe.database.database import Database
from frappe.utils.data import get_datetime


def _get_conversions():
	conv = conversions.copy()
	conv.update(
		{
			FIELD_TYPE.NEWDECIMAL: float,
			FIELD_TYPE.DECIMAL: float,
			FIELD_TYPE.DATETIME: get_datetime,
		}
	)
	return conv


class MariaDBDatabase(Database):
	db_type = "mariadb"

	def get_connection(self, database=True):
		conf = self.conf
		conn = pymysql.connect(
			host=conf.get("db_host") or "127.0.0.1",
			port=int(conf.get("db_port") or 3306),
			user=conf.get("db_user") or conf.get("db_name"),
			password=conf.get("db_password") or "",
			database=conf.get("db_name") if database else None,
			charset="utf8mb4",
			use_unicode=True,
			conv=_get_conversions(),
			autocommit=False,
			local_infile=False,
		)
		if conf.get("db_lock_wait_timeout"):
			conn.cursor().execute(
				f"set session innodb_lock_wait_timeout = {int(conf['db_lock_wait_timeout'])}"
			)
		return conn

	def _execute(self, query, values):
		self._cursor.execute(query, values)
		first = query[:10].lower()
		if first.startswith(("insert", "update", "delete", "replace")):
			self.transaction_writes += 1

	def _begin(self):
		if self._conn:
			self._cursor.execute("start transaction")

	# Not connected yet (connections open on the first statement): there is nothing to end.
	def _commit(self):
		if self._conn:
			self._cursor.execute("commit")

	def _rollback(self):
		if self._conn:
			self._cursor.execute("rollback")

	def escape(self, s, percent=True):
		s = escape_string(str(s))
		if percent:
			s = s.replace("%", "%%")
		return "'" + s + "'"

	def has_table(self, table):
		return bool(
			self.sql(
				"select table_name from information_schema.tables where table_schema=database() and table_name=%s",
				(table,),
			)
		)

	def get_tables(self, cached=True):
		return self.sql(
			"select table_name from information_schema.tables where table_schema=database() and table_name like 'tab%%'",
			(),
			pluck=True,
		)

	def get_table_columns(self, doctype):
		return list(self.get_table_columns_description(f"tab{doctype}").keys())

	def get_table_columns_description(self, table):
		rows = self.sql(
			"""select column_name, column_type from information_schema.columns
			where table_schema=database() and table_name=%s order by ordinal_position""",
			(table,),
		)
		return {r[0]: r[1].lower() for r in rows}

	def get_indexes(self, table):
		out = {}
		for row in self.sql(f"show index from `{table}`", as_dict=True):
			name = row["Key_name"]
			unique, cols = out.get(name, (not row["Non_unique"], []))
			cols.append(row["Column_name"])
			out[name] = (unique, cols)
		return out

	def get_database_size(self):
		return self.sql(
			"select sum(data_length + index_length) / 1024 / 1024 from information_schema.tables where table_schema=database()"
		)[0][0]


ER_CODES = ER
