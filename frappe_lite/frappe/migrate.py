# `migrate`, following frappe/migrate.py (v15) SiteMigration: before_migrate hooks, then the site's schema
# and patches, scheduled jobs and fixtures brought up to the installed apps' code, then after_migrate hooks.
# Difference kept: each app's tables are synced and then its pending patches run, app by app (Frappe runs
# the [pre_model_sync] patches of every app, syncs every app, then the [post_model_sync] patches).
import frappe
from frappe.core.doctype.scheduled_job_type.scheduled_job_type import sync_jobs
from frappe.model.meta import clear_meta_cache
from frappe.model.sync import sync_for
from frappe.modules.patch_handler import run_all_for
from frappe.utils.fixtures import sync_fixtures


class SiteMigration:
	"""Sync every installed app's DocTypes (adding columns and indexes, never dropping data), run new
	patches, resync scheduler jobs and fixtures, on the connected site."""

	def setUp(self):
		frappe.local.flags.in_migrate = True

	def tearDown(self):
		frappe.local.flags.in_migrate = False
		clear_meta_cache()

	def pre_schema_updates(self):
		"""before_migrate hooks of every installed app."""
		for app in frappe.get_installed_apps():
			for fn in frappe.get_hooks("before_migrate", app_name=app):
				frappe.get_attr(fn)()

	def run_schema_updates(self):
		for app in frappe.get_installed_apps():
			sync_for(app)
			run_all_for(app)

	def post_schema_updates(self):
		sync_jobs()
		sync_fixtures()
		for app in frappe.get_installed_apps():
			for fn in frappe.get_hooks("after_migrate", app_name=app):
				frappe.get_attr(fn)()
		frappe.db.commit()

	def run(self, site=None):
		if site:
			frappe.init(site)
			frappe.connect()
		self.setUp()
		try:
			self.pre_schema_updates()
			frappe.db.commit()
			self.run_schema_updates()
			self.post_schema_updates()
		finally:
			self.tearDown()


def migrate():
	"""Migrate the connected site."""
	SiteMigration().run()
