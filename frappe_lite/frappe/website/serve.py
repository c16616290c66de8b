# www pages, as Frappe v15 serves them (frappe/website/serve.py and page_renderers/template_page.py):
# `/<route>` renders `<app>/www/<route>.html` (or `<route>/index.html`) with Jinja, after the
# sibling `<route>.py`'s `get_context(context)`; `/` is `index`. Errors inside a page render an error
# page here, so the request itself still ends normally (GET rolls back, POST commits).
# Left out: Markdown pages, Web Page/Blog DocTypes, the website router's sitemap, page caching,
# Frappe's base templates (a page extends its own app's templates, if any).

import html
import importlib
import os

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from werkzeug.wrappers import Response

import frappe
from frappe import _
from frappe.utils.error import log_error_snapshot

START_FOLDERS = ("www", "templates/pages")


def get_response(path=None, http_status_code=200):
	"""Resolve the request path to a www page and render it (error pages on failure)."""
	path = path or frappe.local.request.path
	try:
		page = resolve_page(path)
		if not page:
			raise frappe.PageDoesNotExistError
		return render_page(page, http_status_code)
	except frappe.Redirect as e:
		location = frappe.flags.redirect_location or (frappe.local.response or {}).get("location") or "/"
		return Response("", status=getattr(e, "http_status_code", 301), headers={"Location": location})
	except frappe.PermissionError:
		return render_message_page(
			_("Not Permitted"), _("You do not have enough permissions to complete the action"), 403
		)
	except (frappe.PageDoesNotExistError, frappe.DoesNotExistError):
		return render_message_page(
			_("Not Found"), _("The resource you are looking for is not available"), 404
		)
	except Exception as e:
		log_error_snapshot(e)
		return render_message_page(_("Server Error"), "", 500)


def resolve_page(path):
	"""(app, app_dir, template path relative to the app, route) for a request path, or None."""
	route = path.strip("/") or "index"
	if ".." in route.split("/") or route.startswith("_") or "/_" in route:
		return None

	for app in frappe.get_installed_apps():
		app_dir = get_app_dir(app)
		if not app_dir:
			continue
		for folder in START_FOLDERS:
			for candidate in (f"{route}.html", f"{route}/index.html"):
				relative = f"{folder}/{candidate}"
				if os.path.isfile(os.path.join(app_dir, relative)):
					return frappe._dict(app=app, app_dir=app_dir, template=relative, route=route)
	return None


def get_app_dir(app):
	"""The directory of an app's Python package (where hooks.py, www/ and public/ live)."""
	try:
		module = importlib.import_module(app)
	except ImportError:
		return None
	return os.path.dirname(os.path.abspath(module.__file__)) if getattr(module, "__file__", None) else None


def render_page(page, http_status_code=200):
	context = frappe._dict(path=page.route, route=page.route, title=None)

	module_path = page.template[: -len(".html")].replace("/", ".").replace("-", "_")
	controller = _import_page_controller(f"{page.app}.{module_path}")
	if controller:
		for attr in ("no_cache", "sitemap", "title", "base_template_path"):
			if hasattr(controller, attr):
				context[attr] = getattr(controller, attr)
		if hasattr(controller, "get_context"):
			returned = controller.get_context(context)
			if returned and isinstance(returned, dict):
				context.update(returned)

	template = get_jenv().get_template(f"{page.app}/{page.template}")
	body = template.render(context)

	status = frappe.local.response.get("http_status_code") or http_status_code
	response = Response(body, status=status, mimetype="text/html")
	if context.no_cache:
		response.headers["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
	return response


def _import_page_controller(module_name):
	try:
		return importlib.import_module(module_name)
	except ModuleNotFoundError as e:
		# the page has no .py: fine; any other missing import inside it is a real error
		if e.name and module_name.startswith(e.name):
			return None
		raise


def get_jenv():
	"""A sandboxed Jinja environment over the installed apps (`app/path` or plain `path` names)."""
	apps = list(frappe.get_installed_apps())
	apps.reverse()
	app_loaders = {app: FileSystemLoader(get_app_dir(app)) for app in apps if get_app_dir(app)}
	env = SandboxedEnvironment(
		loader=ChoiceLoader([PrefixLoader(app_loaders), ChoiceLoader(list(app_loaders.values()))]),
		# Frappe does not autoescape; frappe_lite does for .html so page variables cannot inject markup
		autoescape=select_autoescape(["html", "htm", "xml"]),
		extensions=["jinja2.ext.do"],
	)
	env.globals.update(get_template_globals())
	return env


def get_template_globals():
	"""The small `frappe` namespace pages see (a subset of Frappe's jinja safe globals)."""
	session_data = getattr(frappe.local.session, "data", None) or {}
	return {
		"_": _,
		"frappe": frappe._dict(
			_=_,
			form_dict=frappe.form_dict,
			session=frappe._dict(user=frappe.session.user, csrf_token=session_data.get("csrf_token")),
			get_list=frappe.get_list,
			get_all=frappe.get_all,
			utils=frappe.utils,
		),
	}


MESSAGE_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="page-card"><h2>{title}</h2><div class="message">{message}</div></div></body></html>
"""


def render_message_page(title, message, http_status_code=200):
	"""Frappe's respond_as_web_page + message page, reduced to a plain HTML card."""
	body = MESSAGE_PAGE.format(title=html.escape(str(title)), message=message)
	return Response(body, status=http_status_code, mimetype="text/html")
