"""The web CLI commands: add-user, set-admin-password and serve, including bad arguments."""

import json

import requests
from http_helpers import unique


def test_add_user_with_roles_and_generated_keys(http_site):
	email = f"{unique('cli')}@example.com"
	r = http_site.cli(
		"add-user",
		email,
		"--first-name",
		"Akinyi",
		"--password",
		"pw-123456",
		"--add-role",
		"HTTP Reader",
		"--generate-keys",
	)
	assert r.returncode == 0, r.stderr
	printed = json.loads(r.stdout)
	assert printed["user"] == email and printed["roles"] == ["HTTP Reader"]

	headers = {"Authorization": f"token {printed['api_key']}:{printed['api_secret']}"}
	r = requests.get(http_site.url("/api/method/http_fixture.api.whoami"), headers=headers, timeout=10)
	assert r.json()["message"]["user"] == email
	assert "HTTP Reader" in r.json()["message"]["roles"]

	r = requests.post(http_site.url("/api/method/login"), data={"usr": email, "pwd": "pw-123456"}, timeout=10)
	assert r.json()["full_name"] == "Akinyi"

	with http_site.connect() as frappe:
		# the login password is a passlib hash, the API secret is Fernet-encrypted: neither in clear
		stored = frappe.db.sql(
			"select `fieldname`, `password`, `encrypted` from `__Auth` where `name`=%s", (email,)
		)
		by_field = {row[0]: (row[1], int(row[2])) for row in stored}
		assert by_field["password"][0].startswith("$pbkdf2-sha256$") and by_field["password"][1] == 0
		assert by_field["api_secret"][1] == 1 and printed["api_secret"] not in by_field["api_secret"][0]
		assert "pw-123456" not in json.dumps(stored)
		assert frappe.db.get_value("User", email, "api_secret") != printed["api_secret"]


def test_add_user_bad_arguments(http_site):
	cases = [
		(["add-user", "not-an-email"], "not a valid email"),
		(["add-user", f"{unique()}@example.com", "--add-role", "No Such Role"], "does not exist"),
		(["add-user", f"{unique()}@example.com", "--api-key", "k"], "must be given together"),
		(
			["add-user", f"{unique()}@example.com", "--generate-keys", "--api-key", "k", "--api-secret", "s"],
			"not both",
		),
		(["add-user", "manager@example.com"], "already exists"),
		(["add-user"], "Missing argument"),
	]
	for args, message in cases:
		r = http_site.cli(*args)
		assert r.returncode != 0, args
		assert message in r.stderr, (args, r.stderr)
		assert "Traceback" not in r.stderr


def test_add_user_unknown_site(http_site):
	r = http_site.cli("--site", "nowhere.localhost", "add-user", "x@example.com", site=False)
	assert r.returncode != 0
	assert "Traceback" not in r.stderr


def test_set_admin_password(http_site):
	r = http_site.cli("set-admin-password", "new-admin-pw")
	assert r.returncode == 0, r.stderr
	try:
		ok = requests.post(
			http_site.url("/api/method/login"),
			data={"usr": "Administrator", "pwd": "new-admin-pw"},
			timeout=10,
		)
		assert ok.json()["message"] == "Logged In"
		old = requests.post(
			http_site.url("/api/method/login"), data={"usr": "Administrator", "pwd": "admin"}, timeout=10
		)
		assert old.status_code == 401
	finally:
		assert http_site.cli("set-admin-password", "admin").returncode == 0

	r = http_site.cli("set-admin-password", "")
	assert r.returncode != 0 and "must not be empty" in r.stderr


def test_serve_bad_arguments(http_site):
	r = http_site.cli("serve", "--port", "0")
	assert r.returncode == 2 and "Invalid value" in r.stderr
	r = http_site.cli("serve", "--workers", "abc")
	assert r.returncode == 2
	r = http_site.cli("--site", "nowhere.localhost", "serve", site=False)
	assert r.returncode != 0 and "does not exist" in r.stderr
	if http_site.backend == "sqlite":
		r = http_site.cli("serve", "--workers", "16")
		assert r.returncode != 0 and "SQLite" in r.stderr


def test_serve_without_site_routes_by_host_header(http_site):
	from tests.helpers.server import FrappeServe, free_port

	port = free_port()
	server = FrappeServe(
		http_site.sites_path, port=port, workers=1, headers={"Host": f"{http_site.name}:{port}"}
	)
	with server:
		url = f"http://127.0.0.1:{port}/api/method/ping"
		r = requests.get(url, headers={"Host": f"{http_site.name}:{port}"}, timeout=2)
		assert r.json() == {"message": "pong"}
		r = requests.get(url, headers={"X-Frappe-Site-Name": http_site.name}, timeout=5)
		assert r.json() == {"message": "pong"}
		assert requests.get(url, headers={"Host": "unknown.example"}, timeout=5).status_code == 404
		assert requests.get(url, headers={"Host": ".."}, timeout=5).status_code in (400, 404)
