# DocType JSON → tables, following frappe/model/sync.py (v15). Frappe imports each JSON into
# tabDocType/tabDocField and lets DocType.on_update alter the table; frappe_lite reads the JSON files as
# Meta (frappe/model/meta.py), syncs the table from them and keeps one tabDocType row per DocType.
import importlib
import json

import frappe
from frappe.database.schema import sync_table
from frappe.model.meta import Meta, clear_meta_cache, iter_doctype_files


def sync_all():
	"""sync_for every installed app (migrate)."""
	for app in frappe.get_installed_apps():
		sync_for(app)


def sync_for(app_name):
	"""Create/alter the table of every DocType in the app's modules and record it in tabDocType."""
	clear_meta_cache()
	metas = []
	for _module, _folder, json_path in iter_doctype_files(app_name):
		with open(json_path) as f:
			metas.append(Meta(json.load(f), app=app_name))
	# the DocType table first: every other DocType gets a row in it
	metas.sort(key=lambda m: m.name != "DocType")
	for meta in metas:
		sync_table(frappe.db, meta)
		run_on_doctype_update(meta)
	now = frappe.utils.now()
	for meta in metas:
		frappe.db.sql("delete from `tabDocType` where `name`=%s", (meta.name,))
		frappe.db.sql(
			"""insert into `tabDocType` (`name`, `creation`, `modified`, `modified_by`, `owner`, `module`, `app`,
			`issingle`, `istable`, `is_submittable`, `track_changes`, `custom`, `autoname`, `engine`)
			values (%s, %s, %s, 'Administrator', 'Administrator', %s, %s, %s, %s, %s, %s, 0, %s, %s)""",
			(
				meta.name,
				now,
				now,
				meta.module,
				app_name,
				meta.issingle,
				meta.istable,
				meta.is_submittable,
				meta.track_changes,
				meta.get("autoname"),
				meta.engine,
			),
		)
	frappe.db.commit()


def run_on_doctype_update(meta):
	"""A controller module's `on_doctype_update()` (composite indexes and the like), run after every sync of
	its DocType, as Frappe's DocType.on_update does (core/doctype/doctype/doctype.py)."""
	module_path = (
		f"{meta.app}.{frappe.scrub(meta.module)}.doctype.{frappe.scrub(meta.name)}.{frappe.scrub(meta.name)}"
	)
	try:
		module = importlib.import_module(module_path)
	except ModuleNotFoundError as e:
		if e.name and module_path.startswith(e.name):
			return
		raise
	if hasattr(module, "on_doctype_update"):
		module.on_doctype_update()
