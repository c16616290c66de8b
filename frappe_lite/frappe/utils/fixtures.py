# Fixtures, following frappe/utils/fixtures.py (v15): every `<app>/fixtures/*.json` document list is
# imported (overwriting) on install-app and migrate.
import glob
import json
import os

import frappe
from frappe.modules.import_file import import_doc


def sync_fixtures(app=None):
	"""Import, overwrite fixtures from `[app]/fixtures`."""
	apps = [app] if app else frappe.get_installed_apps()
	frappe.flags.in_fixtures = True
	try:
		for app in apps:
			import_fixtures(app)
	finally:
		frappe.flags.in_fixtures = False


def import_fixtures(app):
	fixtures_dir = frappe.get_app_path(app, "fixtures")
	for path in sorted(glob.glob(os.path.join(fixtures_dir, "*.json"))):
		with open(path) as f:
			docs = json.load(f)
		for d in docs if isinstance(docs, list) else [docs]:
			import_doc(d)
	frappe.db.commit()
