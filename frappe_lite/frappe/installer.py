# Sites and apps: new-site, install-app, migrate, backup/restore, drop-site (frappe/installer.py,
# frappe/commands/site.py, frappe/model/sync.py, frappe/utils/fixtures.py in Frappe v15).
import datetime
import glob
import gzip
import json
import os
import shutil
import subprocess

import frappe
from frappe.database import parse_db_url
from frappe.model.meta import clear_meta_cache, iter_doctype_files

BOOTSTRAP_TABLES = {
	"tabSingles": {
		"mariadb": """create table if not exists `tabSingles` (`doctype` varchar(255), `field` varchar(255),
			`value` longtext, index `singles_doctype_field_index` (`doctype`, `field`))
			ENGINE=InnoDB ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4 COLLATE=utf8mb4_unicode_ci""",
		"sqlite": [
			"""create table if not exists `tabSingles` (`doctype` varchar(255) collate nocase,
			`field` varchar(255) collate nocase, `value` longtext)""",
			"create index if not exists `tabSingles__doctype_field` on `tabSingles` (`doctype`, `field`)",
		],
	},
	"tabSeries": {
		"mariadb": """create table if not exists `tabSeries` (`name` varchar(100), `current` int(10) not null default 0,
			primary key (`name`)) ENGINE=InnoDB ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4 COLLATE=utf8mb4_unicode_ci""",
		"sqlite": [
			"""create table if not exists `tabSeries` (`name` varchar(100) collate nocase primary key,
			`current` int(10) not null default 0)"""
		],
	},
	"__Auth": {
		"mariadb": """create table if not exists `__Auth` (`doctype` varchar(140) not null, `name` varchar(255) not null,
			`fieldname` varchar(140) not null, `password` text not null, `encrypted` int(1) not null default 0,
			primary key (`doctype`, `name`, `fieldname`)) ENGINE=InnoDB ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4
			COLLATE=utf8mb4_unicode_ci""",
		"sqlite": [
			"""create table if not exists `__Auth` (`doctype` varchar(140) not null collate nocase,
			`name` varchar(255) not null collate nocase, `fieldname` varchar(140) not null collate nocase,
			`password` text not null, `encrypted` int(1) not null default 0, primary key (`doctype`, `name`, `fieldname`))"""
		],
	},
	"tabSessions": {
		"mariadb": """create table if not exists `tabSessions` (`user` varchar(140), `sid` varchar(255), `sessiondata` longtext,
			`ipaddress` varchar(16), `lastupdate` datetime(6) default null, `status` varchar(20), primary key (`sid`),
			index `sessions_user_index` (`user`)) ENGINE=InnoDB ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4
			COLLATE=utf8mb4_unicode_ci""",
		"sqlite": [
			"""create table if not exists `tabSessions` (`user` varchar(140) collate nocase, `sid` varchar(255) primary key,
			`sessiondata` longtext, `ipaddress` varchar(16), `lastupdate` datetime(6) default null, `status` varchar(20))""",
			"create index if not exists `tabSessions__user` on `tabSessions` (`user`)",
		],
	},
	"__PatchLog": {
		"mariadb": """create table if not exists `tabPatch Log` (`name` varchar(140) primary key, `patch` text,
			`creation` datetime(6)) ENGINE=InnoDB ROW_FORMAT=DYNAMIC CHARACTER SET=utf8mb4 COLLATE=utf8mb4_unicode_ci""",
		"sqlite": [
			"""create table if not exists `tabPatch Log` (`name` varchar(140) collate nocase primary key, `patch` text,
			`creation` datetime(6))"""
		],
	},
}
STANDARD_ROLES = ("Administrator", "System Manager", "Guest", "All", "Desk User")
DEFAULT_TIME_ZONE = "Africa/Nairobi"


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
	if os.path.exists(os.path.join(site_path, "site_config.json")) and not force:
		raise frappe.ValidationError(f"Site {site} already exists (use --force to replace it)")
	if force and os.path.exists(site_path):
		_drop_database_for(site_path)
		shutil.rmtree(site_path)
	config = {"encryption_key": _new_encryption_key()}
	if db_url:
		config.update(parse_db_url(db_url))  # a bad URL fails here, before anything is created
		if not config["db_name"]:
			config["db_name"] = "_" + frappe.generate_hash(length=16)
	else:
		config.update({"db_type": "sqlite", "db_name": site})
	config.update(extra_config or {})
	if db_url:
		_create_mariadb_database(config, force=force)
	os.makedirs(os.path.join(site_path, "private", "backups"), exist_ok=True)
	os.makedirs(os.path.join(site_path, "public", "files"), exist_ok=True)
	with open(os.path.join(site_path, "site_config.json"), "w") as f:
		json.dump(config, f, indent=1, sort_keys=True)

	try:
		frappe.init(site, sites_path, new_site=True, force=True)
		frappe.connect()
		frappe.local.flags.in_install_db = True
		bootstrap_core(admin_password=admin_password, time_zone=time_zone)
		frappe.local.flags.in_install_db = False
		for app in install_apps:
			install_app(app)
	except Exception:
		# A half-made site is worse than none: remove it so the command can simply be run again.
		try:
			if getattr(frappe.local, "db", None):
				frappe.local.db.rollback()
			frappe.destroy()
		finally:
			_drop_database_for(site_path)
			shutil.rmtree(site_path, ignore_errors=True)
		raise


def _new_encryption_key():
	from cryptography.fernet import Fernet

	return Fernet.generate_key().decode()


def _mariadb_server_connection(config):
	import pymysql

	return pymysql.connect(
		host=config.get("db_host") or "127.0.0.1",
		port=int(config.get("db_port") or 3306),
		user=config.get("db_user") or "root",
		password=config.get("db_password") or "",
		charset="utf8mb4",
		autocommit=True,
	)


def _create_mariadb_database(config, force=False):
	conn = _mariadb_server_connection(config)
	try:
		with conn.cursor() as cur:
			name = config["db_name"]
			cur.execute("select schema_name from information_schema.schemata where schema_name=%s", (name,))
			if cur.fetchone():
				if not force:
					raise frappe.ValidationError(
						f"Database {name} already exists (use --force to replace it)"
					)
				cur.execute(f"drop database `{name}`")
			cur.execute(f"create database `{name}` character set utf8mb4 collate utf8mb4_unicode_ci")
	finally:
		conn.close()


def _drop_database_for(site_path):
	config_path = os.path.join(site_path, "site_config.json")
	if not os.path.exists(config_path):
		return
	with open(config_path) as f:
		config = json.load(f)
	if config.get("db_type") in ("mariadb", "mysql") and config.get("db_name"):
		try:
			conn = _mariadb_server_connection(config)
			with conn.cursor() as cur:
				cur.execute(f"drop database if exists `{config['db_name']}`")
			conn.close()
		except Exception as e:
			print(f"Could not drop database {config['db_name']}: {e}")


def bootstrap_core(admin_password="admin", time_zone=DEFAULT_TIME_ZONE):
	"""Raw tables, Frappe's core DocTypes, standard roles and users, System Settings."""
	db = frappe.db
	for spec in BOOTSTRAP_TABLES.values():
		statements = spec[db.db_type]
		for stmt in [statements] if isinstance(statements, str) else statements:
			db.sql_ddl(stmt)
	frappe.local.installed_apps = ["frappe"]
	sync_for("frappe")
	db.set_global("installed_apps", json.dumps(["frappe"]))
	frappe.local.flags.in_install = True
	for role in STANDARD_ROLES:
		if not db.exists("Role", role):
			frappe.get_doc(
				{"doctype": "Role", "role_name": role, "desk_access": 0 if role == "Guest" else 1}
			).insert(ignore_permissions=True)
	for name, email, first in (
		("Administrator", "admin@example.com", "Administrator"),
		("Guest", "guest@example.com", "Guest"),
	):
		if not db.exists("User", name):
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": first,
					"enabled": 1,
					"user_type": "System User",
				}
			)
			if name == "Administrator":
				user.append("roles", {"role": "Administrator"})
				user.append("roles", {"role": "System Manager"})
			else:
				user.append("roles", {"role": "Guest"})
			user.insert(ignore_permissions=True, set_name=name)
	settings = frappe.get_single("System Settings")
	settings.time_zone = time_zone
	settings.enable_scheduler = 0
	settings.flags.ignore_permissions = True
	settings.save()
	frappe.local.flags.in_install = False
	frappe.local.system_timezone = None
	db.commit()
	from frappe.utils.password import update_password

	update_password("Administrator", admin_password)
	_sync_scheduler_jobs()
	db.commit()


# ---- apps -------------------------------------------------------------------------------------------
def install_app(app, verbose=False, set_as_patched=True, force=False):
	"""before_install → DocTypes of modules.txt → installed_apps → after_install → scheduler jobs → fixtures → after_sync."""
	try:
		frappe.get_module(app)
	except ImportError as e:
		raise frappe.ValidationError(f"App {app} is not installed in this environment ({e})") from e
	installed = frappe.get_installed_apps()
	if app in installed and not force:
		print(f"App {app} already installed")
		return
	hooks_module = frappe.get_module(f"{app}.hooks")
	for required in getattr(hooks_module, "required_apps", []) or []:
		if required not in frappe.get_installed_apps():
			install_app(required)
	frappe.local.flags.in_install = app
	frappe.local.flags.in_install_app = True
	try:
		for fn in _app_hooks(hooks_module, "before_install"):
			frappe.get_attr(fn)()
		frappe.local.installed_apps = (
			[*frappe.get_installed_apps(), app] if app not in installed else installed
		)
		clear_meta_cache()
		sync_for(app)
		frappe.db.set_global("installed_apps", json.dumps(frappe.local.installed_apps))
		frappe.db.commit()
		for fn in _app_hooks(hooks_module, "after_install"):
			frappe.get_attr(fn)()
		_sync_scheduler_jobs()
		sync_fixtures(app)
		if set_as_patched:
			_set_all_patches_as_completed(app)
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


def _app_hooks(hooks_module, key):
	value = getattr(hooks_module, key, None)
	if not value:
		return []
	return value if isinstance(value, list) else [value]


def sync_for(app):
	"""Create/alter the table of every DocType in the app's modules and record it in tabDocType."""
	from frappe.database.schema import sync_table
	from frappe.model.meta import Meta

	clear_meta_cache()
	metas = []
	for _module, _folder, json_path in iter_doctype_files(app):
		with open(json_path) as f:
			metas.append(Meta(json.load(f), app=app))
	# the DocType table first: every other DocType gets a row in it
	metas.sort(key=lambda m: m.name != "DocType")
	for meta in metas:
		sync_table(frappe.db, meta)
		_run_on_doctype_update(meta)
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
				app,
				meta.issingle,
				meta.istable,
				meta.is_submittable,
				meta.track_changes,
				meta.get("autoname"),
				meta.engine,
			),
		)
	frappe.db.commit()


def _run_on_doctype_update(meta):
	"""A controller module's `on_doctype_update()` (composite indexes and the like), run after every sync of
	its DocType, as Frappe's DocType.on_update does."""
	import importlib

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


def _sync_scheduler_jobs():
	try:
		from frappe.utils import scheduler
	except ImportError:
		return
	if hasattr(scheduler, "sync_jobs"):
		scheduler.sync_jobs()


def sync_fixtures(app):
	"""Import (overwrite) every `<app>/fixtures/*.json` document list."""
	fixtures_dir = frappe.get_app_path(app, "fixtures")
	for path in sorted(glob.glob(os.path.join(fixtures_dir, "*.json"))):
		with open(path) as f:
			docs = json.load(f)
		for d in docs if isinstance(docs, list) else [docs]:
			import_doc(d)
	frappe.db.commit()


def import_doc(d):
	d = dict(d)
	for key in ("modified", "creation", "owner", "modified_by"):
		d.pop(key, None)
	doctype, name = d["doctype"], d.get("name")
	if name and frappe.db.exists(doctype, name):
		doc = frappe.get_doc(doctype, name)
		doc.update(d)
		doc.flags.ignore_permissions = True
		doc.flags.ignore_links = True
		doc.save()
	else:
		doc = frappe.get_doc(d)
		doc.flags.ignore_links = True
		doc.insert(ignore_permissions=True, set_name=name)


def _patches(app):
	path = frappe.get_app_path(app, "patches.txt")
	if not os.path.exists(path):
		return []
	with open(path) as f:
		lines = [line.strip() for line in f.read().splitlines()]
	return [line for line in lines if line and not line.startswith(("#", "["))]


def _set_all_patches_as_completed(app):
	for patch in _patches(app):
		if not frappe.db.sql("select `name` from `tabPatch Log` where `name`=%s", (patch[:140],)):
			frappe.db.sql(
				"insert into `tabPatch Log` (`name`, `patch`, `creation`) values (%s, %s, %s)",
				(patch[:140], patch, frappe.utils.now()),
			)


def migrate():
	"""Sync every installed app's DocTypes (adding columns and indexes, never dropping data), run new
	patches, resync scheduler jobs and fixtures."""
	frappe.local.flags.in_migrate = True
	try:
		for app in frappe.get_installed_apps():
			sync_for(app)
			for patch in _patches(app):
				if frappe.db.sql("select name from `tabPatch Log` where `name`=%s", (patch[:140],)):
					continue
				frappe.get_attr(patch.split()[0] + ".execute")()
				frappe.db.sql(
					"insert into `tabPatch Log` (`name`, `patch`, `creation`) values (%s, %s, %s)",
					(patch[:140], patch, frappe.utils.now()),
				)
				frappe.db.commit()
		_sync_scheduler_jobs()
		for app in frappe.get_installed_apps():
			if app != "frappe":
				sync_fixtures(app)
		frappe.db.commit()
	finally:
		frappe.local.flags.in_migrate = False
		clear_meta_cache()


# ---- backup / restore / drop ------------------------------------------------------------------------
def backup(backup_path=None):
	"""A consistent, restorable copy of the site's database; returns the file path."""
	conf = frappe.local.conf
	site = frappe.local.site
	stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S_%f")
	folder = backup_path or frappe.get_site_path("private", "backups")
	os.makedirs(folder, exist_ok=True)
	if frappe.db.db_type == "sqlite":
		import sqlite3

		target = os.path.join(folder, f"{stamp}-{site}-database.sqlite3")
		frappe.db.commit()
		src = sqlite3.connect(conf.db_path)
		dst = sqlite3.connect(target)
		try:
			src.backup(dst)  # the online backup API: consistent even while others write
		finally:
			dst.close()
			src.close()
		return target
	target = os.path.join(folder, f"{stamp}-{site}-database.sql.gz")
	cmd = [
		shutil.which("mariadb-dump") or shutil.which("mysqldump") or "mysqldump",
		"--single-transaction",
		"--quick",
		"--routines",
		f"--host={conf.db_host or '127.0.0.1'}",
		f"--port={conf.db_port or 3306}",
		f"--user={conf.db_user or 'root'}",
		conf.db_name,
	]
	env = dict(os.environ, MYSQL_PWD=conf.db_password or "")
	proc = subprocess.run(cmd, capture_output=True, env=env, check=False)
	if proc.returncode != 0:
		raise frappe.ValidationError(f"mysqldump failed: {proc.stderr.decode().strip()}")
	with gzip.open(target, "wb") as f:
		f.write(proc.stdout)
	return target


def restore(path):
	"""Replace the site's database with a backup made by `backup`."""
	conf = frappe.local.conf
	if not os.path.exists(path):
		raise frappe.ValidationError(f"Backup file {path} does not exist")
	if frappe.db.db_type == "sqlite":
		import sqlite3

		frappe.db.close()
		src = sqlite3.connect(path)
		dst = sqlite3.connect(conf.db_path)
		try:
			src.backup(dst)
		finally:
			dst.close()
			src.close()
		frappe.db.connect()
		return
	frappe.db.close()
	opener = gzip.open if path.endswith(".gz") else open
	with opener(path, "rb") as f:
		dump = f.read()
	cmd = [
		shutil.which("mariadb") or shutil.which("mysql") or "mysql",
		f"--host={conf.db_host or '127.0.0.1'}",
		f"--port={conf.db_port or 3306}",
		f"--user={conf.db_user or 'root'}",
		conf.db_name,
	]
	env = dict(os.environ, MYSQL_PWD=conf.db_password or "")
	proc = subprocess.run(cmd, input=dump, capture_output=True, env=env, check=False)
	if proc.returncode != 0:
		raise frappe.ValidationError(f"restore failed: {proc.stderr.decode().strip()}")
	frappe.db.connect()


def drop_site(site, sites_path=None, no_backup=False):
	"""Drop the site's database and remove its folder (after an archived backup unless no_backup)."""
	sites_path = os.path.abspath(sites_path or frappe.default_sites_path())
	site_path = os.path.join(sites_path, site)
	if not os.path.exists(os.path.join(site_path, "site_config.json")):
		raise frappe.IncorrectSitePath(f"{site} does not exist")
	archived = None
	if not no_backup:
		frappe.init(site, sites_path, force=True)
		frappe.connect()
		try:
			archived_dir = os.path.join(sites_path, "archived_sites", site)
			archived = backup(archived_dir)
		finally:
			frappe.destroy()
	_drop_database_for(site_path)
	shutil.rmtree(site_path)
	return archived
