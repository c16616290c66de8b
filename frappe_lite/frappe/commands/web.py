# `serve`, `add-user` and `set-admin-password`, as bench's (frappe/commands/site.py, frappe/app.py).
#
# `serve` runs gunicorn, as production benches do (bench's own `serve` is werkzeug's dev server):
# - MariaDB sites: `--workers` sync worker processes (default: site config `gunicorn_workers`, else
#   2 × CPU + 1, bench's own default), each request on its own connection.
# - SQLite sites: a few sync workers (default: one per CPU, at most the SQLite dialect's max_web_workers). The SQLite
#   backend serialises writers itself: a transaction takes the file's write lock up front, at its first
#   write or locking read (BEGIN IMMEDIATE with a busy timeout), never part-way through holding locks,
#   so concurrent requests queue for the lock instead of failing with "database is locked"; readers
#   run alongside in WAL mode. More workers than that only add processes waiting on the one lock, so
#   asking for more is refused with a clear message.

import json
import os

import click

import frappe
from frappe.commands import get_site, pass_context
from frappe.database import get_dialect
from frappe.utils.log_redaction import redacting_gunicorn_logger


@click.command("serve")
@click.option("--port", default=8000, type=click.IntRange(1, 65535), show_default=True, help="TCP port")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (0.0.0.0 for all)")
@click.option("--workers", default=None, type=click.IntRange(1, 64), help="Worker processes (MariaDB)")
@click.option("--timeout", default=120, type=click.IntRange(1), show_default=True, help="Worker timeout (s)")
@click.option("--access-log/--no-access-log", default=False, help="Log every request to stdout")
@pass_context
def serve(context, port, host, workers, timeout, access_log):
	"""Serve the site(s) over HTTP: /api/, www pages and /assets/."""
	sites_path = os.path.abspath(context.sites_path)
	sites = list(context.sites or [])
	if sites:
		for site in sites:
			if not os.path.isfile(os.path.join(sites_path, site, "site_config.json")):
				raise click.ClickException(f"Site {site} does not exist in {sites_path}")
		if len(sites) > 1:
			raise click.ClickException("serve takes one --site, or none to serve every site by Host header")
	served = sites or list_sites(sites_path)
	if not served:
		raise click.ClickException(f"No sites in {sites_path}")

	common = read_json(os.path.join(sites_path, "common_site_config.json"))
	dialects = {get_site_dialect(sites_path, site) for site in served}
	# a backend whose writers queue on one lock (SQLite) caps the workers; the tightest cap wins
	capped = sorted((d for d in dialects if d.max_web_workers), key=lambda d: d.max_web_workers)
	if capped and workers and workers > capped[0].max_web_workers:
		raise click.ClickException(
			f"{capped[0].title} sites are served by at most {capped[0].max_web_workers} workers"
			f" ({capped[0].max_web_workers_reason}); use MariaDB for --workers {workers}"
		)
	workers = workers or min(d.default_web_workers(common) for d in dialects)

	import frappe.app

	frappe.app._site = sites[0] if sites else None
	frappe.app._sites_path = sites_path
	os.environ["FRAPPE_LITE_SITES_PATH"] = sites_path

	options = {
		"bind": f"{host}:{port}",
		"workers": workers,
		"worker_class": "sync",
		"timeout": timeout,
		"graceful_timeout": 10,
		"accesslog": "-" if access_log else None,
		"errorlog": "-",
		"loglevel": "warning",
		"proc_name": "frappe-lite-web",
		# No secret from a URL (a callback's ?token=, ?api_key=) in the access or error lines.
		"logger_class": redacting_gunicorn_logger(),
	}
	click.echo(
		f"Serving {', '.join(served) if sites else 'sites by Host header'} on http://{host}:{port}"
		f" with {workers} worker(s){f' ({capped[0].title})' if capped else ''}",
		err=True,
	)
	WebServer(frappe.app.application_with_statics(), options).run()


def list_sites(sites_path):
	if not os.path.isdir(sites_path):
		return []
	return sorted(
		name
		for name in os.listdir(sites_path)
		if os.path.isfile(os.path.join(sites_path, name, "site_config.json"))
	)


def read_json(path):
	try:
		with open(path) as f:
			return json.load(f)
	except (OSError, ValueError):
		return {}


def get_site_dialect(sites_path, site):
	"""The site's backend from its config (site_config over common_site_config), without connecting."""
	config = read_json(os.path.join(sites_path, "common_site_config.json"))
	config.update(read_json(os.path.join(sites_path, site, "site_config.json")))
	return get_dialect(config)


def WebServer(wsgi_app, options):
	"""A gunicorn application serving `wsgi_app` with `options` (gunicorn's setting names)."""
	from gunicorn.app.base import BaseApplication

	class _WebServer(BaseApplication):
		def load_config(self):
			for key, value in options.items():
				if key in self.cfg.settings and value is not None:
					self.cfg.set(key, value)

		def load(self):
			return wsgi_app

	return _WebServer()


def connect_site(context):
	"""init + connect the command's site as Administrator; returns the site name."""
	site = get_site(context)
	if not os.path.isfile(os.path.join(context.sites_path, site, "site_config.json")):
		raise click.ClickException(f"Site {site} does not exist in {os.path.abspath(context.sites_path)}")
	frappe.init(site, sites_path=context.sites_path)
	frappe.connect()
	return site


@click.command("add-user")
@click.argument("email")
@click.option("--first-name", help="First name (default: the email)")
@click.option("--last-name")
@click.option("--password", help="Login password (hashed, never stored in clear)")
@click.option("--user-type", default="System User", type=click.Choice(["System User", "Website User"]))
@click.option("--add-role", "roles", multiple=True, help="Role to give the user (repeatable)")
@click.option("--api-key", help="API key (with --api-secret)")
@click.option("--api-secret", help="API secret (with --api-key)")
@click.option("--generate-keys", is_flag=True, help="Generate an API key and secret and print them")
@pass_context
def add_user(
	context, email, first_name, last_name, password, user_type, roles, api_key, api_secret, generate_keys
):
	"""Add a User with roles, a password and API keys (bench add-user, plus keys)."""
	if bool(api_key) != bool(api_secret):
		raise click.ClickException("--api-key and --api-secret must be given together")
	if generate_keys and api_key:
		raise click.ClickException("use either --generate-keys or --api-key/--api-secret, not both")
	if password is not None and not password:
		raise click.ClickException("--password must not be empty")
	if "@" not in email or email.strip() != email:
		raise click.ClickException(f"{email!r} is not a valid email address")

	connect_site(context)
	try:
		result = add_new_user(
			email,
			first_name=first_name,
			last_name=last_name,
			user_type=user_type,
			password=password,
			roles=roles,
			api_key=api_key,
			api_secret=api_secret,
			generate_keys=generate_keys,
		)
		frappe.db.commit()  # the CLI's unit of work: the user, roles, password and keys together
	except frappe.ValidationError as e:
		frappe.db.rollback()
		raise click.ClickException(_plain_message(e)) from None
	except frappe.NameError:
		frappe.db.rollback()
		raise click.ClickException(f"User {email} already exists") from None
	finally:
		frappe.destroy()

	click.echo(json.dumps(result))


def add_new_user(
	email,
	first_name=None,
	last_name=None,
	user_type="System User",
	password=None,
	roles=(),
	api_key=None,
	api_secret=None,
	generate_keys=False,
):
	"""Insert the User (with its Has Role rows), set its password and API keys; return what to print."""
	from frappe.utils import generate_hash
	from frappe.utils.password import update_password

	if frappe.db.exists("User", email):
		frappe.throw(f"User {email} already exists", frappe.DuplicateEntryError)
	missing = [role for role in roles if not frappe.db.exists("Role", role)]
	if missing:
		frappe.throw(f"Role {', '.join(missing)} does not exist")

	if generate_keys:
		api_key = generate_hash(length=15)
		api_secret = generate_hash(length=15)
	if api_key and frappe.db.exists("User", {"api_key": api_key}):
		frappe.throw(f"API key {api_key} is already in use")

	user = frappe.new_doc("User")
	user.update(
		{
			"name": email,
			"email": email,
			"enabled": 1,
			"first_name": first_name or email,
			"last_name": last_name,
			"user_type": user_type,
		}
	)
	for role in dict.fromkeys(roles):
		user.append("roles", {"role": role})
	if api_key:
		user.api_key = api_key
		user.api_secret = api_secret
	user.insert(ignore_permissions=True)

	if password:
		update_password(user.name, password)

	result = {"user": user.name, "roles": list(dict.fromkeys(roles))}
	if generate_keys:
		result.update(api_key=api_key, api_secret=api_secret)
	return result


@click.command("set-admin-password")
@click.argument("admin_password")
@click.option("--logout-all-sessions", is_flag=True, default=False)
@pass_context
def set_admin_password(context, admin_password, logout_all_sessions=False):
	"""Set Administrator's login password (bench set-admin-password)."""
	from frappe.utils.password import update_password

	if not admin_password:
		raise click.ClickException("the password must not be empty")

	connect_site(context)
	try:
		update_password("Administrator", admin_password)
		if logout_all_sessions:
			frappe.db.sql("delete from `tabSessions` where `user`=%s", ("Administrator",))
		frappe.db.commit()  # the CLI's unit of work
	finally:
		frappe.destroy()
	click.echo("Administrator password updated", err=True)


def _plain_message(exc):
	"""An exception's message without Frappe's HTML."""
	import re

	return re.sub(r"<[^>]+>", "", str(exc)) or exc.__class__.__name__


commands = [serve, add_user, set_admin_password]
