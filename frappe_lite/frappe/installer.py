# Sites and apps, following frappe/installer.py (v15): new site (`_new_site` → install_db → install_app),
# install_app, the patches a fresh install marks as run, site config and folders; plus drop_site (Frappe:
# `_drop_site` in frappe/commands/site.py), kept beside site creation because the test harness and the
# CLI both create and drop sites here.
# Elsewhere, as in Frappe: DocType tables frappe/model/sync.py, migrate frappe/migrate.py, fixtures
# frappe/utils/fixtures.py, patches frappe/modules/patch_handler.py, backups frappe/utils/backups.py, the
# basic documents of a new site frappe/utils/install.py; backend specifics frappe/database/<backend>/dialect.py.
import json
import os
import shutil

import frappe
from frappe.core.doctype.scheduled_job_type.scheduled_job_type import sync_jobs
from frappe.database import get_dialect, get_dialect_for_url
from frappe.database.schema import create_core_tables
from frappe.model.meta import clear_meta_cache
from frappe.model.sync import sync_for
from frappe.modules.patch_handler import set_all_patches_as_completed
from frappe.utils import update_site_config  # noqa: F401 (Frappe's frappe.installer.update_site_config)
from frappe.utils.backups import new_backup
from frappe.utils.fixtures import sync_fixtures
from frappe.utils.install import DEFAULT_TIME_ZONE, install_basic_docs


# ---- new site ---------------------------------------------------------------------------------------
def new_site(
	site,
	sites_path=None,
	db_url=None,
	admin_password="admin",
	install_apps=(),
	force=False,
	time_zone=DEFAULT_TIME_ZONE,
	extra_config=None,
):
	"""Create `site` (SQLite file by default; MariaDB database from `db_url`), bootstrap Frappe's core and
	install `install_apps`. Leaves frappe.local connected to the new site."""
	sites_path = os.path.abspath(sites_path or frappe.default_sites_path())
	site_path = os.path.join(sites_path, site)
	if os.path.exists(get_site_config_path(site_path)) and not force:
		raise frappe.ValidationError(f"Site {site} already exists (use --force to replace it)")
	if force and os.path.exists(site_path):
		drop_database(site_path)
		shutil.rmtree(site_path)
	dialect = get_dialect_for_url(db_url)
	config = {"encryption_key": _new_encryption_key()}
	config.update(dialect.new_site_config(site, db_url))
	config.update(extra_config or {})
	dialect.create_database(config, force=force)
	make_site_dirs(site_path)
	make_site_config(site_path, config)

	try:
		frappe.init(site, sites_path, new_site=True, force=True)
		frappe.connect()
		install_db(admin_password=admin_password, time_zone=time_zone)
		for app in install_apps:
			install_app(app)
	except Exception:
		# A half-made site is worse than none: remove it so the command can simply be run again.
		try:
			if getattr(frappe.local, "db", None):
				frappe.local.db.rollback()
			frappe.destroy()
		finally:
			drop_database(site_path)
			shutil.rmtree(site_path, ignore_errors=True)
		raise


def _new_encryption_key():
	from cryptography.fernet import Fernet

	return Fernet.generate_key().decode()


def make_site_dirs(site_path):
	os.makedirs(os.path.join(site_path, "private", "backups"), exist_ok=True)
	os.makedirs(os.path.join(site_path, "public", "files"), exist_ok=True)


def get_site_config_path(site_path=None):
	return os.path.join(site_path or frappe.local.site_path, "site_config.json")


def make_site_config(site_path, config):
	with open(get_site_config_path(site_path), "w") as f:
		json.dump(config, f, indent=1, sort_keys=True)


def install_db(admin_password="admin", time_zone=DEFAULT_TIME_ZONE):
	"""Frappe's raw tables, Frappe's core DocTypes and basic documents, scheduler jobs (install_db, then
	install_app("frappe") in Frappe)."""
	frappe.local.flags.in_install_db = True
	create_core_tables(frappe.db)
	frappe.local.installed_apps = ["frappe"]
	sync_for("frappe")
	frappe.db.set_global("installed_apps", json.dumps(["frappe"]))
	frappe.local.flags.in_install_db = False
	frappe.local.flags.in_install = "frappe"
	try:
		init_singles()
		install_basic_docs(admin_password=admin_password, time_zone=time_zone)
	finally:
		frappe.local.flags.in_install = False
	sync_jobs()
	frappe.db.commit()


# ---- apps -------------------------------------------------------------------------------------------
def install_app(name, verbose=False, set_as_patched=True, force=False):
	"""before_install → DocTypes of modules.txt → installed_apps → after_install → scheduler jobs → fixtures → after_sync."""
	try:
		frappe.get_module(name)
	except ImportError as e:
		raise frappe.ValidationError(f"App {name} is not installed in this environment ({e})") from e
	installed = frappe.get_installed_apps()
	if name in installed and not force:
		print(f"App {name} already installed")
		return
	hooks_module = frappe.get_module(f"{name}.hooks")
	for required in getattr(hooks_module, "required_apps", []) or []:
		if required not in frappe.get_installed_apps():
			install_app(required)
	frappe.local.flags.in_install = name
	frappe.local.flags.in_install_app = True
	try:
		for fn in _app_hooks(hooks_module, "before_install"):
			frappe.get_attr(fn)()
		frappe.local.installed_apps = (
			[*frappe.get_installed_apps(), name] if name not in installed else installed
		)
		clear_meta_cache()
		sync_for(name)
		add_to_installed_apps(name)
		frappe.db.commit()
		post_install()
		for fn in _app_hooks(hooks_module, "after_install"):
			frappe.get_attr(fn)()
		sync_jobs()
		sync_fixtures(name)
		if set_as_patched:
			set_all_patches_as_completed(name)
		for fn in _app_hooks(hooks_module, "after_sync"):
			frappe.get_attr(fn)()
		frappe.db.commit()
	except Exception:
		frappe.db.rollback()
		frappe.local.installed_apps = None
		raise
	finally:
		frappe.local.flags.in_install = False
		frappe.local.flags.in_install_app = False


def add_to_installed_apps(app_name):
	frappe.db.set_global("installed_apps", json.dumps(frappe.local.installed_apps))


def post_install():
	init_singles()
	frappe.db.commit()


def init_singles():
	"""Save every Single that has no values yet, so it holds its defaults from the start (as Frappe's
	installer.init_singles after each app's DocTypes are synced): Time fields get the install's time."""
	for single in frappe.get_all("DocType", filters={"issingle": 1}, pluck="name"):
		if frappe.db.get_singles_dict(single):
			continue
		try:
			doc = frappe.new_doc(single)
			doc.flags.ignore_mandatory = True
			doc.flags.ignore_validate = True
			doc.save()
		except (ImportError, frappe.DoesNotExistError):
			# the DocType is known but its controller or definition is gone
			continue


def _app_hooks(hooks_module, key):
	value = getattr(hooks_module, key, None)
	if not value:
		return []
	return value if isinstance(value, list) else [value]


# ---- drop -------------------------------------------------------------------------------------------
def drop_site(site, sites_path=None, no_backup=False):
	"""Drop the site's database and remove its folder (after an archived backup unless no_backup)."""
	sites_path = os.path.abspath(sites_path or frappe.default_sites_path())
	site_path = os.path.join(sites_path, site)
	if not os.path.exists(get_site_config_path(site_path)):
		raise frappe.IncorrectSitePath(f"{site} does not exist")
	archived = None
	if not no_backup:
		frappe.init(site, sites_path, force=True)
		frappe.connect()
		try:
			archived = new_backup(os.path.join(sites_path, "archived_sites", site))
		finally:
			frappe.destroy()
	drop_database(site_path)
	shutil.rmtree(site_path)
	return archived


def drop_database(site_path):
	"""Drop the database a site's config names (a SQLite file goes with the site folder)."""
	config_path = get_site_config_path(site_path)
	if not os.path.exists(config_path):
		return
	with open(config_path) as f:
		config = json.load(f)
	dialect = get_dialect(config)
	dialect.drop_database(dialect.complete_site_config(config, site_path))
