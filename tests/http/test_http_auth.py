"""Who the request runs as: Guest by default, API keys (token and Basic), login sessions with
CSRF, logout; and roles against guest, user-only and role-protected methods (Frappe v15 auth.py)."""

import base64
import re

import pytest
import requests
from http_helpers import METHOD, token_header


def call(site, name, method="GET", session=None, **kwargs):
	return (session or requests).request(method, site.url(METHOD + name), timeout=10, **kwargs)


def login(site, user):
	session = requests.Session()
	r = session.post(
		site.url("/api/method/login"), data={"usr": user["email"], "pwd": user["password"]}, timeout=10
	)
	assert r.status_code == 200, r.text
	return session, r


class TestRoles:
	def test_guest_by_default(self, http_site):
		assert call(http_site, "whoami").json()["message"] == {"user": "Guest", "roles": ["Guest"]}

	def test_guest_cannot_call_user_method(self, http_site):
		r = call(http_site, "whoami_user")
		assert r.status_code == 403
		assert r.json()["exc_type"] == "PermissionError"

	@pytest.mark.parametrize("who", ["plain", "reader", "manager"])
	def test_any_user_can_call_user_method(self, http_site, who, request):
		user = request.getfixturevalue(who)
		assert call(http_site, "whoami_user", headers=token_header(user)).json() == {"message": user["email"]}

	def test_role_protected_method(self, http_site, plain, reader, manager):
		assert call(http_site, "manager_only").status_code == 403
		assert call(http_site, "manager_only", headers=token_header(plain)).status_code == 403
		assert call(http_site, "manager_only", headers=token_header(reader)).status_code == 403
		r = call(http_site, "manager_only", headers=token_header(manager))
		assert r.json() == {"message": "manager ok"}

	def test_roles_of_a_user(self, http_site, manager):
		roles = call(http_site, "whoami", headers=token_header(manager)).json()["message"]["roles"]
		assert "HTTP Manager" in roles and "All" in roles and "Guest" in roles


class TestApiKeys:
	def test_basic_auth(self, http_site, reader):
		token = base64.b64encode(f"{reader['api_key']}:{reader['api_secret']}".encode()).decode()
		r = call(http_site, "whoami_user", headers={"Authorization": f"Basic {token}"})
		assert r.json() == {"message": reader["email"]}

	@pytest.mark.parametrize(
		"header",
		[
			"token readerkey00001:wrong-secret",
			"token no-such-key:secret",
			"token missing-colon",
			"Bearer something",
		],
	)
	def test_bad_credentials_are_401(self, http_site, header):
		r = call(http_site, "whoami", headers={"Authorization": header})
		assert r.status_code == 401
		assert r.json()["exc_type"] == "AuthenticationError"

	def test_undecodable_basic_token_is_400(self, http_site):
		r = call(http_site, "whoami", headers={"Authorization": "Basic abc"})
		assert r.status_code == 400
		assert r.json()["exc_type"] == "InvalidAuthorizationToken"

	def test_token_post_needs_no_csrf_and_commits(self, http_site, manager):
		r = call(http_site, "echo", method="POST", json={"x": 1}, headers=token_header(manager))
		assert r.status_code == 200


class TestLogin:
	def test_login_returns_frappe_body_and_sid_cookie(self, http_site, manager):
		session, r = login(http_site, manager)
		assert r.json() == {"message": "Logged In", "home_page": "/app", "full_name": "Manager"}
		assert session.cookies.get("sid") not in (None, "", "Guest")
		assert call(http_site, "whoami_user", session=session).json() == {"message": manager["email"]}

	@pytest.mark.parametrize(
		"form",
		[
			{"usr": "manager@example.com", "pwd": "wrong"},
			{"usr": "nobody@example.com", "pwd": "whatever"},
			{"usr": "manager@example.com"},
		],
	)
	def test_failed_login_is_401(self, http_site, form):
		r = requests.post(http_site.url("/api/method/login"), data=form, timeout=10)
		assert r.status_code == 401
		body = r.json()
		assert body["exc_type"] == "AuthenticationError"
		assert body["message"] in ("Invalid login credentials", "Incomplete login details")
		assert "sid" not in r.cookies or r.cookies.get("sid") in ("", "Guest")

	def test_logout_ends_the_session(self, http_site, reader):
		session, _ = login(http_site, reader)
		assert call(http_site, "whoami_user", session=session).status_code == 200
		old_sid = session.cookies.get("sid")
		assert session.post(http_site.url("/api/method/logout"), timeout=10).status_code == 200
		assert call(http_site, "whoami_user", session=session).status_code == 403
		# the old sid no longer authenticates anyone
		r = call(http_site, "whoami", cookies={"sid": old_sid})
		assert r.json()["message"]["user"] == "Guest"

	def test_unknown_sid_is_guest(self, http_site):
		r = call(http_site, "whoami", cookies={"sid": "not-a-session"})
		assert r.json()["message"]["user"] == "Guest"
		assert r.json()["session_expired"] == 1


class TestCSRF:
	def csrf_token(self, site, session):
		page = session.get(site.url("/csrf"), timeout=10)
		assert page.status_code == 200
		return re.search(r'<span id="csrf">([^<]+)</span>', page.text).group(1)

	def test_session_post_needs_the_token_once_issued(self, http_site, plain):
		session, _ = login(http_site, plain)
		# as Frappe: no token exists until a page asks for one, so nothing to check yet
		assert call(http_site, "echo", method="POST", session=session, json={}).status_code == 200

		token = self.csrf_token(http_site, session)
		r = call(http_site, "echo", method="POST", session=session, json={"x": 1})
		assert r.status_code == 400
		assert r.json()["exc_type"] == "CSRFTokenError"
		assert "exception" not in r.json()  # Frappe disables the traceback for CSRF failures

		r = call(http_site, "echo", method="POST", session=session, headers={"X-Frappe-CSRF-Token": "nope"})
		assert r.status_code == 400

		r = call(
			http_site,
			"echo",
			method="POST",
			session=session,
			json={"x": 1},
			headers={"X-Frappe-CSRF-Token": token},
		)
		assert r.json()["message"] == {"x": 1, "cmd": "http_fixture.api.echo"}

		# a GET is never checked
		assert call(http_site, "whoami_user", session=session).status_code == 200

	def test_csrf_failure_writes_nothing(self, http_site, plain):
		from http_helpers import unique

		session, _ = login(http_site, plain)
		self.csrf_token(http_site, session)
		title = unique()
		r = call(http_site, "create_note", method="POST", session=session, json={"title": title})
		assert r.status_code == 400
		assert not http_site.note_exists(title)

	def test_ignore_csrf_site_config(self, http_site, plain):
		session, _ = login(http_site, plain)
		self.csrf_token(http_site, session)
		http_site.update_config(ignore_csrf=1)
		try:
			assert call(http_site, "echo", method="POST", session=session, json={}).status_code == 200
		finally:
			http_site.update_config(ignore_csrf=None)


class TestSessionLifetime:
	def test_idle_session_expires(self, http_site, plain):
		import time

		session, _ = login(http_site, plain)
		http_site.update_config(session_expiry="0:00:01")
		try:
			time.sleep(1.2)
			r = call(http_site, "whoami", session=session)
			assert r.json()["message"]["user"] == "Guest"
			assert r.json()["session_expired"] == 1
		finally:
			http_site.update_config(session_expiry=None)

	def test_disabled_user_keys_and_session_stop_working(self, http_site):
		from http_helpers import unique

		email = f"{unique('off')}@example.com"
		made = http_site.cli("add-user", email, "--password", "pw-off-1", "--generate-keys")
		assert made.returncode == 0, made.stderr
		import json

		keys = json.loads(made.stdout)
		session, _ = login(http_site, {"email": email, "password": "pw-off-1"})
		with http_site.connect() as frappe:
			frappe.db.set_value("User", email, "enabled", 0)
			frappe.db.commit()
		assert call(http_site, "whoami_user", headers=token_header(keys)).status_code == 401
		assert (
			call(http_site, "whoami_user", session=session).status_code == 417
		)  # as Frappe: "User … is disabled"
		r = requests.post(
			http_site.url("/api/method/login"), data={"usr": email, "pwd": "pw-off-1"}, timeout=10
		)
		assert r.status_code == 401
		assert r.json()["message"] == "User disabled or missing"
