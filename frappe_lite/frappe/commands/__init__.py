# Helpers every command module uses (frappe/commands/__init__.py in Frappe v15): the CLI context and the
# command's site. The `frappe-lite` group itself, which collects the commands of site.py, web.py, utils.py
# and scheduler.py, is frappe/utils/bench_helper.py (as bench's entry point into Frappe is).
import functools
import os

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
