# The WSGI application, as Frappe v15's (frappe/app.py): one request = init site + connect →
# session/auth → route (/api/, www pages) → commit (unsafe verbs) or roll back → destroy.
# Left out: rate limiting, the recorder, monitor, maintenance/read-only mode, CORS, Sentry, private files.

import json
import os

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import ClosingIterator

import frappe
import frappe.api
import frappe.handler
import frappe.utils.response
from frappe import _
from frappe.auth import UNSAFE_HTTP_METHODS, HTTPRequest, get_request_header, validate_auth
from frappe.utils import cint
from frappe.utils.error import log_error_snapshot
from frappe.website.serve import get_response, render_message_page

# Set by `serve` (or the gunicorn config) before workers fork: the one site this server is for.
_site = None
_sites_path = None

# Frappe v15: desk posts big forms; no limit on form memory (the body itself is capped below)
Request.max_form_memory_size = None


def after_response_wrapper(app):
	"""Tear the request's frappe.local down once the response has been sent."""

	def application(environ, start_response):
		return ClosingIterator(app(environ, start_response), (run_after_response, frappe.destroy))

	return application


def run_after_response():
	request = getattr(frappe.local, "request", None)
	callbacks = getattr(request, "after_response", None) if request else None
	for callback in callbacks or []:
		try:
			callback()
		except Exception:
			frappe.log_error(title="after_response callback failed")


@after_response_wrapper
@Request.application
def application(request: Request):
	response = None

	try:
		rollback = True

		init_request(request)

		validate_auth()

		if request.method == "OPTIONS":
			response = Response()

		elif frappe.form_dict.cmd:
			frappe.handler.handle()
			response = frappe.utils.response.build_response("json")

		elif request.path.startswith("/api/"):
			response = frappe.api.handle(request)

		elif request.method in ("GET", "HEAD", "POST"):
			response = get_response()

		else:
			raise NotFound

	except HTTPException as e:
		return e

	except Exception as e:
		response = handle_exception(e)

	else:
		rollback = sync_database(rollback)

	finally:
		# this function must always return a response, so nothing here may raise.
		# Frappe rolls back unsafe verbs here and lets destroy() drop a failed GET's transaction;
		# rolling back every failed request explicitly is the same outcome, stated.
		if rollback and getattr(frappe.local, "db", None):
			try:
				frappe.db.rollback()
			except Exception:
				pass

		process_response(response)

	return response


def init_request(request):
	"""Bind the request to frappe.local, open the site and its database, build form_dict, log in."""
	frappe.local.request = request
	frappe.local.request.after_response = []
	frappe.local.is_ajax = get_request_header("X-Requested-With") == "XMLHttpRequest"

	sites_path = _sites_path or os.environ.get("FRAPPE_LITE_SITES_PATH") or "sites"
	site = _site or request.headers.get("X-Frappe-Site-Name") or get_site_name(request.host)
	if not site or site.startswith(".") or "/" in site or not os.path.isdir(os.path.join(sites_path, site)):
		# no such site here
		raise NotFound
	frappe.init(site=site, sites_path=sites_path)
	# frappe.init replaced frappe.local's request-scoped values: bind the request again
	frappe.local.request = request

	if not (frappe.local.conf and frappe.local.conf.db_name):
		# site does not exist
		raise NotFound

	frappe.connect(set_admin_as_user=False)

	request.max_content_length = cint(frappe.local.conf.get("max_file_size")) or 25 * 1024 * 1024
	make_form_dict(request)

	if request.method != "OPTIONS":
		frappe.local.http_request = HTTPRequest()

	for before_request_task in frappe.get_hooks("before_request") or []:
		frappe.call(frappe.get_attr(before_request_task))


def get_site_name(hostname):
	"""The site for a Host header: the host without its port (Frappe's utils.get_site_name)."""
	return (hostname or "").split(":")[0]


def make_form_dict(request: Request):
	"""form_dict: a JSON body replaces the query string (a list goes to `data`); else args + form."""
	request_data = request.get_data(as_text=True)
	if request_data and request.is_json:
		args = json.loads(request_data)
	else:
		args = {}
		args.update(request.args or {})
		args.update(request.form or {})

	if isinstance(args, dict):
		frappe.local.form_dict = frappe._dict(args)
		# _ is passed by $.ajax so that the request is not cached by the browser. So, remove _ from form_dict
		frappe.local.form_dict.pop("_", None)
	elif isinstance(args, list):
		frappe.local.form_dict = frappe._dict()
		frappe.local.form_dict["data"] = args
	else:
		frappe.local.form_dict = frappe._dict()
		frappe.throw(_("Invalid request arguments"))


def handle_exception(e):
	"""Frappe's error response: JSON for /api/ and ajax callers, a small HTML page otherwise."""
	response = None
	http_status_code = getattr(e, "http_status_code", 500)
	accept_header = get_request_header("Accept") or ""
	respond_as_json = (
		get_request_header("Accept") and (frappe.local.is_ajax or "application/json" in accept_header)
	) or (frappe.local.request.path.startswith("/api/") and not accept_header.startswith("text"))

	if not getattr(frappe.local, "session", None) or not frappe.session.user:
		# session creation failed (guest or expired login): code after this assumes a user
		frappe.local.session = frappe._dict(user="Guest", sid="Guest", data=frappe._dict())

	if respond_as_json:
		response = frappe.utils.response.report_error(http_status_code)

	else:
		if http_status_code == 401:
			title, message = (
				_("Session Expired"),
				_("Your session has expired, please login again to continue."),
			)
		elif http_status_code == 403:
			title, message = (
				_("Not Permitted"),
				_("You do not have enough permissions to complete the action"),
			)
		elif http_status_code == 404:
			title, message = _("Not Found"), _("The resource you are looking for is not available")
		else:
			title, message = _("Server Error"), ""
			if not frappe.local.flags.disable_traceback and frappe.utils.response.allow_error_traceback():
				from frappe.utils.data import escape_html

				message = "<pre>" + escape_html(frappe.utils.get_traceback()) + "</pre>"
		response = render_message_page(title, message, http_status_code)

	if e.__class__ == frappe.AuthenticationError:
		if getattr(frappe.local, "login_manager", None):
			frappe.local.login_manager.clear_cookies()

	if http_status_code >= 500:
		log_error_snapshot(e)

	return response


def sync_database(rollback: bool) -> bool:
	"""Commit if the HTTP verb changes server state (or `flags.commit`), else roll back."""
	if getattr(frappe.local, "db", None) and (
		frappe.local.flags.commit or frappe.local.request.method in UNSAFE_HTTP_METHODS
	):
		frappe.db.commit()
		rollback = False
	elif getattr(frappe.local, "db", None):
		frappe.db.rollback()
		rollback = False

	# update session
	if session := getattr(frappe.local, "session_obj", None):
		if session.update():
			rollback = False

	return rollback


def process_response(response):
	if not response:
		return

	# set cookies
	if getattr(frappe.local, "cookie_manager", None):
		frappe.local.cookie_manager.flush_cookies(response=response)


def application_with_statics():
	"""`application` plus `/assets/<app>/...` served from each app's `public/` folder."""
	from frappe.website.assets import AppAssetsMiddleware

	return AppAssetsMiddleware(application)
