# BaseDocument, following frappe/model/base_document.py (v15): field access, child rows, the values written
# to the database (get_valid_dict, db_insert, db_update) and the field-level validations. Document
# (frappe/model/document.py) adds loading, the insert/save cycle and hooks.
import datetime
import importlib
import json
import weakref

import frappe
from frappe import _
from frappe.database.schema import TYPE_MAP
from frappe.model import (
	child_table_fields,
	datetime_fields,
	default_fields,
	float_like_fields,
	table_fields,
)
from frappe.model.docstatus import DocStatus
from frappe.utils.data import cint, cstr, flt, now, strip_html

_controllers: dict = {}
# The class of a DocType without a controller of its own: frappe.model.document.Document. Document is built
# on BaseDocument, so document.py registers it here (register_default_controller) rather than this module
# importing it back (Frappe's base_document imports it inside import_controller: an import cycle).
_default_controller = None
MAX_POSITIVE_VALUE = {"smallint": 2**15 - 1, "int": 2**31 - 1, "bigint": 2**63 - 1}


def register_default_controller(cls):
	global _default_controller
	_default_controller = cls


def get_controller(doctype):
	"""The controller class: `<app>.<module>.doctype.<dt>.<dt>.<DocTypeClass>`, the override_doctype_class hook, or Document."""
	from frappe.model.meta import get_doctype_index

	if doctype not in get_doctype_index(tuple(frappe.get_installed_apps())):
		# as v15: an unknown DocType is looked for in module Core, and its import fails
		raise ImportError(
			f"Module import failed for {doctype}, the DocType you're trying to open might be deleted.\n"
			f"Error: No module named 'frappe.core.doctype.{frappe.scrub(doctype)}'"
		)
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


def _length_checks(meta):
	"""(fieldname, df, is_text, max) for each varchar and int column of `meta`, in column order, computed once
	per Meta: _validate_length's limits (a varchar's length, an int column's largest value)."""
	checks = meta.__dict__.get("_length_checks")
	if checks is None:
		checks = []
		for fieldname, df, fieldtype, _unique in meta.get_column_plan():
			if not df or fieldtype == "Check" or fieldtype not in TYPE_MAP:
				continue
			column_type, default_length = TYPE_MAP[fieldtype]
			if column_type == "varchar":
				checks.append((fieldname, df, True, cint(df.get("length")) or cint(default_length)))
			elif column_type in ("int", "bigint", "smallint"):
				if cint(df.get("length")) > 11:  # bigint for length > 11
					column_type = "bigint"
				checks.append((fieldname, df, False, MAX_POSITIVE_VALUE[column_type]))
		checks = tuple(checks)
		object.__setattr__(meta, "_length_checks", checks)
	return checks


class BaseDocument:
	_reserved_keywords = frozenset(
		(
			"doctype",
			"meta",
			"flags",
			"parent_doc",
			"_table_fields",
			"_valid_columns",
			"_doc_before_save",
			"_table_fieldnames",
			"_table_fields_of",
			"_reserved_keywords",
			"permitted_fieldnames",
			"dont_update_if_missing",
		)
	)

	def __init__(self, d):
		if d.get("doctype"):
			self.doctype = d["doctype"]
		self.update(d)
		self.dont_update_if_missing = []

	def __getattr__(self, key):
		# Frappe initialises every valid column to None (init_valid_columns); a column missing from
		# __dict__ (a row built by hand) answers None too.
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

	@property
	def docstatus(self):
		"""Always a DocStatus (0 when unset), as Frappe's BaseDocument.docstatus."""
		return DocStatus(cint(self.__dict__.get("docstatus")))

	@docstatus.setter
	def docstatus(self, value):
		self.__dict__["docstatus"] = DocStatus(cint(value))

	def update(self, d):
		"""Set several fields at once (`name` first, as child rows refer to it)."""
		if "doctype" in d:
			self.doctype = d["doctype"]
		if "name" in d:
			self.name = d["name"]
		ignore_children = bool(getattr(self, "flags", None) and self.flags.ignore_children)
		for key, value in d.items():
			self.set(key, value, as_value=ignore_children)
		return self

	def update_if_missing(self, d):
		"""Set the values of `d` for fields that are None here (Document._set_defaults)."""
		if isinstance(d, BaseDocument):
			d = d.get_valid_dict()
		for key, value in d.items():
			if value is not None and self.get(key) is None and key not in self.dont_update_if_missing:
				self.set(key, value)

	def get(self, key, filters=None, limit=None, default=None):
		"""A field's value; `get(key, default)` when the second argument is not a filter dict; with a dict
		key (or filters), the matching child rows."""
		if isinstance(key, dict):
			return _filter(self.get_all_children(), key, limit=limit)
		if filters:
			if isinstance(filters, dict):
				return _filter(self.__dict__.get(key, []), filters, limit=limit)
			# perhaps you wanted to set a default instead
			default = filters
		value = self.__dict__.get(key, default)
		if limit and isinstance(value, list | tuple) and len(value) > limit:
			value = value[:limit]
		return value

	def getone(self, key, filters=None):
		return self.get(key, filters=filters, limit=1)[0]

	def set(self, key, value, as_value=False):
		if key in self._reserved_keywords:
			return
		if not as_value and self._is_table_field(key):
			self.__dict__[key] = []
			# a falsy value just empties the table
			if value:
				self.extend(key, value)
			return
		self.__dict__[key] = value

	def _is_table_field(self, key):
		# v15 computes the table fieldnames once per document (BaseDocument.__init__: _table_fieldnames);
		# so does this, keyed on the doctype it was computed for, instead of a meta lookup per field set.
		doctype = self.__dict__.get("doctype")
		if not doctype:
			return False
		cached = self.__dict__.get("_table_fields_of")
		if cached is None or cached[0] != doctype:
			names = frozenset(
				df.fieldname for df in frappe.get_meta(doctype).fields if df.fieldtype in table_fields
			)
			cached = self.__dict__["_table_fields_of"] = (doctype, names)
		return key in cached[1]

	def append(self, key, value=None):
		"""Add a child row to table field `key`; sets parent, parenttype, parentfield and idx."""
		if value is None:
			value = {}
		if (table := self.__dict__.get(key)) is None:
			self.__dict__[key] = table = []
		ret_value = self._init_child(value, key)
		table.append(ret_value)
		# the row refers to its parent weakly, as in Frappe
		ret_value.parent_doc = weakref.ref(self)
		return ret_value

	@property
	def parent_doc(self):
		ref = self.__dict__.get("_parent_doc")
		if isinstance(ref, BaseDocument):
			return ref
		if isinstance(ref, weakref.ReferenceType):
			return ref()
		return None

	@parent_doc.setter
	def parent_doc(self, value):
		self.__dict__["_parent_doc"] = value

	def __getstate__(self):
		state = self.__dict__.copy()
		state.pop("_parent_doc", None)
		return state

	def __setstate__(self, state):
		self.__dict__.update(state)

	def extend(self, key, value):
		try:
			value = iter(value)
		except TypeError:
			raise ValueError from None
		for v in value:
			self.append(key, v)

	def _init_child(self, value, key):
		if not isinstance(value, BaseDocument):
			df = self.meta.get_field(key)
			if not df:
				raise AttributeError(key)
			value = dict(value)
			value["doctype"] = df.options
			value = get_controller(df.options)(value)
		value.parent = self.name
		value.parenttype = self.doctype
		value.parentfield = key
		if not getattr(value, "idx", None):
			table = self.__dict__.get(key)
			value.idx = len(table) + 1 if table else 1
		if not getattr(value, "name", None):
			value.__dict__["__islocal"] = 1
		return value

	def init_child_tables(self):
		"""Every table field holds a list, empty when it has no rows."""
		for df in self.meta.get_table_fields():
			if self.__dict__.get(df.fieldname) is None:
				self.__dict__[df.fieldname] = []

	def init_valid_columns(self):
		"""Every column present in __dict__ (None when unset); docstatus a DocStatus and idx 0 when unset."""
		for key in default_fields:
			if key not in self.__dict__:
				self.__dict__[key] = None
			if self.__dict__[key] is None:
				if key == "docstatus":
					self.docstatus = DocStatus.draft()
				elif key == "idx":
					self.__dict__[key] = 0
		for key in self.meta.get_valid_columns():
			if key not in self.__dict__:
				self.__dict__[key] = None

	def _fix_numeric_types(self):
		"""Check, Int and Float-like values as numbers; docstatus a DocStatus (load of a Single, new docs)."""
		for df in self.meta.fields:
			if df.fieldtype == "Check":
				self.set(df.fieldname, cint(self.get(df.fieldname)))
			elif self.get(df.fieldname) is not None:
				if df.fieldtype == "Int":
					self.set(df.fieldname, cint(self.get(df.fieldname)))
				elif df.fieldtype in ("Float", "Currency", "Percent"):
					self.set(df.fieldname, flt(self.get(df.fieldname)))
		if self.__dict__.get("docstatus") is not None:
			self.docstatus = DocStatus(cint(self.__dict__["docstatus"]))

	def get_all_children(self):
		out = []
		for df in self.meta.get_table_fields():
			out.extend(self.get(df.fieldname) or [])
		return out

	def is_new(self):
		# as v15: the flag itself (1 for a new_doc, True while inserting, None once saved), not a bool
		return self.get("__islocal")

	# ---- values for the database --------------------------------------------------------------------
	def get_valid_dict(self, sanitize=True, convert_dates_to_str=False, ignore_nulls=False):
		"""Column → value as written to the database (BaseDocument.get_valid_dict): Check 1/0, Int cint,
		Float-likes flt, a JSON dict as text, "" as None for date/time and unique fields; a list for a
		non-table field throws. Without `sanitize`, None stays None."""
		d = frappe._dict()
		values = self.__dict__
		for fieldname, df, fieldtype, unique in self.meta.get_column_plan():
			value = values.get(fieldname)
			if not sanitize and value is None:
				d[fieldname] = None
				continue
			if df:
				if isinstance(value, list) and fieldtype not in table_fields:
					frappe.throw(_("Value for {0} cannot be a list").format(_(df.label)))
				if fieldtype == "Check":
					value = 1 if cint(value) else 0
				elif fieldtype == "Int" and not isinstance(value, int):
					value = cint(value)
				elif fieldtype == "JSON" and isinstance(value, dict):
					value = json.dumps(value, separators=(",", ":"))
				elif fieldtype in float_like_fields and not isinstance(value, float):
					value = flt(value)
				elif (fieldtype in datetime_fields and value == "") or (unique and cstr(value).strip() == ""):
					value = None
			if convert_dates_to_str and isinstance(
				value, datetime.datetime | datetime.date | datetime.time | datetime.timedelta
			):
				value = str(value)
			if ignore_nulls and value is None:
				continue
			d[fieldname] = value
		return d

	def as_dict(
		self, no_nulls=False, no_default_fields=False, convert_dates_to_str=False, no_child_table_fields=False
	):
		"""The document as a dict of its (coerced) column values, `doctype` and its child rows."""
		doc = self.get_valid_dict(convert_dates_to_str=convert_dates_to_str, ignore_nulls=no_nulls)
		doc["doctype"] = self.doctype
		for df in self.meta.get_table_fields():
			doc[df.fieldname] = [
				d.as_dict(
					convert_dates_to_str=convert_dates_to_str,
					no_nulls=no_nulls,
					no_default_fields=no_default_fields,
					no_child_table_fields=no_child_table_fields,
				)
				for d in (self.get(df.fieldname) or [])
			]
		if no_default_fields:
			for key in default_fields:
				doc.pop(key, None)
		if no_child_table_fields:
			for key in child_table_fields:
				doc.pop(key, None)
		for key in ("_user_tags", "__islocal", "__onload", "_liked_by", "__run_link_triggers", "__unsaved"):
			if value := self.__dict__.get(key):
				doc[key] = value
		return doc

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
			if self._name_taken(e):
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

	def _sanitize_content(self):
		"""v15: a field value that looks like HTML is sanitised (bleach) on save, except Code/Attach-like
		fields, Email Data fields, `ignore_xss_filter` fields and fields of a cancelled or submitted document
		(but allow_on_submit ones); skipped while installing."""
		if frappe.flags.in_install:
			return
		for fieldname, value in self.get_valid_dict().items():
			if not value or not isinstance(value, str):
				continue
			if "<" not in value and ">" not in value:
				continue
			df = self.meta.get_field(fieldname)
			if "<!-- markdown -->" in value:
				from bs4 import BeautifulSoup

				if not BeautifulSoup(value, "html.parser").find():
					continue
			if df and (
				df.get("ignore_xss_filter")
				or (df.get("fieldtype") in ("Data", "Small Text", "Text") and df.get("options") == "Email")
				or df.get("fieldtype") in ("Attach", "Attach Image", "Barcode", "Code")
				or self.docstatus.is_cancelled()
				or (self.docstatus.is_submitted() and not df.get("allow_on_submit"))
			):
				continue
			from frappe.utils.html_utils import sanitize_html

			self.set(fieldname, sanitize_html(value, linkify=df and df.fieldtype == "Text Editor"))

	def _validate_update_after_submit(self):
		"""v15: a submitted document's fields (other than allow_on_submit ones) may not change; a table only
		by its size (its rows are checked one by one)."""
		db_values = frappe.get_doc(self.doctype, self.name).as_dict()
		for key in self.as_dict():
			df = self.meta.get_field(key)
			db_value = db_values.get(key)
			if df and not df.get("allow_on_submit") and (self.get(key) or db_value):
				if df.fieldtype in table_fields:
					self_value = len(self.get(key))
					db_value = len(db_value)
				else:
					from frappe.database.database import cast_value

					self_value = cast_value(df.fieldtype, self.get(key))  # v15's get_value casts
				if self_value != db_value:
					frappe.throw(
						_("{0} Not allowed to change {1} after submission from {2} to {3}").format(
							f"Row #{self.idx}:" if self.get("parent") else "",
							frappe.bold(_(df.label)),
							frappe.bold(db_value),
							frappe.bold(self_value),
						),
						frappe.UpdateAfterSubmitError,
						title=_("Cannot Update After Submit"),
					)

	def _name_taken(self, e):
		"""The insert failed because the name is taken. MariaDB reports the primary key before any unique
		column; SQLite may report a unique column first when both clash, so the name is looked up then."""
		if frappe.db.is_primary_key_violation(e):
			return True
		return bool(
			frappe.db.is_duplicate_entry(e)
			and self.name
			and frappe.db.sql(f"select 1 from `tab{self.doctype}` where name=%s", (self.name,))
		)

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

	def get_formatted(
		self, fieldname, doc=None, currency=None, absolute_value=False, translated=False, format=None
	):
		"""A field's value as people read it (frappe.utils.formatters.format_value)."""
		from frappe.utils.formatters import format_value

		df = self.meta.get_field(fieldname) or _default_df(fieldname)
		val = self.get(fieldname)
		if translated:
			val = _(val)
		if absolute_value and isinstance(val, int | float):
			val = abs(val)
		return format_value(val, df=df, doc=doc or self, currency=currency, format=format)

	# ---- validations (BaseDocument._validate_*, v15 wording) -----------------------------------------
	def _get_missing_mandatory_fields(self):
		"""[(fieldname, message)] for required fields without content (HTML tags alone are no content)."""

		def get_msg(df):
			if df.fieldtype in table_fields:
				return "{}: {}: {}".format(_("Error"), _("Data missing in table"), _(df.label))
			# a child row
			elif self.get("parentfield"):
				return "{}: {} {} #{}: {}: {}".format(
					_("Error"),
					frappe.bold(_(self.doctype)),
					_("Row"),
					self.idx,
					_("Value missing for"),
					_(df.label),
				)
			return _("Error: Value missing for {0}: {1}").format(_(df.parent or self.doctype), _(df.label))

		def has_content(df):
			value = cstr(self.get(df.fieldname))
			has_text_content = strip_html(value).strip()
			has_img_tag = "<img" in value
			if df.fieldtype == "Text Editor" and (has_text_content or has_img_tag):
				return True
			if df.fieldtype == "Code" and df.get("options") == "HTML" and (has_text_content or has_img_tag):
				return True
			return has_text_content

		missing = []
		for df in self.meta.fields:
			if not df.get("reqd"):
				continue
			if self.get(df.fieldname) in (None, []) or not has_content(df):
				missing.append((df.fieldname, get_msg(df)))
		# a child row needs its parent
		if self.meta.istable:
			for fieldname in ("parent", "parenttype"):
				if not self.get(fieldname):
					missing.append((fieldname, get_msg(frappe._dict(label=fieldname))))
		return missing

	def get_invalid_links(self, is_submittable=False):
		"""([(fieldname, docname, message)] of Link/Dynamic Link values naming no document, []). A valid
		value is rewritten with the name as stored (the database compares case-insensitively)."""

		def get_msg(df, docname):
			if self.get("parentfield"):
				return "{} #{}: {}: {}".format(_("Row"), self.idx, _(df.label), docname)
			return f"{_(df.label)}: {docname}"

		invalid_links = []
		fields = self.meta.get_link_fields() + [f for f in self.meta.fields if f.fieldtype == "Dynamic Link"]
		for df in fields:
			docname = self.get(df.fieldname)
			if not docname:
				continue
			if df.fieldtype == "Link":
				doctype = df.options
				if not doctype:
					frappe.throw(_("Options not set for link field {0}").format(df.fieldname))
			else:
				doctype = self.get(df.options)
				if not doctype:
					frappe.throw(_("{0} must be set first").format(self.meta.get_label(df.options)))
			meta = frappe.get_meta(doctype)
			if meta.issingle:
				name = doctype if docname == doctype else None
			else:
				name = frappe.db.get_value(doctype, docname, "name", order_by=None)
			if name:
				self.__dict__[df.fieldname] = name
			else:
				invalid_links.append((df.fieldname, docname, get_msg(df, docname)))
		return invalid_links, []

	def _validate_selects(self):
		if frappe.flags.in_import:
			return
		for df in self.meta.get_select_fields():
			if df.fieldname == "naming_series" or not (self.get(df.fieldname) and df.options):
				continue
			options = (df.options or "").split("\n")
			# strip and set
			self.set(df.fieldname, cstr(self.get(df.fieldname)).strip())
			value = self.get(df.fieldname)
			if value not in options and not (frappe.flags.in_test and value.startswith("_T-")):
				prefix = _("Row #{0}:").format(self.idx) if self.get("parentfield") else ""
				label = _(self.meta.get_label(df.fieldname))
				comma_options = '", "'.join(_(each) for each in options)
				frappe.throw(
					_('{0} {1} cannot be "{2}". It should be one of "{3}"').format(
						prefix, label, value, comma_options
					)
				)

	def _validate_length(self):
		"""Text longer than its varchar column, or a number outside its int column, cannot be stored."""
		if frappe.flags.in_install:
			return
		meta = self.meta
		if meta.issingle:
			# a Single's values are text in tabSingles
			return
		valid = self.get_valid_dict()
		for fieldname, df, is_text, max_length in _length_checks(meta):
			value = valid[fieldname]
			if is_text:
				if len(cstr(value)) > max_length:
					self.throw_length_exceeded_error(df, max_length, value)
			elif abs(cint(value)) > max_length:
				self.throw_length_exceeded_error(df, max_length, value)

	def throw_length_exceeded_error(self, df, max_length, value):
		if self.get("parentfield"):
			reference = _("{0}, Row {1}").format(_(self.doctype), self.idx)
		else:
			reference = f"{_(self.doctype)} {self.name}"
		frappe.throw(
			_("{0}: '{1}' ({3}) will get truncated, as max characters allowed is {2}").format(
				reference, frappe.bold(_(df.label)), max_length, value
			),
			frappe.CharacterLengthExceededError,
			title=_("Value too big"),
		)

	def _validate_non_negative(self):
		def get_msg(df):
			if self.get("parentfield"):
				return "{} {} #{}: {} {}".format(
					frappe.bold(_(self.doctype)),
					_("Row"),
					self.idx,
					_("Value cannot be negative for"),
					frappe.bold(_(df.label)),
				)
			return _("Value cannot be negative for {0}: {1}").format(
				_(df.parent or self.doctype), frappe.bold(_(df.label))
			)

		for df in self.meta.fields:
			if df.get("non_negative") and df.fieldtype in ("Int", "Float", "Currency"):
				if flt(self.get(df.fieldname)) < 0:
					frappe.throw(get_msg(df), frappe.NonNegativeError, title=_("Negative Value"))

	def _validate_links(self):
		if self.flags.ignore_links:
			return
		invalid_links, _cancelled = self.get_invalid_links()
		for d in self.get_all_children():
			invalid_links.extend(d.get_invalid_links(is_submittable=self.meta.is_submittable)[0])
		if invalid_links:
			msg = ", ".join(each[2] for each in invalid_links)
			frappe.throw(_("Could not find {0}").format(msg), frappe.LinkValidationError)


def _default_df(fieldname):
	"""The DocField Frappe assumes for a standard column (frappe.model.meta.get_default_df)."""
	if fieldname in ("creation", "modified"):
		return frappe._dict(fieldname=fieldname, fieldtype="Datetime")
	if fieldname in ("idx", "docstatus"):
		return frappe._dict(fieldname=fieldname, fieldtype="Int")
	if fieldname in default_fields + child_table_fields:
		return frappe._dict(fieldname=fieldname, fieldtype="Data")
	return None


def _filter(data, filters, limit=None):
	"""Rows of `data` whose values match `filters` ({field: value | (op, value)}), as Frappe's _filter."""
	out = []
	for d in data:
		for f, fval in filters.items():
			if not isinstance(fval, tuple | list):
				if fval is True:
					fval = ("not None", fval)
				elif fval is False:
					fval = ("None", fval)
				elif isinstance(fval, str) and fval.startswith("^"):
					fval = ("^", fval[1:])
				else:
					fval = ("=", fval)
			if not _compare(d.get(f), fval[0], fval[1]):
				break
		else:
			out.append(d)
			if limit and len(out) >= limit:
				break
	return out


def _compare(value, op, other):
	if op == "=":
		return value == other
	if op == "!=":
		return value != other
	if op == "not None":
		return value is not None
	if op == "None":
		return value is None
	if op == "^":
		return cstr(value).startswith(cstr(other))
	if op == "in":
		return value in other
	if op == "not in":
		return value not in other
	if op in (">", "<", ">=", "<="):
		return {">": value > other, "<": value < other, ">=": value >= other, "<=": value <= other}[op]
	return False
