# DocType metadata. Real Frappe loads Meta from tabDocType/tabDocField (synced from the JSON files);
# frappe_lite reads the same JSON files directly, found through the installed apps' modules.txt, and keeps
# one row per DocType in tabDocType so that frappe.db.exists("DocType", ...) and friends work.
import json
import os
import threading

import frappe
from frappe.model import data_fieldtypes, default_fields, no_value_fields, table_fields

_index_lock = threading.Lock()
_doctype_index: dict[tuple, dict] = {}  # (apps...) -> {doctype: (app, module, path)}
_meta_cache: dict[tuple, "Meta"] = {}


def get_app_path(app):
	module = frappe.get_module(app)
	return os.path.dirname(module.__file__)


def get_module_list(app):
	path = os.path.join(get_app_path(app), "modules.txt")
	if not os.path.exists(path):
		return []
	with open(path) as f:
		return [m.strip() for m in f.read().splitlines() if m.strip() and not m.startswith("#")]


def iter_doctype_files(app):
	"""(module, doctype_folder_path, json_path) for every DocType JSON of `app`'s modules."""
	app_path = get_app_path(app)
	for module in get_module_list(app):
		doctype_dir = os.path.join(app_path, frappe.scrub(module), "doctype")
		if not os.path.isdir(doctype_dir):
			continue
		for folder in sorted(os.listdir(doctype_dir)):
			json_path = os.path.join(doctype_dir, folder, f"{folder}.json")
			if os.path.exists(json_path):
				yield module, os.path.join(doctype_dir, folder), json_path


def _build_index(apps):
	index = {}
	for app in apps:
		for module, _folder, json_path in iter_doctype_files(app):
			with open(json_path) as f:
				name = json.load(f)["name"]
			index[name] = (app, module, json_path)
	return index


def get_doctype_index(apps=None):
	apps = tuple(apps or frappe.get_installed_apps())
	with _index_lock:
		if apps not in _doctype_index:
			_doctype_index[apps] = _build_index(apps)
		return _doctype_index[apps]


def clear_meta_cache():
	with _index_lock:
		_doctype_index.clear()
		_meta_cache.clear()


def get_meta(doctype, cached=True):
	if isinstance(doctype, Meta):
		return doctype
	apps = tuple(frappe.get_installed_apps())
	key = (apps, doctype)
	meta = _meta_cache.get(key) if cached else None
	if meta is None:
		entry = get_doctype_index(apps).get(doctype)
		if not entry:
			frappe.throw(frappe._("DocType {0} not found").format(doctype), frappe.DoesNotExistError)
		with open(entry[2]) as f:
			meta = Meta(json.load(f), app=entry[0])
		_meta_cache[key] = meta
	return meta


class Meta(frappe._dict):
	"""A DocType definition: its JSON keys as attributes plus Frappe's Meta helpers."""

	def __init__(self, data, app=None):
		super().__init__(data)
		self.app = app
		self.fields = [frappe._dict(f) for f in data.get("fields", [])]
		self.permissions = [frappe._dict(p) for p in data.get("permissions", [])]
		self._fields = {f.fieldname: f for f in self.fields if f.get("fieldname")}
		for key in ("issingle", "istable", "is_submittable", "track_changes", "is_virtual"):
			self[key] = int(data.get(key) or 0)
		self.engine = data.get("engine") or "InnoDB"
		self.sort_field = data.get("sort_field") or "modified"
		self.sort_order = data.get("sort_order") or "DESC"

	def get_field(self, fieldname):
		return self._fields.get(fieldname)

	def has_field(self, fieldname):
		return fieldname in self._fields

	def get_label(self, fieldname):
		df = self.get_field(fieldname)
		return (df.get("label") if df else None) or fieldname

	def get_table_fields(self):
		return [f for f in self.fields if f.fieldtype in table_fields]

	def get_valid_columns(self):
		"""Columns of the table: standard ones plus every field that stores a value (computed once per Meta,
		as v15 keeps them in Meta._valid_columns; a copy, so a caller may change its list)."""
		cols = self.__dict__.get("_valid_columns")
		if cols is None:
			cols = list(default_fields[1:])
			if self.istable:
				cols += ["parent", "parentfield", "parenttype"]
			cols += [f.fieldname for f in self.fields if f.fieldtype in data_fieldtypes]
			object.__setattr__(self, "_valid_columns", cols)
		return list(cols)

	def get_column_plan(self):
		"""(fieldname, DocField or None, fieldtype, unique) per column, in column order: what get_valid_dict
		reads of each field, looked up once per Meta instead of once per value written."""
		plan = self.__dict__.get("_column_plan")
		if plan is None:
			plan = tuple(
				(fieldname, df, df.fieldtype if df else None, bool(df.get("unique")) if df else False)
				for fieldname in self.get_valid_columns()
				for df in (self._fields.get(fieldname),)
			)
			object.__setattr__(self, "_column_plan", plan)
		return plan

	def get_fieldnames_with_value(self):
		return [f.fieldname for f in self.fields if f.fieldtype not in no_value_fields]

	def get_link_fields(self):
		return [f for f in self.fields if f.fieldtype == "Link"]

	def get_select_fields(self):
		return [f for f in self.fields if f.fieldtype == "Select"]

	def get_password_fields(self):
		return [f for f in self.fields if f.fieldtype == "Password"]

	def get_unique_fields(self):
		return [f for f in self.fields if f.get("unique")]

	def is_single(self):
		return bool(self.issingle)

	@property
	def module_path(self):
		return frappe.scrub(self.module)
