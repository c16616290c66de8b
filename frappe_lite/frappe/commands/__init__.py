# The `frappe-lite` console command: bench's command shape (`frappe-lite --site S <command>`) on click.
# Site commands live in site.py, HTTP ones in web.py, utilities in utils.py, jobs in scheduler.py.
import functools
import os
import sys

import click

import frappe


def pass_context(f):
	"""Pass the CLI context (sites, sites_path) as the first argument, as frappe.commands.pass_context."""

	@functools.wraps(f)
	def _func(ctx, *args, **kwargs):
		return f(frappe._dict(ctx.obj), *args, **kwargs)

	return click.pass_context(_func)


def get_site(context, raise_err=True):
	"""The one site the command runs on: --site, else sites/currentsite.txt."""
	if context.sites:
		return context.sites[0]
	current = os.path.join(context.sites_path, "currentsite.txt")
	if os.path.exists(current):
		with open(current) as f:
			site = f.read().strip()
		if site:
			return site
	if raise_err:
		raise click.ClickException("Please specify --site SITE (or run `frappe-lite use SITE`)")
	return None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--site", help="Site name (a folder under the sites path)")
@click.option(
	"--sites-path",
	envvar="FRAPPE_LITE_SITES_PATH",
	default="sites",
	show_default=True,
	help="Folder holding the sites (env FRAPPE_LITE_SITES_PATH)",
)
@click.pass_context
def frappe_lite(ctx, site, sites_path):
	"""frappe_lite: a bench-less runtime for Frappe v15 apps."""
	ctx.obj = {"sites": [site] if site else [], "sites_path": os.path.abspath(sites_path)}


def _register():
	from frappe.commands import scheduler, site, utils, web

	for module in (site, web, utils, scheduler):
		for command in getattr(module, "commands", []):
			frappe_lite.add_command(command)


def main(argv=None):
	"""Entry point: one clear line and a non-zero exit on any error."""
	_register()
	try:
		frappe_lite.main(args=argv, prog_name="frappe-lite", standalone_mode=False)
	except click.exceptions.Abort:
		click.echo("Aborted!", err=True)
		sys.exit(1)
	except click.ClickException as e:
		e.show()
		sys.exit(e.exit_code)
	except SystemExit:
		raise
	except Exception as e:
		click.echo(f"Error: {type(e).__name__}: {_one_line(e)}", err=True)
		if os.environ.get("FRAPPE_LITE_TRACEBACK"):
			raise
		sys.exit(1)
	sys.exit(0)


def _one_line(e):
	text = str(e) or repr(e)
	return " ".join(text.split())
