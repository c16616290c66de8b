# Who is calling, as Frappe v15 decides it (frappe/auth.py): a session resumed from the `sid` cookie
# (Guest when there is none), `POST /api/method/login`, CSRF for cookie sessions, and
# `Authorization: token key:secret` / `Basic base64(key:secret)` API keys.
# Left out (the app uses none of them): OAuth bearer tokens, two-factor auth, login attempt tracking,
# IP restrictions, login hours, forced password resets and the Activity Log.

import base64
import binascii
import datetime
import hmac
from urllib.parse import quote

from werkzeug.wrappers import Response

import frappe
from frappe import _
from frappe.sessions import (
	Session,
	clear_cookies,
	clear_sessions,
	delete_session,
	get_expiry_in_seconds,
)
from frappe.utils import cint
from frappe.utils.password import check_password, get_decrypted_password

SAFE_HTTP_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
UNSAFE_HTTP_METHODS = frozenset(("POST", "PUT", "DELETE", "PATCH"))
MAX_PASSWORD_SIZE = 512
STANDARD_USERS = ("Guest", "Administrator")


def get_request_header(key, default=None):
	"""Return a request header, or `default` outside a request."""
	request = getattr(frappe.local, "request", None)
	if not request:
		return default
	return request.headers.get(key, default)


class HTTPRequest:
	"""Runs at the start of every request: request IP, cookies, session, CSRF."""

	def __init__(self):
		self.set_request_ip()
		frappe.local.cookie_manager = CookieManager()
		frappe.local.login_manager = LoginManager()
		self.validate_csrf_token()
		# write out latest cookies
		frappe.local.cookie_manager.init_cookies()

	def set_request_ip(self):
		if forwarded_for := get_request_header("X-Forwarded-For"):
			frappe.local.request_ip = forwarded_for.split(",", 1)[0].strip()
		elif getattr(frappe.request, "remote_addr", None):
			frappe.local.request_ip = frappe.request.remote_addr
		else:
			frappe.local.request_ip = "127.0.0.1"

	def validate_csrf_token(self):
		"""A cookie session that holds a CSRF token must send it back on every unsafe request.

		As in Frappe, the token exists once `frappe.sessions.get_csrf_token()` made it (the Desk page
		or a www page does); Guests, API-key calls and `ignore_csrf` sites are never checked."""
		if (
			not frappe.request
			or frappe.request.method not in UNSAFE_HTTP_METHODS
			or frappe.conf.ignore_csrf
			or not frappe.session
			or not (saved_token := (frappe.session.data or {}).get("csrf_token"))
			or (
				(get_request_header("X-Frappe-CSRF-Token") or frappe.form_dict.pop("csrf_token", None))
				== saved_token
			)
		):
			return

		frappe.flags.disable_traceback = True
		frappe.throw(_("Invalid Request"), frappe.CSRFTokenError)


class LoginManager:
	"""Logs in (`/api/method/login`) or resumes the session for this request."""

	__slots__ = ("full_name", "info", "resume", "user", "user_type")

	def __init__(self):
		self.user = None
		self.info = None
		self.full_name = None
		self.user_type = None

		if frappe.local.form_dict.get("cmd") == "login" or frappe.local.request.path in (
			"/api/method/login",
			"/api/v1/method/login",
		):
			if self.login() is False:
				return
			self.resume = False
		else:
			try:
				self.resume = True
				self.make_session(resume=True)
				self.get_user_info()
				self.set_user_info(resume=True)
			except AttributeError:
				self.user = "Guest"
				self.get_user_info()
				self.make_session()
				self.set_user_info()

	def login(self):
		user, pwd = frappe.form_dict.get("usr"), frappe.form_dict.get("pwd")
		self.authenticate(user=user, pwd=pwd)
		frappe.form_dict.pop("pwd", None)
		self.post_login()

	def post_login(self):
		self.run_trigger("on_login")
		self.get_user_info()
		self.make_session()
		self.set_user_info()

	def get_user_info(self):
		self.info = (
			frappe.db.get_value("User", self.user, ["user_type", "first_name", "last_name"], as_dict=True)
			or frappe._dict()
		)
		self.user_type = self.info.user_type

	def set_user_info(self, resume=False):
		# set sid again
		frappe.local.cookie_manager.init_cookies()

		self.full_name = " ".join(filter(None, [self.info.first_name, self.info.last_name]))

		if self.info.user_type == "Website User":
			frappe.local.cookie_manager.set_cookie("system_user", "no")
			if not resume:
				frappe.local.response["message"] = "No App"
				default_home = "login" if self.user == "Guest" else "me"
				frappe.local.response["home_page"] = (
					"/" + (frappe.get_hooks("home_page") or [default_home])[-1]
				)
		else:
			frappe.local.cookie_manager.set_cookie("system_user", "yes")
			if not resume:
				frappe.local.response["message"] = "Logged In"
				frappe.local.response["home_page"] = "/app"

		if not resume:
			frappe.response["full_name"] = self.full_name

		frappe.local.cookie_manager.set_cookie("full_name", self.full_name)
		frappe.local.cookie_manager.set_cookie("user_id", self.user)
		frappe.local.cookie_manager.set_cookie("user_image", "")

	def make_session(self, resume=False):
		frappe.local.session_obj = Session(
			user=self.user, resume=resume, full_name=self.full_name, user_type=self.user_type
		)
		# reset user if changed to Guest
		self.user = frappe.local.session_obj.user
		frappe.local.session = frappe.local.session_obj.data
		self.clear_active_sessions()
		if not resume:
			self.run_trigger("on_session_creation")

	def clear_active_sessions(self):
		"""Log the user's other sessions out when the site allows one session per user."""
		if frappe.session.user == "Guest" or not cint(frappe.conf.get("deny_multiple_sessions")):
			return
		clear_sessions(frappe.session.user, keep_current=True)

	def authenticate(self, user=None, pwd=None):
		if not (user and pwd):
			user, pwd = frappe.form_dict.get("usr"), frappe.form_dict.get("pwd")
		if not (user and pwd):
			self.fail(_("Incomplete login details"), user=user)

		if len(pwd) > MAX_PASSWORD_SIZE:
			self.fail(_("Password size exceeded the maximum allowed size"), user=user)

		name = find_user_name(user)
		if not name:
			self.fail("Invalid login credentials", user=user)

		try:
			name = check_password(name, pwd)
		except frappe.AuthenticationError:
			self.fail("Invalid login credentials", user=name)

		if not (name == "Administrator" or frappe.db.get_value("User", name, "enabled")):
			self.fail("User disabled or missing", user=name)

		self.user = name

	def fail(self, message, user=None):
		frappe.local.response["message"] = message
		raise frappe.AuthenticationError

	def run_trigger(self, event="on_login"):
		for method in frappe.get_hooks(event) or []:
			frappe.call(frappe.get_attr(method), login_manager=self)

	def login_as_guest(self):
		self.login_as("Guest")

	def login_as(self, user):
		self.user = user
		self.post_login()

	def logout(self, arg="", user=None):
		if not user:
			user = frappe.session.user
		self.run_trigger("on_logout")

		if user == frappe.session.user:
			delete_session(frappe.session.sid, user=user, reason="User Manually Logged Out")
			self.clear_cookies()
			if frappe.request:
				self.login_as_guest()
		else:
			clear_sessions(user)

	def clear_cookies(self):
		clear_cookies()


def find_user_name(user):
	"""The User's name for a login id (its name, or its email), as `User.find_by_credentials`."""
	if not isinstance(user, str):
		return None
	name = frappe.db.get_value("User", {"name": user}, "name")
	if not name and "@" in user:
		name = frappe.db.get_value("User", {"email": user}, "name")
	return name


class CookieManager:
	"""Collects cookies during the request and writes them on the response."""

	def __init__(self):
		self.cookies = {}
		self.to_delete = []

	def init_cookies(self):
		if not frappe.local.session.get("sid"):
			return

		if frappe.session.sid:
			self.set_cookie("sid", frappe.session.sid, max_age=get_expiry_in_seconds(), httponly=True)

	def set_cookie(
		self, key, value, expires=None, secure=False, httponly=False, samesite="Lax", max_age=None
	):
		if not secure and getattr(frappe.local, "request", None):
			secure = frappe.local.request.scheme == "https"

		self.cookies[key] = {
			"value": value,
			"expires": expires,
			"secure": secure,
			"httponly": httponly,
			"samesite": samesite,
			"max_age": max_age,
		}

	def delete_cookie(self, to_delete):
		if not isinstance(to_delete, list | tuple):
			to_delete = [to_delete]
		self.to_delete.extend(to_delete)

	def flush_cookies(self, response: Response):
		for key, opts in self.cookies.items():
			if key in self.to_delete:
				continue
			response.set_cookie(
				key,
				quote((opts.get("value") or "").encode("utf-8")),
				expires=opts.get("expires"),
				secure=opts.get("secure"),
				httponly=opts.get("httponly"),
				samesite=opts.get("samesite"),
				max_age=opts.get("max_age"),
			)

		# expires yesterday!
		expires = datetime.datetime.now() + datetime.timedelta(days=-1)
		for key in set(self.to_delete):
			response.set_cookie(key, "", expires=expires)


@frappe.whitelist()
def get_logged_user():
	return frappe.session.user


def validate_auth():
	"""Authenticate the request from its Authorization header (API keys) and `auth_hooks`."""
	authorization_header = (get_request_header("Authorization", "") or "").split(" ")

	if len(authorization_header) == 2:
		validate_auth_via_api_keys(authorization_header)

	validate_auth_via_hooks()

	# an Authorization header that did not authenticate anyone ends the request here
	if len(authorization_header) == 2 and frappe.session.user in ("", "Guest"):
		raise frappe.AuthenticationError


def validate_auth_via_api_keys(authorization_header):
	"""`token key:secret` or `Basic base64(key:secret)`: run the request as the key's User."""
	try:
		auth_type, auth_token = authorization_header
		authorization_source = get_request_header("Frappe-Authorization-Source")
		if auth_type.lower() == "basic":
			api_key, api_secret = base64.b64decode(auth_token).decode("utf-8").split(":")
			validate_api_key_secret(api_key, api_secret, authorization_source)
		elif auth_type.lower() == "token":
			api_key, api_secret = auth_token.split(":")
			validate_api_key_secret(api_key, api_secret, authorization_source)
	except binascii.Error:
		frappe.throw(
			_("Failed to decode token, please provide a valid base64-encoded token."),
			frappe.InvalidAuthorizationToken,
		)
	except (AttributeError, TypeError, ValueError):
		pass


def validate_api_key_secret(api_key, api_secret, frappe_authorization_source=None):
	"""frappe_authorization_source names a DocType other than User that holds api_key/api_secret."""
	if not api_key or not api_secret:
		raise frappe.AuthenticationError

	doctype = frappe_authorization_source or "User"
	docname = frappe.db.get_value(doctype, {"api_key": api_key, "enabled": 1}, "name")
	if not docname:
		raise frappe.AuthenticationError

	form_dict = frappe.local.form_dict
	doc_secret = get_decrypted_password(doctype, docname, fieldname="api_secret")
	# constant-time compare (Frappe uses ==): the secret must not leak through timing
	if hmac.compare_digest(api_secret.encode("utf-8"), (doc_secret or "").encode("utf-8")):
		if doctype == "User":
			user = docname
		else:
			user = frappe.db.get_value(doctype, docname, "user")
		if frappe.local.login_manager.user in ("", "Guest"):
			frappe.set_user(user)
		# set_user resets form_dict
		frappe.local.form_dict = form_dict
	else:
		raise frappe.AuthenticationError


def validate_auth_via_hooks():
	for auth_hook in frappe.get_hooks("auth_hooks") or []:
		frappe.get_attr(auth_hook)()
