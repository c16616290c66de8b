# Login sessions as Frappe v15 keeps them (frappe/sessions.py): one row per sid in `tabSessions`,
# the `sid` cookie names it, and every Guest shares the pseudo-session "Guest" (never stored).
# Frappe caches sessions in Redis and falls back to the table; frappe_lite reads the table only,
# and stores `sessiondata` as JSON rather than a Python repr (it is internal to this module).

import json
from urllib.parse import unquote

import frappe
from frappe import _
from frappe.utils import cint, cstr, generate_hash, now, now_datetime

# Frappe writes the session row back at most every 10 minutes ("database persistence is secondary")
SESSION_UPDATE_INTERVAL = 600
DEFAULT_SESSION_EXPIRY = "240:00:00"


def get_csrf_token():
	"""The session's CSRF token, made on first use (Frappe's /app page and www pages call this)."""
	if not frappe.local.session.data.csrf_token:
		generate_csrf_token()

	return frappe.local.session.data.csrf_token


def generate_csrf_token():
	frappe.local.session.data.csrf_token = generate_hash()
	if not frappe.flags.in_test:
		frappe.local.session_obj.update(force=True)


def clear_cookies():
	"""Forget the session's cookies (frappe.auth.clear_cookies in Frappe, which frappe.auth re-exports:
	sessions sit below auth, and a resumed session that expired clears them too)."""
	if getattr(frappe.local, "session", None):
		frappe.session.sid = ""
	if getattr(frappe.local, "cookie_manager", None):
		frappe.local.cookie_manager.delete_cookie(
			["full_name", "user_id", "sid", "user_image", "system_user"]
		)


def clear_sessions(user=None, keep_current=False, force=False):
	"""Delete the sessions of `user` (default: the current user), optionally keeping the current one."""
	if not user:
		user = frappe.session.user

	query = "select `sid` from `tabSessions` where `user`=%s"
	values = [user]
	if keep_current:
		query += " and `sid`!=%s"
		values.append(frappe.session.sid)

	for (sid,) in frappe.db.sql(query, values):
		delete_session(sid)


def delete_session(sid=None, user=None, reason="Session Expired"):
	"""Remove one session row and commit, as Frappe does (a logout must stick even if the request fails)."""
	frappe.db.sql("delete from `tabSessions` where `sid`=%s", (sid,))
	frappe.db.commit()  # a logged-out sid must stay dead even if the rest of the request rolls back


def clear_expired_sessions():
	"""Scheduler entry point: drop sessions idle longer than the expiry period."""
	for (sid,) in frappe.db.sql(
		"select `sid` from `tabSessions` where `lastupdate` < %s", (get_expired_threshold(),)
	):
		delete_session(sid, reason="Session Expired")


def get_expiry_period():
	"""Idle timeout as "HH:MM:SS": site config `session_expiry`, else System Settings, else 240 hours."""
	if cached := getattr(frappe.local, "session_expiry_period", None):
		return cached
	exp_sec = frappe.conf.get("session_expiry")
	if not exp_sec:
		try:
			exp_sec = frappe.db.get_single_value("System Settings", "session_expiry")
		except Exception:
			exp_sec = None
	exp_sec = cstr(exp_sec or DEFAULT_SESSION_EXPIRY)

	# in case seconds are missing
	if len(exp_sec.split(":")) == 2:
		exp_sec = exp_sec + ":00"

	# read once per request: the cookie and the session lookup both need it
	frappe.local.session_expiry_period = exp_sec
	return exp_sec


def get_expiry_in_seconds(expiry=None):
	if not expiry:
		expiry = get_expiry_period()

	parts = expiry.split(":")
	return (cint(parts[0]) * 3600) + (cint(parts[1]) * 60) + cint(parts[2])


def get_expired_threshold():
	"""Sessions last updated before this moment are expired."""
	from frappe.utils import add_to_date

	return add_to_date(now(), seconds=-get_expiry_in_seconds(), as_string=True)


class Session:
	"""The current request's session: resumed from the `sid` cookie, or started at login / as Guest."""

	__slots__ = ("user", "user_type", "full_name", "data", "sid", "_last_updated")

	def __init__(self, user, resume=False, full_name=None, user_type=None):
		self.sid = cstr(frappe.form_dict.get("sid") or unquote(frappe.request.cookies.get("sid", "Guest")))
		self.user = user
		self.user_type = user_type
		self.full_name = full_name
		self.data = frappe._dict({"data": frappe._dict({})})
		self._last_updated = None

		# set local session
		frappe.local.session = self.data

		if resume:
			self.resume()
		elif self.user:
			self.validate_user()
			self.start()

	def validate_user(self):
		if self.user == "Guest":
			return
		if not frappe.db.get_value("User", self.user, "enabled"):
			frappe.throw(
				_("User {0} is disabled. Please contact your System Manager.").format(self.user),
				frappe.ValidationError,
			)

	def start(self):
		"""Start a new session: a fresh sid and a `tabSessions` row, except for Guest."""
		sid = "Guest" if self.user == "Guest" else generate_hash()

		self.data.user = self.user
		self.sid = self.data.sid = sid
		self.data.data.user = self.user
		self.data.data.session_ip = frappe.local.request_ip

		if self.user != "Guest":
			self.data.data.update(
				{
					"last_updated": now(),
					"session_expiry": get_expiry_period(),
					"full_name": self.full_name,
					"user_type": self.user_type,
				}
			)
			self.insert_session_record()
			frappe.db.commit()  # the new session must exist for the next request whatever happens to this one

	def insert_session_record(self):
		frappe.db.sql(
			"insert into `tabSessions` (`sessiondata`, `user`, `lastupdate`, `sid`, `status`, `ipaddress`)"
			" values (%s, %s, %s, %s, %s, %s)",
			(
				json.dumps(self.data["data"], default=str),
				self.data["user"],
				now(),
				self.data["sid"],
				"Active",
				cstr(frappe.local.request_ip)[:16],
			),
		)

	def resume(self):
		"""Non-login request: load the session named by the cookie, or fall back to Guest."""
		data = self.get_session_record()

		if data:
			self.data.update({"data": data, "user": data.user, "sid": self.sid})
			self.user = data.user
			self.validate_user()
		else:
			self.start_as_guest()

	def get_session_record(self):
		"""The stored session data, or the standard Guest record (and a `session_expired` flag)."""
		record = self.get_session_data()

		if not record:
			frappe.response["session_expired"] = 1
			clear_cookies()
			self.sid = "Guest"
			record = self.get_session_data()

		return record

	def get_session_data(self):
		if self.sid == "Guest":
			return frappe._dict({"user": "Guest"})

		record = frappe.db.sql(
			"select `user`, `sessiondata`, `lastupdate` from `tabSessions` where `sid`=%s and `lastupdate` > %s",
			(self.sid, get_expired_threshold()),
		)
		if not record:
			self._delete_session()
			return None

		try:
			data = frappe._dict(json.loads(record[0][1] or "{}"))
		except ValueError:
			data = frappe._dict()
		data.user = record[0][0]
		self._last_updated = record[0][2]
		return data

	def _delete_session(self):
		if self.sid and self.sid != "Guest":
			delete_session(self.sid, reason="Session Expired")

	def start_as_guest(self):
		"""All guests share the same 'Guest' session."""
		self.user = "Guest"
		self.start()

	def update(self, force=False):
		"""Extend the session's life; writes the row at most every 10 minutes unless `force`."""
		if frappe.session.user == "Guest" or self.sid in ("Guest", None) or self.sid != self.data.get("sid"):
			# no stored session: Guest, or token auth (frappe.set_user replaced the session identity)
			return False

		if not force and self._last_updated is not None:
			age = (now_datetime() - frappe.utils.get_datetime(self._last_updated)).total_seconds()
			if age < SESSION_UPDATE_INTERVAL:
				return False

		current = now()
		self.data.data.last_updated = current
		frappe.db.sql(
			"update `tabSessions` set `sessiondata`=%s, `lastupdate`=%s where `sid`=%s",
			(json.dumps(self.data["data"], default=str), current, self.data["sid"]),
		)
		frappe.db.commit()  # session bookkeeping is independent of the request's own transaction
		self._last_updated = current
		return True
