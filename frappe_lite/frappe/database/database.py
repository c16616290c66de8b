# The backend-independent half of frappe.db, following frappe/database/database.py (v15).
# Backends (mariadb/, sqlite/) supply the connection, execution and error classification; nothing above
# this file knows which one is in use.
import random
import re
import string

import frappe
from frappe.database.query import build_conditions, build_fields, build_order_by, quote_column
from frappe.database.schema import add_index as _add_index
from frappe.database.utils import DefaultOrderBy, FallBackDateTimeStr
from frappe.exceptions import ImplicitCommitError, QueryDeadlockError, QueryTimeoutError
from frappe.model import float_like_fields, table_fields
from frappe.utils.data import cint, cstr, flt, get_datetime, get_timedelta, getdate

SINGLE_DOCTYPE_TABLE = "tabSingles"
IFNULL_PATTERN = re.compile(r"ifnull\(", flags=re.IGNORECASE)
_DDL_PREFIXES = ("create", "alter", "drop", "truncate", "rename")


class CallbackManager:
	"""frappe.db.after_commit & co (frappe/database/database.py CallbackManager)."""

	def __init__(self):
		self._functions = []

	def add(self, func, *args, **kwargs):
		self._functions.append((func, args, kwargs))

	def run(self):
		while self._functions:
			func, args, kwargs = self._functions.pop(0)
			func(*args, **kwargs)

	def reset(self):
		self._functions.clear()

	def __len__(self):
		return len(self._functions)


class Database:
	"""Connection-owning façade; one instance per site connection (frappe.local.db)."""

	VARCHAR_LEN = 140
	MAX_COLUMN_LENGTH = 64
	db_type = None
	dialect = None  # the backend's Dialect, set by Dialect.get_db

	def __init__(self, conf):
		self.conf = conf
		self.cur_db_name = conf.get("db_name")
		self._conn = None
		self._cursor = None
		self.last_query = None
		self.value_cache = {}
		self.transaction_writes = 0
		self.before_commit = CallbackManager()
		self.after_commit = CallbackManager()
		self.before_rollback = CallbackManager()
		self.after_rollback = CallbackManager()

	# ---- connection -------------------------------------------------------------------------------
	def connect(self):
		self._conn = self.get_connection()
		self._cursor = self._conn.cursor()
		return self

	def close(self):
		if self._conn:
			try:
				self._conn.close()
			except Exception:
				pass
		self._conn = None
		self._cursor = None

	# ---- sql --------------------------------------------------------------------------------------
	def sql(
		self,
		query,
		values=(),
		as_dict=0,
		as_list=0,
		debug=0,
		ignore_ddl=0,
		auto_commit=0,
		update=None,
		explain=False,
		run=True,
		pluck=False,
		as_iterator=False,
	):
		"""Run `query` with `values` (tuple for %s, dict for %(name)s); returns Frappe's shapes:
		() for statements without a result set, a tuple of tuples, a list of _dict (as_dict), a list of
		lists (as_list) or the first column (pluck)."""
		query = str(query).strip()
		if not run:
			return query
		lowered = query[:20].lower()
		if lowered == "commit":
			self.commit()
			return ()
		if lowered == "rollback":
			self.rollback()
			return ()
		query = IFNULL_PATTERN.sub("coalesce(", query)
		if lowered.startswith(_DDL_PREFIXES) and self.transaction_writes:
			# Frappe refuses DDL mid-transaction on MariaDB because it commits implicitly.
			self.check_implicit_commit(query)

		if values == ():
			values = None
		elif values is not None and not isinstance(values, (dict, tuple, list)):
			values = (values,)

		if not self._conn:
			self.connect()  # v15 connects on the first statement, not in frappe.connect

		try:
			self.last_query = query
			self._execute(query, values)
		except Exception as e:
			if self.is_deadlocked(e):
				raise QueryDeadlockError(e) from e
			if self.is_timedout(e):
				raise QueryTimeoutError(e) from e
			if ignore_ddl and (
				self.is_missing_column(e) or self.is_table_missing(e) or self.cant_drop_field_or_key(e)
			):
				return ()
			raise

		if debug:
			print(query, values)
		if auto_commit:
			self.commit()

		if not self._cursor.description:
			return ()

		result = self._cursor.fetchall()
		if pluck:
			return [r[0] for r in result]
		if as_dict:
			keys = [c[0] for c in self._cursor.description]
			return [frappe._dict(zip(keys, r, strict=False)) for r in result]
		if as_list:
			return [list(r) for r in result]
		return tuple(tuple(r) for r in result)

	def sql_list(self, query, values=(), debug=False, **kwargs):
		return self.sql(query, values, debug=debug, pluck=True, **kwargs)

	def sql_ddl(self, query, debug=False):
		"""DDL outside the current unit of work (Frappe commits before DDL)."""
		self.commit()
		self.sql(query, debug=debug)
		self.commit()

	def check_implicit_commit(self, query):
		raise ImplicitCommitError("This statement can cause implicit commit", query)

	# ---- transactions -----------------------------------------------------------------------------
	def begin(self, *, read_only=False):
		self._begin()

	def commit(self):
		"""Commit, then start a new transaction and run after_commit callbacks (Frappe's order)."""
		self.before_commit.run()
		self._commit()
		self.transaction_writes = 0
		self.begin()
		self.after_rollback.reset()
		self.before_rollback.reset()
		self.after_commit.run()

	def rollback(self, *, save_point=None):
		"""Roll back the transaction, or only to `save_point`."""
		if save_point:
			self.sql(f"rollback to savepoint {save_point}")
			return
		self.before_commit.reset()
		self.after_commit.reset()
		self.before_rollback.run()
		self._rollback()
		self.transaction_writes = 0
		self.begin()
		self.after_rollback.run()

	def savepoint(self, save_point):
		self.sql(f"savepoint {save_point}")

	def release_savepoint(self, save_point):
		self.sql(f"release savepoint {save_point}")

	# ---- reads ------------------------------------------------------------------------------------
	def get_value(
		self,
		doctype,
		filters=None,
		fieldname="name",
		ignore=None,
		as_dict=False,
		debug=False,
		order_by=DefaultOrderBy,
		cache=False,
		for_update=False,
		*,
		run=True,
		pluck=False,
		distinct=False,
		skip_locked=False,
		wait=True,
	):
		"""One row's value(s): a scalar for one field, a tuple for several, a _dict with as_dict or "*"."""
		result = self.get_values(
			doctype,
			filters,
			fieldname,
			ignore,
			as_dict,
			debug,
			order_by,
			cache=cache,
			for_update=for_update,
			run=run,
			pluck=pluck,
			distinct=distinct,
			limit=1,
			skip_locked=skip_locked,
			wait=wait,
		)
		if not run:
			return result
		if not result:
			return None
		row = result[0]
		if len(row) > 1 or as_dict:
			return row
		return row[0]

	def get_values(
		self,
		doctype,
		filters=None,
		fieldname="name",
		ignore=None,
		as_dict=False,
		debug=False,
		order_by=DefaultOrderBy,
		update=None,
		cache=False,
		for_update=False,
		*,
		run=True,
		pluck=False,
		distinct=False,
		limit=None,
		skip_locked=False,
		wait=True,
	):
		if (filters is None or filters == doctype) and self._is_single(doctype):
			# Frappe's get_values_from_single: raw tabSingles text, not cast by fieldtype.
			vals = self.get_singles_dict(doctype, for_update=for_update)
			if fieldname == "*":
				return [vals]
			fields = [fieldname] if isinstance(fieldname, str) else list(fieldname)
			if as_dict:
				return [frappe._dict({f: vals.get(f) for f in fields})]
			return [tuple(vals.get(f) for f in fields)]

		if fieldname == "*":
			as_dict = True
		fields = [fieldname] if isinstance(fieldname, str) else list(fieldname)
		try:
			rows = self._select(
				doctype,
				fields=fields,
				filters=filters,
				order_by=order_by,
				limit=limit,
				for_update=for_update,
				skip_locked=skip_locked,
				wait=wait,
				distinct=distinct,
				as_dict=as_dict,
				debug=debug,
				pluck=pluck,
				default_direction="desc",
			)
		except Exception as e:
			if ignore and (self.is_missing_column(e) or self.is_table_missing(e)):
				return []
			raise
		return rows

	def _select(
		self,
		doctype,
		fields=None,
		filters=None,
		order_by=DefaultOrderBy,
		limit=None,
		offset=None,
		for_update=False,
		skip_locked=False,
		wait=True,
		distinct=False,
		as_dict=False,
		debug=False,
		pluck=False,
		group_by=None,
		or_filters=None,
		coerce_filter=None,
		default_direction="",
	):
		where, values = build_conditions(doctype, filters, or_filters, coerce=coerce_filter)
		field_sql = build_fields(fields or ["name"])
		query = f"select {'distinct ' if distinct else ''}{field_sql} from `tab{doctype}`"
		if where:
			query += f" where {where}"
		if group_by:
			query += f" group by {group_by}"
		if order_by == DefaultOrderBy:
			order_by = "modified desc" if not group_by else None
		if order_by:
			query += f" order by {build_order_by(order_by, default_direction)}"
		if limit:
			query += f" limit {cint(limit)}"
			if offset:
				query += f" offset {cint(offset)}"
		if for_update:
			query += " for update"
			if skip_locked:
				query += " skip locked"
			elif not wait:
				query += " nowait"
		return self.sql(query, values, as_dict=as_dict, debug=debug, pluck=pluck)

	@staticmethod
	def get_all(*args, **kwargs):
		return frappe.get_all(*args, **kwargs)

	@staticmethod
	def get_list(*args, **kwargs):
		return frappe.get_list(*args, **kwargs)

	def exists(self, dt, dn=None, cache=False):
		"""The name of a matching document, or None. `dt` may be {"doctype": ..., **filters}."""
		if isinstance(dt, dict):
			dn = dict(dt)
			dt = dn.pop("doctype")
		if dt and dn == dt and self._is_single(dt):
			return dt
		if dn is None:
			return None
		try:
			return self.get_value(dt, dn, "name", order_by=None)
		except Exception as e:
			if self.is_table_missing(e):
				return None
			raise

	def count(self, dt, filters=None, debug=False, cache=False, distinct=True):
		where, values = build_conditions(dt, filters)
		query = f"select count(*) from `tab{dt}`"
		if where:
			query += f" where {where}"
		return cint(self.sql(query, values, debug=debug)[0][0])

	def delete(self, doctype, filters=None, debug=False, **kwargs):
		"""Raw DELETE with Frappe filters; no hooks."""
		filters = filters or kwargs.get("conditions")
		if self._is_single(doctype):
			return self.sql("delete from `tabSingles` where `doctype`=%s", (doctype,), debug=debug)
		where, values = build_conditions(doctype, filters)
		query = f"delete from `tab{doctype}`"
		if where:
			query += f" where {where}"
		return self.sql(query, values, debug=debug)

	def truncate(self, doctype):
		return self.sql(f"delete from `tab{doctype}`")

	# ---- writes -----------------------------------------------------------------------------------
	def set_value(
		self,
		dt,
		dn,
		field,
		val=None,
		modified=None,
		modified_by=None,
		update_modified=True,
		debug=False,
	):
		"""UPDATE without hooks or validation; stamps modified unless update_modified=False."""
		if dn is None or dt == dn:
			return self.set_single_value(
				dt, field, val, modified=modified, modified_by=modified_by, update_modified=update_modified
			)
		to_update = dict(field) if isinstance(field, dict) else {field: val}
		if update_modified:
			to_update["modified"] = modified or frappe.utils.now()
			to_update["modified_by"] = modified_by or frappe.session.user
		where, wvalues = build_conditions(dt, dn)
		sets = ", ".join(f"{quote_column(k)}=%s" for k in to_update)
		values = tuple(self.to_db_value(v) for v in to_update.values()) + tuple(wvalues)
		self.sql(f"update `tab{dt}` set {sets} where {where}", values, debug=debug)
		if isinstance(dn, str):
			frappe.clear_document_cache(dt, dn)
		else:
			frappe.clear_document_cache(dt)

	def get_singles_dict(self, doctype, debug=False, *, for_update=False, cast=False):
		query = "select `field`, `value` from `tabSingles` where `doctype`=%s"
		if for_update:
			query += " for update"
		result = self.sql(query, (doctype,), debug=debug)
		data = frappe._dict(result)
		if cast:
			meta = frappe.get_meta(doctype)
			for f in meta.fields:
				if f.fieldname in data:
					data[f.fieldname] = cast_value(f.fieldtype, data[f.fieldname])
		return data

	def get_single_value(self, doctype, fieldname, cache=True):
		"""A Single's field, cast by fieldtype; None-like values become the type's empty value."""
		key = (doctype, fieldname)
		if cache and key in self.value_cache:
			return self.value_cache[key]
		val = self.sql(
			"select `value` from `tabSingles` where `doctype`=%s and `field`=%s", (doctype, fieldname)
		)
		val = val[0][0] if val else None
		df = None
		if fieldname not in ("name", "modified", "creation"):
			df = frappe.get_meta(doctype).get_field(fieldname)
			if not df:
				# as v15: a field the Single does not have is an error, not None
				frappe.throw(
					frappe._("Field {0} does not exist on {1}").format(
						frappe.bold(fieldname), frappe.bold(doctype)
					)
				)
		if df:
			val = cast_value(df.fieldtype, val)
		if cache:
			self.value_cache[key] = val
		return val

	def set_single_value(
		self,
		doctype,
		fieldname,
		value=None,
		*,
		modified=None,
		modified_by=None,
		update_modified=True,
		debug=False,
	):
		to_update = dict(fieldname) if isinstance(fieldname, dict) else {fieldname: value}
		if update_modified:
			to_update["modified"] = modified or frappe.utils.now()
			to_update["modified_by"] = modified_by or frappe.session.user
		for field, val in to_update.items():
			self.sql("delete from `tabSingles` where `doctype`=%s and `field`=%s", (doctype, field))
			if val is not None:
				self.sql(
					"insert into `tabSingles` (`doctype`, `field`, `value`) values (%s, %s, %s)",
					(doctype, field, cstr(self.to_db_value(val))),
				)
			self.value_cache.pop((doctype, field), None)
		frappe.clear_document_cache(doctype, doctype)

	def get_default(self, key, parent="__default"):
		rows = self.sql(
			"select `defvalue` from `tabDefaultValue` where `parent`=%s and `defkey`=%s order by `creation`",
			(parent, key),
		)
		return rows[0][0] if rows else None

	def set_default(self, key, val, parent="__default"):
		self.sql("delete from `tabDefaultValue` where `parent`=%s and `defkey`=%s", (parent, key))
		if val is not None:
			self.sql(
				"""insert into `tabDefaultValue` (`name`, `parent`, `parenttype`, `parentfield`, `defkey`, `defvalue`,
				`creation`, `modified`, `owner`, `modified_by`) values (%s, %s, '__default', 'system_defaults', %s, %s,
				%s, %s, 'Administrator', 'Administrator')""",
				(frappe.generate_hash(length=10), parent, key, val, frappe.utils.now(), frappe.utils.now()),
			)

	def get_global(self, key, user="__global"):
		return self.get_default(key, user)

	def set_global(self, key, val, user="__global"):
		self.set_default(key, val, user)

	# ---- schema helpers ---------------------------------------------------------------------------
	def _is_single(self, doctype):
		try:
			return bool(frappe.get_meta(doctype).issingle)
		except Exception:
			return False

	def table_exists(self, doctype, cached=True):
		return self.has_table(f"tab{doctype}")

	def has_column(self, doctype, column):
		return column in self.get_table_columns(doctype)

	def add_index(self, doctype, fields, index_name=None):
		_add_index(self, f"tab{doctype}", fields, index_name)

	def add_unique(self, doctype, fields, constraint_name=None):
		_add_index(self, f"tab{doctype}", fields, constraint_name, unique=True)

	# ---- values ---------------------------------------------------------------------------------
	@staticmethod
	def format_date(date):
		return getdate(date).strftime("%Y-%m-%d")

	@staticmethod
	def format_datetime(datetime):
		if not datetime:
			return FallBackDateTimeStr
		return get_datetime(datetime).strftime("%Y-%m-%d %H:%M:%S.%f")

	@staticmethod
	def to_db_value(value):
		if isinstance(value, bool):
			return int(value)
		return value

	def escape(self, s, percent=True):
		raise NotImplementedError

	# ---- error classification (MariaDB error codes, mirrored by the SQLite backend) -------------------
	@staticmethod
	def _code(e):
		args = getattr(e, "args", ())
		return args[0] if args and isinstance(args[0], int) else None

	def is_deadlocked(self, e):
		return self._code(e) == 1213

	def is_timedout(self, e):
		return self._code(e) == 1205

	def is_table_missing(self, e):
		return self._code(e) == 1146

	def is_missing_table(self, e):
		return self.is_table_missing(e)

	def is_missing_column(self, e):
		return self._code(e) == 1054

	def is_duplicate_fieldname(self, e):
		return self._code(e) == 1060

	def is_duplicate_entry(self, e):
		return self._code(e) == 1062

	def is_primary_key_violation(self, e):
		return self.is_duplicate_entry(e) and "PRIMARY" in cstr(e.args[1])

	def is_unique_key_violation(self, e):
		return self.is_duplicate_entry(e) and "Duplicate" in cstr(e.args[1])

	def is_access_denied(self, e):
		return self._code(e) == 1045

	def cant_drop_field_or_key(self, e):
		return self._code(e) == 1091

	def is_syntax_error(self, e):
		return self._code(e) == 1064

	def is_data_too_long(self, e):
		return self._code(e) == 1406

	def is_cardinality_violation(self, e):
		return self._code(e) == 1242

	def get_column_type(self, doctype, column):
		return self.get_table_columns_description(f"tab{doctype}").get(column)


def cast_value(fieldtype, value):
	"""Cast a tabSingles text value by fieldtype (frappe.utils.data.cast)."""
	if fieldtype in ("Check", "Int"):
		return cint(value)
	if fieldtype in float_like_fields:
		return flt(value)
	if fieldtype in table_fields:
		return value
	if value in (None, ""):
		return value if fieldtype not in ("Date", "Datetime", "Time") else None
	if fieldtype == "Date":
		return getdate(value)
	if fieldtype == "Datetime":
		return get_datetime(value)
	if fieldtype == "Time":
		return get_timedelta(value)
	return value


def random_savepoint_name():
	return "".join(random.sample(string.ascii_lowercase, 10))


class savepoint:
	"""Context manager/decorator: roll back to a random savepoint when `catch` is raised (Frappe v15)."""

	def __init__(self, catch=Exception):
		self.catch = catch

	def __call__(self, func):
		def wrapper(*args, **kwargs):
			with self:
				return func(*args, **kwargs)

		return wrapper

	def __enter__(self):
		self._name = random_savepoint_name()
		frappe.db.savepoint(self._name)

	def __exit__(self, exc_type, exc_value, traceback):
		if exc_type and issubclass(exc_type, self.catch):
			frappe.db.rollback(save_point=self._name)
			return True
		if not exc_type:
			frappe.db.release_savepoint(self._name)
		return False
