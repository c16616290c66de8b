# The embedded SQLite backend: one file per site, WAL, and MariaDB-flavoured app SQL accepted unchanged.
#
# Locking model: SQLite locks the whole database, so writers are serialised. A transaction starts as a
# deferred read; the first statement that writes or locks (INSERT/UPDATE/DELETE, SELECT ... FOR UPDATE,
# SAVEPOINT) makes it take the write lock up front (BEGIN IMMEDIATE, waiting up to busy_timeout). If the
# transaction had only read so far, it is restarted as IMMEDIATE (its savepoints replayed) instead of
# upgrading in place, which in WAL mode would fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
# Errors are re-raised as the PyMySQL exceptions with MariaDB's error codes, so Frappe's
# is_duplicate_entry/is_timedout/... and callers catching pymysql errors behave the same on both backends.
import datetime
import os
import re
import sqlite3
import threading
from decimal import Decimal
from functools import lru_cache

import pymysql

from frappe.database.database import Database
from frappe.database.sqlite import pool, temporal

_LOCKING_SUFFIX = re.compile(
	r"\s+(?:for\s+update(?:\s+(?:skip\s+locked|nowait))?|lock\s+in\s+share\s+mode|for\s+share)\s*$",
	re.IGNORECASE,
)
_PARAM = re.compile(r"%%|%\((\w+)\)s|%s")
_INSERT_IGNORE = re.compile(r"^\s*insert\s+ignore\s+into", re.IGNORECASE)
_FIRST_WORD = re.compile(r"^\s*(\w+)")
_WRITE_WORDS = {"insert", "update", "delete", "replace", "savepoint"}
_DDL_WORDS = {"create", "alter", "drop"}

_registered = threading.Lock()
_adapters_done = False
# the last value a temporal column refused in this thread, for MariaDB's error 1292 message
_refused = threading.local()
REFUSED_TEMPORAL = "FL1292"


def _fl_temporal(value, kind):
	"""SQL function fl_temporal(value, kind): the canonical text MariaDB would store, NULL if it refuses it."""
	result = temporal.canonical(value, kind)
	if result is None and value is not None:
		_refused.value = value
	return result


def _register_adapters():
	global _adapters_done
	with _registered:
		if _adapters_done:
			return
		sqlite3.register_adapter(Decimal, str)
		sqlite3.register_adapter(bool, int)
		sqlite3.register_adapter(datetime.datetime, lambda v: v.strftime("%Y-%m-%d %H:%M:%S.%f"))
		sqlite3.register_adapter(datetime.date, lambda v: v.isoformat())
		sqlite3.register_adapter(datetime.time, lambda v: v.strftime("%H:%M:%S.%f"))
		sqlite3.register_adapter(datetime.timedelta, _timedelta_to_str)
		# Converters by declared column type: the same Python types PyMySQL gives with Frappe's converters.
		sqlite3.register_converter("decimal", lambda b: float(b))
		sqlite3.register_converter("datetime", _parse_datetime)
		sqlite3.register_converter("date", _parse_date)
		sqlite3.register_converter("time", _parse_time)
		_adapters_done = True


def _timedelta_to_str(td):
	total = int(td.total_seconds())
	sign = "-" if total < 0 else ""
	total = abs(total)
	return f"{sign}{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}.{td.microseconds:06d}"


def _parse_datetime(b):
	s = b.decode()
	if not s:
		return None
	try:
		return datetime.datetime.fromisoformat(s)
	except ValueError:
		return s


def _parse_date(b):
	s = b.decode()
	try:
		return datetime.date.fromisoformat(s[:10])
	except ValueError:
		return s


def _parse_time(b):
	s = b.decode()
	try:
		neg = s.startswith("-")
		h, m, rest = s.lstrip("-").split(":")
		sec, _, micro = rest.partition(".")
		td = datetime.timedelta(
			hours=int(h), minutes=int(m), seconds=int(sec), microseconds=int((micro + "000000")[:6])
		)
		return -td if neg else td
	except ValueError:
		return s


class _ExactSum:
	"""SUM() over Decimal: SQLite's built-in adds doubles, which drifts on money columns."""

	def __init__(self):
		self.total = None

	def step(self, value):
		if value is None:
			return
		if isinstance(value, float):
			value = Decimal(repr(value))
		elif isinstance(value, str):
			try:
				value = Decimal(value)
			except Exception:
				value = Decimal(0)
		elif isinstance(value, bytes):
			value = Decimal(0)
		else:
			value = Decimal(value)
		self.total = value if self.total is None else self.total + value

	def finalize(self):
		if self.total is None:
			return None
		# MariaDB's SUM() is a DECIMAL even over integers, and Frappe reads DECIMAL as float
		return float(self.total)


class _ExactAvg(_ExactSum):
	def __init__(self):
		super().__init__()
		self.n = 0

	def step(self, value):
		if value is not None:
			self.n += 1
		super().step(value)

	def finalize(self):
		if self.total is None or not self.n:
			return None
		return float(self.total / self.n)


def _greatest(*args):
	if any(a is None for a in args):
		return None
	return max(args)


def _least(*args):
	if any(a is None for a in args):
		return None
	return min(args)


def _concat(*args):
	if any(a is None for a in args):
		return None
	return "".join(str(a) for a in args)


def _now():
	# MariaDB's NOW() is the server's local time; so is this.
	return datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=4096)
def _translate(query: str, has_values: bool, named: bool):
	"""MariaDB-style query → (sqlite query, is_write_intent, names). Cached per query text."""
	first = (_FIRST_WORD.match(query) or [None, ""])[1].lower()
	locking = bool(_LOCKING_SUFFIX.search(query))
	if locking:
		query = _LOCKING_SUFFIX.sub("", query)
	if _INSERT_IGNORE.match(query):
		query = _INSERT_IGNORE.sub("insert or ignore into", query, count=1)
	names = []
	if has_values:
		# PyMySQL interpolates `%` everywhere when values are given, so `%%` is a literal percent.
		def repl(m):
			tok = m.group(0)
			if tok == "%%":
				return "%"
			if m.group(1):
				names.append(m.group(1))
				return f":{m.group(1)}"
			return "?"

		query = _PARAM.sub(repl, query)
	write_intent = locking or first in _WRITE_WORDS or first in _DDL_WORDS
	return query, write_intent, tuple(names)


class SQLiteDatabase(Database):
	db_type = "sqlite"

	def __init__(self, conf):
		super().__init__(conf)
		self.db_path = conf.get("db_path")
		self.busy_timeout = float(conf.get("sqlite_busy_timeout", 60))
		self._txn = None  # None | "deferred" | "immediate"
		self._txn_wrote = False
		self._savepoints = []

	def get_connection(self):
		_register_adapters()
		if not self.db_path:
			raise ValueError("SQLite site has no db_path")
		os.makedirs(os.path.dirname(os.path.abspath(self.db_path)), exist_ok=True)
		conn = sqlite3.connect(
			self.db_path,
			timeout=self.busy_timeout,
			isolation_level=None,  # we issue BEGIN/COMMIT ourselves
			detect_types=sqlite3.PARSE_DECLTYPES,
			check_same_thread=False,
		)
		conn.execute("pragma journal_mode=wal")
		conn.execute("pragma synchronous=normal")
		conn.execute("pragma foreign_keys=off")
		conn.create_function("greatest", -1, _greatest, deterministic=True)
		conn.create_function("least", -1, _least, deterministic=True)
		conn.create_function("concat", -1, _concat, deterministic=True)
		conn.create_function("now", 0, _now)
		conn.create_function("curdate", 0, lambda: datetime.date.today().isoformat())
		conn.create_function("fl_temporal", 2, _fl_temporal, deterministic=True)
		conn.create_aggregate("sum", 1, _ExactSum)
		conn.create_aggregate("avg", 1, _ExactAvg)
		return conn

	# ---- execution --------------------------------------------------------------------------------
	def _execute(self, query, values):
		low = query.lower()
		if low.startswith("savepoint "):
			self._ensure_txn(write=True)
			self._cursor.execute(query)
			self._savepoints.append(query.split()[1])
			return
		if low.startswith("release savepoint "):
			name = query.split()[2]
			if self._txn and name in self._savepoints:
				self._cursor.execute(query)
				del self._savepoints[self._savepoints.index(name) :]
			return
		if low.startswith("rollback to savepoint "):
			name = query.split()[3]
			if name not in self._savepoints:
				raise pymysql.err.OperationalError(1305, f"SAVEPOINT {name} does not exist")
			self._cursor.execute(query)
			del self._savepoints[self._savepoints.index(name) + 1 :]
			return
		if low.startswith(("start transaction", "begin")):
			return

		named = isinstance(values, dict)
		sql, write_intent, _names = _translate(query, values is not None, named)
		params = values
		if values is not None and not named:
			sql, params = _expand_sequences(sql, list(values))
		elif named and any(isinstance(v, (list, tuple, set)) for v in values.values()):
			sql, params = _expand_named_sequences(sql, values)
		self._ensure_txn(write=write_intent)
		try:
			if params is None:
				self._cursor.execute(sql)
			else:
				self._cursor.execute(sql, params)
		except sqlite3.Error as e:
			raise _as_mysql_error(e, self.cur_db_name) from e
		if write_intent:
			self._txn_wrote = True
			self.transaction_writes += 1

	def _ensure_txn(self, write):
		try:
			if self._txn is None:
				self._cursor.execute("begin immediate" if write else "begin")
				self._txn = "immediate" if write else "deferred"
				self._txn_wrote = False
			elif write and self._txn == "deferred":
				# Restart as a write transaction: nothing was written yet, so nothing is lost.
				self._conn.execute("rollback")
				self._cursor.execute("begin immediate")
				self._txn = "immediate"
				for sp in self._savepoints:
					self._cursor.execute(f"savepoint {sp}")
		except sqlite3.Error as e:
			self._txn = None
			self._savepoints = []
			raise _as_mysql_error(e) from e

	def _begin(self):
		# Transactions start lazily at the first statement (see _ensure_txn).
		pass

	def _commit(self):
		if self._txn:
			try:
				self._conn.execute("commit")
			except sqlite3.Error as e:
				raise _as_mysql_error(e) from e
		self._txn = None
		self._savepoints = []

	def _rollback(self):
		if self._txn:
			try:
				self._conn.execute("rollback")
			except sqlite3.Error:
				pass
		self._txn = None
		self._savepoints = []

	def connect(self):
		# A connection kept from an earlier request of this process, if the file is still the same one
		# (sqlite/pool.py: a new connection reads the whole schema first).
		self._conn = (pool.take(self.db_path) if self.db_path else None) or self.get_connection()
		self._cursor = self._conn.cursor()
		return self

	def close(self):
		self._rollback()
		conn, self._conn, self._cursor = self._conn, None, None
		if conn is not None:
			pool.park(self.db_path, conn)

	def escape(self, s, percent=True):
		s = str(s).replace("'", "''")
		if percent:
			s = s.replace("%", "%%")
		return f"'{s}'"

	# ---- introspection ----------------------------------------------------------------------------
	def has_table(self, table):
		return bool(self.sql("select name from sqlite_master where type='table' and name=%s", (table,)))

	def get_tables(self, cached=True):
		return self.sql(
			"select name from sqlite_master where type='table' and name like 'tab%%'", (), pluck=True
		)

	def get_table_columns(self, doctype):
		return list(self.get_table_columns_description(f"tab{doctype}").keys())

	def get_table_columns_description(self, table):
		rows = self.sql(f"pragma table_info(`{table}`)")
		return {r[1]: (r[2] or "").lower() for r in rows}

	def get_indexes(self, table):
		"""{index_name: (unique, [columns])}"""
		out = {}
		for row in self.sql(f"pragma index_list(`{table}`)"):
			name, unique = row[1], bool(row[2])
			cols = [r[2] for r in self.sql(f"pragma index_info(`{name}`)")]
			out[name] = (unique, cols)
		return out

	def get_database_size(self):
		return os.path.getsize(self.db_path) / (1024 * 1024)


def _expand_sequences(sql, values):
	"""PyMySQL turns a tuple/list value into `(a,b)` for `IN %s`; expand the matching `?`."""
	if not any(isinstance(v, (list, tuple, set)) for v in values):
		return sql, tuple(values)
	out, params, idx, i = [], [], 0, 0
	in_quote = None
	while i < len(sql):
		ch = sql[i]
		if in_quote:
			out.append(ch)
			if ch == in_quote:
				in_quote = None
		elif ch in ("'", '"', "`"):
			in_quote = ch
			out.append(ch)
		elif ch == "?":
			v = values[idx]
			idx += 1
			if isinstance(v, (list, tuple, set)):
				v = list(v)
				out.append("(" + ", ".join("?" * len(v)) + ")" if v else "(NULL)")
				params.extend(v)
			else:
				out.append("?")
				params.append(v)
		else:
			out.append(ch)
		i += 1
	return "".join(out), tuple(params)


def _expand_named_sequences(sql, values):
	"""`IN %(names)s` with a tuple: PyMySQL renders `(a,b)`; SQLite needs `(:names_0, :names_1)`."""
	params = {}
	for key, value in values.items():
		if isinstance(value, (list, tuple, set)):
			items = list(value)
			placeholders = ", ".join(f":{key}__{i}" for i in range(len(items))) or "NULL"
			sql = re.sub(rf":{key}\b", f"({placeholders})", sql)
			params.update({f"{key}__{i}": v for i, v in enumerate(items)})
		else:
			params[key] = value
	return sql, params


_UNIQUE_FAIL = re.compile(r"UNIQUE constraint failed: (.+)$")


def _as_mysql_error(e: sqlite3.Error, db_name=None):
	msg = str(e)
	low = msg.lower()
	if msg.startswith(REFUSED_TEMPORAL + ":"):
		# raised by a temporal column's trigger (see SQLiteDialect.after_table_sync)
		_code, kind, table, column = msg.split(":", 3)
		value = getattr(_refused, "value", "")
		return pymysql.err.OperationalError(1292, temporal.error_message(kind, value, db_name, table, column))
	if isinstance(e, sqlite3.IntegrityError):
		m = _UNIQUE_FAIL.search(msg)
		if m:
			# "tabLF Hash.name" or "tabX.a, tabX.b": name the key after its (first) column, as MariaDB names ours
			column = m.group(1).split(", ")[0].rsplit(".", 1)[-1]
			key = "PRIMARY" if column == "name" else column
			return pymysql.err.IntegrityError(1062, f"Duplicate entry for key '{key}' ({msg})")
		if "not null" in low:
			return pymysql.err.IntegrityError(1048, msg)
		return pymysql.err.IntegrityError(1452, msg)
	if "database is locked" in low or "database table is locked" in low or "busy" in low:
		return pymysql.err.OperationalError(1205, f"Lock wait timeout exceeded ({msg})")
	if "no such table" in low:
		return pymysql.err.ProgrammingError(1146, msg)
	if "no such column" in low or "has no column named" in low:
		return pymysql.err.OperationalError(1054, msg)
	if "duplicate column name" in low:
		return pymysql.err.OperationalError(1060, msg)
	if "syntax error" in low:
		return pymysql.err.ProgrammingError(1064, msg)
	if isinstance(e, sqlite3.OperationalError):
		return pymysql.err.OperationalError(1105, msg)
	return pymysql.err.InternalError(1105, msg)
