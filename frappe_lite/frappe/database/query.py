# Filters → SQL, for the forms Frappe v15 accepts (frappe/database/query.py, frappe/model/db_query.py):
# a name, {field: value | (op, value)}, [[field, op, value] | [doctype, field, op, value]], or a list of names.
import datetime
import re
from decimal import Decimal

import frappe

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUALIFIED = re.compile(r"^`?tab[^`.]+`?\.`?[A-Za-z_][A-Za-z0-9_]*`?$")
OPERATORS = (
	"=",
	"!=",
	"<>",
	">",
	">=",
	"<",
	"<=",
	"in",
	"not in",
	"like",
	"not like",
	"between",
	"is",
	"timespan",
)
_UNSAFE_SQL = re.compile(
	r";|--|/\*|\b(?:union|insert|update|delete|drop|alter|sleep|benchmark)\b", re.IGNORECASE
)


def quote_column(field: str) -> str:
	field = field.strip()
	if _IDENTIFIER.match(field):
		return f"`{field}`"
	if field.startswith("`") or _QUALIFIED.match(field):
		return field
	frappe.throw(frappe._("Invalid field name {0}").format(field), frappe.DataError)


def build_fields(fields) -> str:
	"""Field list: plain names are quoted; expressions (count(*), sum(x) as y, `tabX`.y) pass after a safety check."""
	if isinstance(fields, str):
		fields = [f for f in (p.strip() for p in _split_fields(fields)) if f]
	out = []
	for f in fields:
		f = f.strip()
		if f == "*":
			out.append("*")
		elif _IDENTIFIER.match(f):
			out.append(f"`{f}`")
		else:
			if _UNSAFE_SQL.search(f):
				frappe.throw(frappe._("Invalid field expression {0}").format(f), frappe.DataError)
			out.append(f)
	return ", ".join(out)


def _split_fields(text):
	depth, cur, parts = 0, "", []
	for ch in text:
		if ch == "(":
			depth += 1
		elif ch == ")":
			depth -= 1
		if ch == "," and depth == 0:
			parts.append(cur)
			cur = ""
		else:
			cur += ch
	parts.append(cur)
	return parts


V15_OPERATORS = (
	"=", "!=", ">", "<", ">=", "<=", "like", "not like", "in", "not in", "is", "between", "timespan", "previous",
	"next", "ancestors of", "descendants of", "not ancestors of", "not descendants of", "descendants of (inclusive)",
)  # fmt: skip


def build_order_by(order_by: str, default_direction: str = "") -> str:
	"""`order_by` checked and quoted; a key without a direction gets `default_direction` (v15's query engine,
	behind frappe.db.get_value/get_values, sorts such a key DESCENDING; get_list's SQL leaves it ascending)."""
	if _UNSAFE_SQL.search(order_by):
		frappe.throw(frappe._("Invalid order by {0}").format(order_by), frappe.DataError)
	parts = []
	for piece in _split_fields(order_by):
		bits = piece.strip().split()
		if not bits:
			continue
		col = bits[0]
		if _IDENTIFIER.match(col):
			col = f"`{col}`"
		direction = " ".join(bits[1:]).lower()
		if direction not in ("", "asc", "desc"):
			frappe.throw(frappe._("Invalid order by {0}").format(order_by), frappe.DataError)
		parts.append(f"{col} {direction or default_direction}".strip())
	return ", ".join(parts)


def _normalise_value(v):
	if isinstance(v, bool):
		return int(v)
	if isinstance(v, (datetime.datetime, datetime.date, Decimal)):
		return v
	return v


def _condition(doctype, field, op, value, values, coerce=None):
	# a plain field is qualified with its table, as v15's queries do (so MariaDB names `tabX.field` in errors)
	if _IDENTIFIER.match(field.strip()):
		col = f"`tab{doctype}`.{quote_column(field)}"
	else:
		col = quote_column(field) if "." not in field else field
	op = (op or "=").strip().lower()
	if coerce:
		value = coerce(doctype, field, op, value)
	if op == "<>":
		op = "!="
	if op == "is":
		v = (value or "").lower() if isinstance(value, str) else value
		if v == "set":
			return f"({col} is not null and {col} != '')"
		if v == "not set":
			return f"({col} is null or {col} = '')"
		frappe.throw(frappe._("Operator 'is' takes 'set' or 'not set'"), frappe.DataError)
	if op in ("in", "not in"):
		if isinstance(value, str):
			value = [v.strip() for v in value.split(",") if v.strip()]
		value = list(value or [])
		if not value:
			# Frappe: `in ()` matches nothing, `not in ()` matches everything.
			return "1=0" if op == "in" else "1=1"
		values.extend(_normalise_value(v) for v in value)
		return f"{col} {op} ({', '.join(['%s'] * len(value))})"
	if op == "between":
		if not isinstance(value, (list, tuple)) or len(value) != 2:
			frappe.throw(frappe._("'between' needs two values"), frappe.DataError)
		values.extend([value[0], value[1]])
		return f"{col} between %s and %s"
	if op in ("like", "not like"):
		values.append(value)
		return f"{col} {op} %s"
	if op not in ("=", "!=", ">", ">=", "<", "<="):
		# v15's get_filter: a ValidationError naming every operator it knows (frappe_lite implements the
		# comparison ones, in/not in, like/not like, between and is)
		frappe.throw(frappe._("Operator must be one of {0}").format(", ".join(V15_OPERATORS)))
	if value is None:
		# Frappe compares with ifnull(col, '') for None.
		return f"coalesce({col}, '') {op} ''"
	values.append(_normalise_value(value))
	return f"{col} {op} %s"


def _conditions_from(doctype, filters, values, coerce=None):
	conds = []
	if filters is None or filters == {} or filters == []:
		return conds
	if isinstance(filters, (str, int)):
		values.append(filters)
		return ["`name` = %s"]
	if isinstance(filters, dict):
		for field, v in filters.items():
			if (
				isinstance(v, (list, tuple))
				and len(v) >= 1
				and isinstance(v[0], str)
				and v[0].lower().strip() in OPERATORS
			):
				conds.append(_condition(doctype, field, v[0], v[1] if len(v) > 1 else None, values, coerce))
			else:
				conds.append(_condition(doctype, field, "=", v, values, coerce))
		return conds
	if isinstance(filters, (list, tuple)):
		if all(isinstance(f, (str, int)) for f in filters):
			if len(filters) in (3, 4) and isinstance(filters[1], str) and filters[1].lower() in OPERATORS:
				return _conditions_from(doctype, [filters], values, coerce)
			return [_condition(doctype, "name", "in", list(filters), values)]
		for f in filters:
			if isinstance(f, dict):
				conds.extend(_conditions_from(doctype, f, values, coerce))
			elif isinstance(f, (list, tuple)):
				if len(f) == 4:
					_dt, field, op, v = f
				elif len(f) == 3:
					field, op, v = f
				elif len(f) == 2:
					field, v = f
					op = "="
				else:
					frappe.throw(frappe._("Invalid filter {0}").format(f), frappe.DataError)
				conds.append(_condition(doctype, field, op, v, values, coerce))
		return conds
	frappe.throw(frappe._("Invalid filters {0}").format(filters), frappe.DataError)


def build_conditions(doctype, filters=None, or_filters=None, coerce=None):
	"""(where_sql, values) for Frappe-style filters; values are %s placeholders. `coerce(doctype, field, op,
	value)` may rewrite each value first (frappe.get_list parses dates by fieldtype; frappe.db does not)."""
	values = []
	conds = _conditions_from(doctype, filters, values, coerce)
	where = " and ".join(conds)
	if or_filters:
		or_conds = _conditions_from(doctype, or_filters, values, coerce)
		if or_conds:
			or_sql = "(" + " or ".join(or_conds) + ")"
			where = f"{where} and {or_sql}" if where else or_sql
	return where, values
