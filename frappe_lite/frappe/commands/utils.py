# Utility commands, following frappe/commands/utils.py (v15): execute, console, run-tests, set-config, list-apps.
import ast
import json
import os
import sys
import traceback
from contextlib import contextmanager

import click

import frappe
from frappe.commands import get_site, pass_context
from frappe.utils import write_config_value


def fail(message: str, code: int = 1):
	"""Print one clear line to stderr and exit non-zero."""
	click.echo(f"Error: {message}", err=True)
	sys.exit(code)


def error_line(e: BaseException) -> str:
	return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def require_site(context, site: str | None = None) -> str:
	"""The command's site; it must exist under the sites path."""
	try:
		site = site or get_site(context)
	except Exception:
		fail("Please specify --site sitename")
	sites_path = context.sites_path or os.environ.get("FRAPPE_LITE_SITES_PATH") or "sites"
	if not os.path.exists(os.path.join(sites_path, site, "site_config.json")):
		fail(f"Site {site} does not exist in {os.path.abspath(sites_path)}")
	return site


@contextmanager
def connected(context, site: str | None = None):
	"""frappe.init + connect (as Administrator) for the command's site, destroy on exit. No commit."""
	site = require_site(context, site)
	try:
		frappe.init(site=site, sites_path=context.sites_path)
		frappe.connect()
	except SystemExit:
		raise
	except Exception as e:
		frappe.destroy()
		fail(f"Cannot connect to site {site}: {error_line(e)}")
	try:
		yield site
	finally:
		frappe.destroy()


def json_default(obj):
	"""Like Frappe's response.json_handler for what a console method returns: documents as dicts, Decimal as float."""
	from decimal import Decimal

	if hasattr(obj, "as_dict"):
		return obj.as_dict()
	if isinstance(obj, Decimal):
		return float(obj)
	return str(obj)


@click.command("execute")
@click.argument("method")
@click.option("--args", help="Positional arguments as a Python literal, e.g. \"(1, 'a')\"")
@click.option("--kwargs", help="Keyword arguments as a Python literal, e.g. \"{'x': 1}\"")
@pass_context
def execute(context, method, args=None, kwargs=None):
	"""Execute a function as Administrator, commit, and print its JSON result (as bench execute)."""
	# bench eval()s these: the operator running the CLI already has the site's keys
	try:
		if args:
			try:
				args = eval(args)
			except NameError:
				args = [args]
			if not isinstance(args, list | tuple):
				args = (args,)
		else:
			args = ()
	except Exception as e:
		fail(f"invalid --args: {error_line(e)}")
	try:
		kwargs = eval(kwargs) if kwargs else {}
		if not isinstance(kwargs, dict):
			raise TypeError("--kwargs must be a dict")
	except Exception as e:
		fail(f"invalid --kwargs: {error_line(e)}")

	ret = None
	with connected(context):
		try:
			fn = frappe.get_attr(method)
		except Exception as e:
			try:
				# as bench: a path get_attr cannot import (e.g. frappe.db.get_value) is evaluated
				fn = eval(method, {"frappe": frappe})
			except Exception:
				fail(f"Cannot find method {method}: {error_line(e)}")
		try:
			ret = fn(*args, **kwargs)
			# bench execute commits what the method did
			frappe.db.commit()
		except Exception as e:
			frappe.db.rollback()
			fail(f"{method} failed: {error_line(e)}")
	if ret:
		print(json.dumps(ret, default=json_default))


@click.command("console")
@pass_context
def console(context):
	"""Start a Python console with the site connected (`frappe` in the namespace). Piped stdin runs as a script.

	As bench console, nothing is committed unless the code calls frappe.db.commit()."""
	import code

	with connected(context) as site:
		namespace = {"frappe": frappe}
		for app in frappe.get_installed_apps():
			try:
				namespace[app] = __import__(app)
			except ImportError:
				pass
		try:
			if sys.stdin.isatty():
				banner = f"frappe-lite console for {site}. Apps in this namespace: {', '.join(namespace)}"
				code.InteractiveConsole(namespace).interact(banner=banner, exitmsg="")
			else:
				source = sys.stdin.read()
				try:
					exec(compile(source, "<stdin>", "exec"), namespace)
				except SystemExit:
					raise
				except BaseException:
					traceback.print_exc()
					sys.exit(1)
		finally:
			# as bench's _console_cleanup: uncommitted work is discarded
			frappe.db.rollback()


@click.command("run-tests")
@click.option("--app", help="For App")
@click.option("--module", help="Run tests in a module (dotted path)")
@click.option("--doctype", help="For DocType")
@click.option("--test", multiple=True, help="Specific test method name (repeatable)")
@click.option("--case", help="Select particular TestCase (with --module)")
@click.option("--skip-before-tests", is_flag=True, default=False, help="Don't run before_tests hooks")
@click.option(
	"--failfast", is_flag=True, default=False, help="Stop the test run on the first error or failure"
)
@click.option("--verbose", "-v", is_flag=True, default=False)
@pass_context
def run_tests(
	context,
	app=None,
	module=None,
	doctype=None,
	test=(),
	case=None,
	skip_before_tests=False,
	failfast=False,
	verbose=False,
):
	"""Run the app's Frappe test cases with unittest on a throwaway test site (like bench run-tests)."""
	import frappe.test_runner

	site = require_site(context)
	try:
		ret = frappe.test_runner.run_on_throwaway_site(
			site,
			sites_path=context.sites_path,
			app=app,
			module=module,
			doctype=doctype,
			tests=test,
			case=case,
			failfast=failfast,
			verbose=verbose,
			skip_before_tests=skip_before_tests,
		)
	except SystemExit:
		raise
	except Exception as e:
		fail(f"run-tests: {error_line(e)}")
	if ret.failures or ret.errors or not ret.wasSuccessful():
		sys.exit(1)


@click.command("set-config")
@click.argument("key")
@click.argument("value")
@click.option(
	"-g", "--global", "global_", is_flag=True, default=False, help="Set value in common_site_config.json"
)
@click.option("-p", "--parse", is_flag=True, default=False, help="Evaluate as Python Object")
@click.option("--as-dict", is_flag=True, default=False, help="Legacy: evaluate value as Python Object")
@pass_context
def set_config(context, key, value, global_=False, parse=False, as_dict=False):
	"""Insert/Update a value in site_config.json"""
	if parse or as_dict:
		try:
			value = ast.literal_eval(value)
		except Exception as e:
			fail(f"cannot parse {value!r}: {error_line(e)}")
	sites_path = context.sites_path or os.environ.get("FRAPPE_LITE_SITES_PATH") or "sites"
	if global_:
		path = os.path.join(sites_path, "common_site_config.json")
	else:
		path = os.path.join(sites_path, require_site(context), "site_config.json")
	# set-config keeps the value as given (or as parsed); "None" removes the key
	write_config_value(path, key, None if value in (None, "None") else value)


@click.command("list-apps")
@click.option("--format", "-f", "format_", type=click.Choice(["text", "json"]), default="text")
@pass_context
def list_apps(context, format_="text"):
	"""List the apps installed on the site"""
	with connected(context) as site:
		apps = frappe.get_installed_apps()
	if format_ == "json":
		click.echo(json.dumps({site: apps}))
		return
	for app in apps:
		version = getattr(sys.modules.get(app) or _import_or_none(app), "__version__", "")
		click.echo(f"{app} {version}".strip())


def _import_or_none(name):
	try:
		return __import__(name)
	except ImportError:
		return None


commands = [console, execute, list_apps, run_tests, set_config]
