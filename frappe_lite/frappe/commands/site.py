# Site commands, as frappe/commands/site.py: new-site, install-app, migrate, backup, restore, drop-site, use.
import os

import click

import frappe
from frappe.commands import get_site, pass_context


def _connect(context):
	site = get_site(context)
	if not os.path.exists(os.path.join(context.sites_path, site, "site_config.json")):
		raise click.ClickException(f"Site {site} does not exist in {context.sites_path}")
	frappe.init(site, context.sites_path)
	frappe.connect()
	return site


@click.command("new-site")
@click.argument("site", required=False)
@click.option(
	"--db-url", help="MariaDB URL mysql://user:pass@host:port/dbname (default: a SQLite file in the site)"
)
@click.option("--admin-password", default="admin", show_default=True, help="Administrator's password")
@click.option("--install-app", "install_apps", multiple=True, help="App to install after creating the site")
@click.option("--force", is_flag=True, help="Replace an existing site and its database")
@click.option("--time-zone", default="Africa/Nairobi", show_default=True, help="System Settings time zone")
@click.option("--set-default", is_flag=True, help="Make this the default site (currentsite.txt)")
@pass_context
def new_site(context, site, db_url, admin_password, install_apps, force, time_zone, set_default):
	"""Create a site: SQLite by default, MariaDB with --db-url (the database is created)."""
	site = site or get_site(context)
	from frappe.installer import new_site as _new_site

	_new_site(
		site,
		context.sites_path,
		db_url=db_url,
		admin_password=admin_password,
		install_apps=install_apps,
		force=force,
		time_zone=time_zone,
	)
	backend = frappe.db.dialect.title
	frappe.destroy()
	if set_default:
		_use(context.sites_path, site)
	click.echo(f"*** Site {site} created ({backend}) in {os.path.join(context.sites_path, site)} ***")


@click.command("install-app")
@click.argument("apps", nargs=-1, required=True)
@click.option("--force", is_flag=True)
@pass_context
def install_app(context, apps, force):
	"""Install apps on the site: DocTypes, hooks, scheduler jobs, fixtures."""
	from frappe.installer import install_app as _install_app

	site = _connect(context)
	try:
		for app in apps:
			_install_app(app, force=force)
			click.echo(f"Installed {app} on {site}")
	finally:
		frappe.destroy()


@click.command("migrate")
@pass_context
def migrate(context):
	"""Sync DocTypes (new columns and indexes, no data lost), run patches, resync jobs and fixtures."""
	from frappe.migrate import SiteMigration

	site = _connect(context)
	try:
		SiteMigration().run()
		click.echo(f"Migrated {site}")
	finally:
		frappe.destroy()


@click.command("backup")
@click.option("--backup-path", help="Folder for the backup (default: sites/SITE/private/backups)")
@pass_context
def backup(context, backup_path):
	"""A consistent, restorable copy of the database (SQLite backup API or mysqldump)."""
	from frappe.utils.backups import new_backup

	_connect(context)
	try:
		path = new_backup(backup_path)
		click.echo(f"Backup written to {path}")
	finally:
		frappe.destroy()


@click.command("restore")
@click.argument("path")
@pass_context
def restore(context, path):
	"""Replace the site's database with a backup made by `backup`."""
	from frappe.utils.backups import restore_backup

	site = _connect(context)
	try:
		restore_backup(os.path.abspath(path))
		click.echo(f"Restored {site} from {path}")
	finally:
		frappe.destroy()


@click.command("drop-site")
@click.argument("site", required=False)
@click.option("--no-backup", is_flag=True, help="Do not keep an archived backup")
@pass_context
def drop_site(context, site, no_backup):
	"""Drop the site's database and remove its folder (a backup is archived unless --no-backup)."""
	from frappe.installer import drop_site as _drop_site

	site = site or get_site(context)
	archived = _drop_site(site, context.sites_path, no_backup=no_backup)
	click.echo(f"Dropped {site}" + (f" (backup archived at {archived})" if archived else ""))


@click.command("use")
@click.argument("site")
@pass_context
def use(context, site):
	"""Make SITE the default for commands run without --site."""
	if not os.path.exists(os.path.join(context.sites_path, site, "site_config.json")):
		raise click.ClickException(f"Site {site} does not exist in {context.sites_path}")
	_use(context.sites_path, site)
	click.echo(f"Current site set to {site}")


def _use(sites_path, site):
	with open(os.path.join(sites_path, "currentsite.txt"), "w") as f:
		f.write(site)


commands = [new_site, install_app, migrate, backup, restore, drop_site, use]
