# The `frappe-lite` console command (frappe/utils/bench_helper.py in Frappe v15 is bench's entry point into
# Frappe's commands): bench's command shape, `frappe-lite --site S <command>`, on click. It collects the
# `commands` lists of frappe/commands/{site,web,utils,scheduler}.py; those modules depend on
# frappe.commands (pass_context, get_site), never on this one.
import os
import sys

import click

from frappe.commands import scheduler, site, utils, web

COMMAND_MODULES = (site, web, utils, scheduler)


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


def get_commands():
	return [command for module in COMMAND_MODULES for command in getattr(module, "commands", [])]


for _command in get_commands():
	frappe_lite.add_command(_command)


def main(argv=None):
	"""Entry point: one clear line and a non-zero exit on any error."""
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
