# BaseDocument, following frappe/model/base_document.py (v15): field access, child rows, the values written
# to the database (get_valid_dict, db_insert, db_update) and the field-level validations. Document
# (frappe/model/document.py) adds loading, the insert/save cycle and hooks.
import datetime
import importlib
import json
from decimal import Decimal

import frappe
from frappe import _
from frappe.model import (
	child_table_fields,
	data_fieldtypes,
	default_fields,
	float_like_fields,
	table_fields,
)
from frappe.utils.data import cint, cstr, flt, now

_controllers: dict = {}
# The class of a DocType without a controller of its own: frappe.model.document.Document. Document is built
# on BaseDocument, so document.py registers it here (register_default_controller) rather than this module
# importing it back (Frappe's base_document imports it inside import_controller: an import cycle).
_default_controller = None
_LENGTH_CHECKED = (
	"Data",
	"Link",
	"Dynamic Link",
	"Select",
	"Read Only",
	"Color",
	"Icon",
	"Phone",
	"Autocomplete",
)


def register_default_controller(cls):
	global _default_controller
	_default_controller = cls


def get_controller(doctype):
	"""The controller class: `<app>.<module>.doctype.<dt>.<dt>.<DocTypeClass>`, the override_doctype_class hook, or Document."""
	meta = frappe.get_meta(doctype)
	key = (meta.app, doctype)
	if key in _controllers:
		return _controllers[key]
	override = frappe.get_hooks("override_doctype_class", {}).get(doctype)
	if override:
		cls = frappe.get_attr(override[-1])
	else:
		module_name = meta.get("module")
		classname = doctype.replace(" ", "").replace("-", "")
		module_path = (
			f"{meta.app}.{frappe.scrub(module_name)}.doctype.{frappe.scrub(doctype)}.{frappe.scrub(doctype)}"
		)
		try:
			module = importlib.import_module(module_path)
			cls = getattr(module, classname, None) or _default_controller
		except ModuleNotFoundError as e:
			if e.name and module_path.startswith(e.name):
				cls = _default_controller
			else:
				raise
	_controllers[key] = cls
	return cls


class BaseDocument:
	def __init__(self, d):
		if d.get("doctype"):
			self.doctype = d["doctype"]
		self.update(d)
		self.dont_update_if_missing = []

	def __getattr__(self, key):
		# Frappe initialises every valid column to None; answer None for known fields instead.
		if key.startswith("__") or key in ("doctype", "meta", "flags"):
			raise AttributeError(key)
		doctype = self.__dict__.get("doctype")
		if doctype:
			try:
				meta = frappe.get_meta(doctype)
			except Exception:
				raise AttributeError(key) from None
			if meta.has_field(key) or key in default_fields or key in child_table_fields:
				return None
		raise AttributeError(key)

	@property
	def meta(self):
		return frappe.get_meta(self.doctype)

	def update(self, d):
		if "doctype" in d:
			self.doctype = d["doctype"]
		for key, value in d.items():
			self.set(key, value)
		return self

	def get(self, key, filters=None, limit=None, default=None):
		if isinstance(key, dict):
			return [d for d in self.get_all_children() if all(d.get(k) == v for k, v in key.items())]
		value = self.__dict__.get(key, default)
		if filters and isinstance(value, list):
			value = [d for d in value if all(d.get(k) == v for k, v in filters.items())]
			if limit:
				value = value[:limit]
		return value

	def getone(self, key, filters=None):
		return (self.get(key, filters=filters, limit=1) or [None])[0]

	def set(self, key, value, as_value=False):
		if key in ("meta",):
			return
		if isinstance(value, list) and not as_value and self._is_table_field(key):
			self.__dict__[key] = []
			self.extend(key, value)
		else:
			self.__dict__[key] = value

	def _is_table_field(self, key):
		doctype = self.__dict__.get("doctype")
		if not doctype:
			return False
		df = frappe.get_meta(doctype).get_field(key)
		return bool(df and df.fieldtype in table_fields)

	def append(self, key, value=None):
		"""Add a child row to table field `key`; sets parent, parenttype, parentfield and idx."""
		if value is None:
			value = {}
		if not self._is_table_field(key):
			raise ValueError(
				f"Document for field {key} attached to child table of {self.name} must be a dict or BaseDocument, not {type(value)} ({value})"
			)
		table = self.__dict__.setdefault(key, [])
		child = self._init_child(value, key)
		table.append(child)
		child.idx = len(table)
		return child

	def extend(self, key, value):
		for v in value:
			self.append(key, v)

	def _init_child(self, value, key):
		options = self.meta.get_field(key).options
		if isinstance(value, BaseDocument):
			child = value
		else:
			value = dict(value)
			value["doctype"] = options
			child = get_controller(options)(value)
		if not child.name:
			child.__dict__["__islocal"] = 1
		child.parent = self.name
		child.parenttype = self.doctype
		child.parentfield = key
		if child.docstatus is None:
			child.docstatus = 0
		return child

	def get_all_children(self):
		out = []
		for df in self.meta.get_table_fields():
			out.extend(self.get(df.fieldname) or [])
		return out

	def is_new(self):
		return bool(self.get("__islocal"))

	# ---- values for the database --------------------------------------------------------------------
	def get_valid_dict(self, sanitize=True, convert_dates_to_str=False, ignore_nulls=False):
		"""Column → value, coerced as Frappe does (Check/Int → int, Float-like → float, JSON → text)."""
		meta = self.meta
		d = {}
		for column in meta.get_valid_columns():
			value = self.__dict__.get(column)
			df = meta.get_field(column)
			if df:
				ft = df.fieldtype
				if ft == "Check":
					value = 1 if cint(value) else 0
				elif ft in ("Int", "Long Int"):
					value = cint(value)
				elif ft in float_like_fields:
					value = flt(value)
				elif ft == "JSON" and isinstance(value, (dict, list)):
					value = json.dumps(value, separators=(",", ":"), default=str)
				elif ft in ("Date", "Datetime", "Time") and value == "":
					value = None
				elif isinstance(value, list) and ft not in table_fields:
					frappe.throw(_("Value for {0} cannot be a list").format(_(df.label or df.fieldname)))
				if df.get("unique") and cstr(value).strip() == "":
					value = None
				if isinstance(value, Decimal) and ft not in float_like_fields:
					value = str(value)
			if column == "docstatus":
				value = cint(value)
			elif column == "idx":
				value = cint(value)
			if ignore_nulls and value is None:
				continue
			d[column] = value
		return d

	def as_dict(
		self, no_nulls=False, no_default_fields=False, convert_dates_to_str=False, no_child_table_fields=False
	):
		doc = {}
		meta = self.meta
		for column in meta.get_valid_columns():
			doc[column] = self.__dict__.get(column)
		for df in meta.get_table_fields():
			doc[df.fieldname] = [
				c.as_dict(no_nulls=no_nulls, convert_dates_to_str=convert_dates_to_str)
				for c in (self.get(df.fieldname) or [])
			]
		if no_nulls:
			doc = {k: v for k, v in doc.items() if v is not None}
		if no_default_fields:
			doc = {k: v for k, v in doc.items() if k not in default_fields}
		if no_child_table_fields:
			doc = {k: v for k, v in doc.items() if k not in child_table_fields}
		if convert_dates_to_str:
			doc = {
				k: (str(v) if isinstance(v, (datetime.date, datetime.datetime, datetime.timedelta)) else v)
				for k, v in doc.items()
			}
		doc["doctype"] = self.doctype
		for key in ("__islocal", "__unsaved"):
			if self.__dict__.get(key):
				doc[key] = self.__dict__[key]
		return frappe._dict(doc)

	def as_json(self):
		return frappe.as_json(self.as_dict())

	def db_insert(self, ignore_if_duplicate=False):
		"""INSERT INTO `tab{dt}` (...) VALUES (%s, ...); maps key violations to Frappe's exceptions."""
		if not self.name:
			self.name = frappe.model.naming.make_autoname("hash", self.doctype)
		if not self.creation:
			self.creation = self.modified = now()
			self.owner = self.modified_by = frappe.session.user
		d = self.get_valid_dict()
		columns = list(d.keys())
		try:
			frappe.db.sql(
				"insert into `tab{doctype}` ({columns}) values ({values})".format(
					doctype=self.doctype,
					columns=", ".join("`" + c + "`" for c in columns),
					values=", ".join(["%s"] * len(columns)),
				),
				tuple(d.values()),
			)
		except Exception as e:
			if frappe.db.is_primary_key_violation(e):
				if self.meta.autoname == "hash" and not self.flags.get("_hash_retried", 0) >= 5:
					self.flags._hash_retried = self.flags.get("_hash_retried", 0) + 1
					self.name = None
					self.db_insert(ignore_if_duplicate=ignore_if_duplicate)
					return
				if not ignore_if_duplicate:
					frappe.msgprint(
						_("{0} {1} already exists").format(_(self.doctype), frappe.bold(self.name)),
						title=_("Duplicate Name"),
						indicator="red",
					)
					raise frappe.DuplicateEntryError(self.doctype, self.name, e) from e
				return
			if frappe.db.is_unique_key_violation(e):
				self.show_unique_validation_message(e)
			raise
		self.set("__islocal", False)
		if self.meta.engine == "MyISAM":
			frappe.db.dialect.after_non_transactional_insert(frappe.db, self.doctype, d)

	def show_unique_validation_message(self, e):
		fieldname = self._unique_field_from_error(e)
		if fieldname:
			label = self.meta.get_label(fieldname)
			frappe.msgprint(_("{0} must be unique").format(label))
			raise frappe.UniqueValidationError(self.doctype, self.name, e) from e
		raise frappe.UniqueValidationError(self.doctype, self.name, e) from e

	def _unique_field_from_error(self, e):
		msg = cstr(e.args[1]) if len(e.args) > 1 else cstr(e)
		for df in self.meta.get_unique_fields():
			if f"'{df.fieldname}'" in msg or f".{df.fieldname}" in msg:
				return df.fieldname
		for df in self.meta.get_unique_fields():
			if df.fieldname in msg:
				return df.fieldname
		return None

	def db_update(self):
		if self.get("__islocal") or not self.name:
			self.db_insert()
			return
		d = self.get_valid_dict()
		name = d.pop("name")
		for key in ("creation", "owner"):
			d.pop(key, None)
		columns = list(d.keys())
		try:
			frappe.db.sql(
				"update `tab{doctype}` set {values} where `name`=%s".format(
					doctype=self.doctype, values=", ".join("`" + c + "`=%s" for c in columns)
				),
				(*d.values(), name),
			)
		except Exception as e:
			if frappe.db.is_unique_key_violation(e):
				self.show_unique_validation_message(e)
			raise

	# ---- validations (BaseDocument._validate_*) ---------------------------------------------------
	def _get_missing_mandatory_fields(self):
		missing = []
		for df in self.meta.fields:
			if not df.get("reqd") or df.fieldtype not in data_fieldtypes and df.fieldtype not in table_fields:
				continue
			value = self.get(df.fieldname)
			if df.fieldtype in table_fields:
				if not value:
					missing.append((df.fieldname, df.label or df.fieldname))
				continue
			if value is None or (isinstance(value, str) and not value.strip()):
				missing.append((df.fieldname, df.label or df.fieldname))
			elif df.fieldtype in ("Float", "Currency", "Percent", "Int", "Check") and value in ("", None):
				missing.append((df.fieldname, df.label or df.fieldname))
		return missing

	def _validate_selects(self):
		for df in self.meta.get_select_fields():
			value = self.get(df.fieldname)
			options = (df.options or "").split("\n")
			if not value or df.fieldname == "naming_series" or not df.options:
				continue
			if cstr(value) not in options:
				label = _(df.label or df.fieldname)
				comma_options = '", "'.join(_(o) for o in options)
				frappe.throw(
					_('{0} cannot be "{1}". It should be one of "{2}"').format(label, value, comma_options),
					title=_("Invalid Value"),
				)

	def _validate_length(self):
		for df in self.meta.fields:
			if df.fieldtype not in _LENGTH_CHECKED:
				continue
			value = self.get(df.fieldname)
			if value is None:
				continue
			max_length = cint(df.get("length")) or 140
			if len(cstr(value)) > max_length:
				self.throw_length_exceeded_error(df, max_length, value)

	def throw_length_exceeded_error(self, df, max_length, value):
		reference = f"{_(self.doctype)} {self.name}" if self.name else _(self.doctype)
		frappe.throw(
			_("{0}: '{1}' ({3}) will get truncated, as max characters allowed is {2}").format(
				reference, _(df.label or df.fieldname), max_length, value
			),
			frappe.CharacterLengthExceededError,
			title=_("Value too big"),
		)

	def _validate_non_negative(self):
		for df in self.meta.fields:
			if df.get("non_negative") and df.fieldtype in ("Int", "Float", "Currency", "Percent"):
				if flt(self.get(df.fieldname)) < 0:
					frappe.throw(
						_("{0} cannot be negative").format(_(df.label or df.fieldname)),
						frappe.NonNegativeError,
						title=_("Negative Value"),
					)

	def _validate_links(self):
		if self.flags.ignore_links or frappe.flags.in_install:
			return
		invalid = []
		for d in [self, *self.get_all_children()]:
			for df in d.meta.get_link_fields():
				value = d.get(df.fieldname)
				if value and df.options and not frappe.db.exists(df.options, value):
					invalid.append((df.fieldname, value, df.label or df.fieldname))
		if invalid:
			msg = ", ".join(f"{_(label)}: {value}" for _fn, value, label in invalid)
			frappe.throw(
				_("Could not find {0}").format(msg), frappe.LinkValidationError, title=_("Links Validation")
			)
