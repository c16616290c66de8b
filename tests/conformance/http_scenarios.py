"""HTTP scenarios: requests a client would send, run against a served site with the probe app (frappe_lite's
`frappe-lite serve`, or a real bench's gunicorn), each returning the reply as a client sees it (status, the
JSON body with its types, a few headers), normalised. Written once; compared by compare.py.

A scenario takes `t`, a Target: `t.get/post/put/delete(path, auth=..., **requests kwargs)` where auth is
"manager" / "reader" / "plain" (token auth), "session:<kind>" (a logged-in session of that user), or None
(a guest); `t.tag` is unique to the run."""

import json

import requests
import typed

HTTP_SCENARIOS = []


def http_scenario(area):
	def register(fn):
		HTTP_SCENARIOS.append((area, fn.__name__, fn))
		return fn

	return register


class Target:
	def __init__(self, base_url, host, users, tag):
		self.base_url, self.host, self.users, self.tag = base_url.rstrip("/"), host, users, tag
		self._sessions = {}

	def session_for(self, kind):
		if kind not in self._sessions:
			s = requests.Session()
			u = self.users[kind]
			r = s.post(
				self.base_url + "/api/method/login",
				data={"usr": u["user"], "pwd": u["password"]},
				headers={"Host": self.host},
				timeout=30,
			)
			r.raise_for_status()
			self._sessions[kind] = s
		return self._sessions[kind]

	def request(self, method, path, auth="manager", headers=None, **kw):
		headers = {"Host": self.host, "Accept": "application/json", **(headers or {})}
		client = requests
		if auth and auth.startswith("session:"):
			client = self.session_for(auth.split(":", 1)[1])
		elif auth == "basic:manager":
			import base64

			u = self.users["manager"]
			token = base64.b64encode(f"{u['api_key']}:{u['api_secret']}".encode()).decode()
			headers["Authorization"] = f"Basic {token}"
		elif auth:
			u = self.users[auth]
			headers["Authorization"] = f"token {u['api_key']}:{u['api_secret']}"
		return client.request(
			method, self.base_url + path, headers=headers, timeout=60, allow_redirects=False, **kw
		)

	def get(self, path, **kw):
		return self.request("GET", path, **kw)

	def post(self, path, **kw):
		return self.request("POST", path, **kw)

	def put(self, path, **kw):
		return self.request("PUT", path, **kw)

	def delete(self, path, **kw):
		return self.request("DELETE", path, **kw)


def _decode_nested(body):
	"""Frappe's string-encoded JSON parts, decoded so they compare field by field (their being strings is kept
	as a `<json>` marker so a type change still shows)."""
	if not isinstance(body, dict):
		return body
	out = dict(body)
	if isinstance(out.get("_server_messages"), str):
		try:
			messages = json.loads(out["_server_messages"])
			out["_server_messages"] = [
				{"<json>": json.loads(m)} if isinstance(m, str) else m for m in messages
			]
		except ValueError:
			pass
	if isinstance(out.get("exc"), str):
		try:
			out["exc"] = {"<json>": json.loads(out["exc"])}
		except ValueError:
			pass
	if "_debug_messages" in out:
		out["_debug_messages"] = "<present>"
	return out


def reply(r, keys=None):
	"""What a client sees: the status, the content type, and the JSON body (or the text's first line)."""
	ctype = r.headers.get("Content-Type", "").split(";")[0]
	out = {"status": r.status_code, "content_type": ctype}
	try:
		body = r.json()
	except ValueError:
		text = r.text.strip()
		out["text"] = text.splitlines()[0][:200] if text else ""
		return out
	body = _decode_nested(body)
	if keys is not None and isinstance(body, dict):
		body = {k: body.get(k) for k in keys}
	out["body"] = body
	return out


def method(name):
	return f"/api/method/conformance_probe.api.{name}"


# ---------------------------------------------------------------- /api/method: calling and arguments


@http_scenario("method")
def ping_as_guest(t):
	return reply(t.get("/api/method/ping", auth=None))


@http_scenario("method")
def probe_ping_guest(t):
	return reply(t.get(method("ping"), auth=None))


@http_scenario("method")
def echo_query_args(t):
	return reply(t.get(method("echo"), params={"a": "1", "b": "x"}))


@http_scenario("method")
def echo_form_post(t):
	return reply(t.post(method("echo"), data={"a": "1", "b": "2"}))


@http_scenario("method")
def echo_json_body(t):
	return reply(t.post(method("echo"), json={"a": 1, "b": [1, 2]}))


@http_scenario("method")
def json_body_ignores_query(t):
	return reply(t.post(method("echo") + "?a=query", json={"b": "body"}))


@http_scenario("method")
def unknown_kwargs_dropped(t):
	return reply(t.get(method("echo"), params={"a": "1", "zzz": "2"}))


@http_scenario("method")
def kwargs_function_gets_cmd(t):
	return reply(t.get(method("echo_kwargs"), params={"x": "1"}))


@http_scenario("method")
def typed_values_json(t):
	return reply(t.get(method("typed")))


@http_scenario("method")
def none_return(t):
	return reply(t.get(method("returns_none")))


@http_scenario("method")
def zero_return(t):
	return reply(t.get(method("returns_zero")))


@http_scenario("method")
def msgprint_in_reply(t):
	return reply(t.get(method("msgprint_then_return")))


@http_scenario("method")
def status_code_override(t):
	return reply(t.get(method("set_status")))


@http_scenario("method")
def extra_response_keys(t):
	return reply(t.get(method("response_keys")))


@http_scenario("method")
def post_only_via_get(t):
	return reply(t.get(method("post_only")), keys=("exc_type", "message"))


@http_scenario("method")
def post_only_via_post(t):
	return reply(t.post(method("post_only")))


@http_scenario("method")
def get_only_via_post(t):
	return reply(t.post(method("get_only")), keys=("exc_type", "message"))


@http_scenario("method")
def override_whitelisted(t):
	return reply(t.get(method("overridden")))


@http_scenario("method")
def not_whitelisted(t):
	return reply(t.get(method("not_whitelisted")), keys=("exc_type", "_error_message"))


@http_scenario("method")
def unknown_method(t):
	return reply(t.get("/api/method/conformance_probe.api.no_such"), keys=("exc_type",))


@http_scenario("method")
def unknown_module(t):
	return reply(t.get("/api/method/no_such_module.fn"), keys=("exc_type",))


@http_scenario("method")
def type_hint_coercion(t):
	return reply(t.get(method("typed_args"), params={"count": "3", "ratio": "1.5"}))


@http_scenario("method")
def type_hint_refused(t):
	return reply(t.get(method("typed_args"), params={"count": "abc"}), keys=("exc_type", "_server_messages"))


@http_scenario("method")
def missing_argument(t):
	return reply(t.get(method("insert_category")), keys=("exc_type",))


@http_scenario("method")
def api_v1_prefix(t):
	return reply(t.get("/api/v1/method/conformance_probe.api.echo", params={"a": "v1"}))


@http_scenario("method")
def method_via_slash_path(t):
	return reply(t.get("/api/method/conformance_probe.api.echo/extra", params={"a": "s"}))


# ---------------------------------------------------------------- errors


@http_scenario("errors")
def throw_validation(t):
	return reply(t.get(method("throw_validation")))


@http_scenario("errors")
def throw_plain(t):
	return reply(t.get(method("throw_plain")))


@http_scenario("errors")
def raise_permission(t):
	return reply(t.get(method("raise_permission")))


@http_scenario("errors")
def throw_permission(t):
	return reply(t.get(method("throw_permission")))


@http_scenario("errors")
def raise_missing(t):
	return reply(t.get(method("raise_missing")))


@http_scenario("errors")
def raise_key_error(t):
	return reply(t.get(method("raise_key_error")))


@http_scenario("errors")
def raise_duplicate(t):
	return reply(t.get(method("raise_duplicate")))


@http_scenario("errors")
def msgprint_then_throw(t):
	return reply(t.get(method("msgprint_then_throw")))


@http_scenario("errors")
def bad_json_body(t):
	return reply(
		t.post(method("echo"), data="{not json", headers={"Content-Type": "application/json"}),
		keys=("exc_type",),
	)


# ---------------------------------------------------------------- transactions per request


@http_scenario("transactions")
def get_rolls_back(t):
	name = f"http-{t.tag}-get"
	first = reply(t.get(method("insert_category"), params={"category_name": name}))
	return {"call": first, "exists": reply(t.get(method("category_exists"), params={"category_name": name}))}


@http_scenario("transactions")
def post_commits(t):
	name = f"http-{t.tag}-post"
	first = reply(t.post(method("insert_category"), data={"category_name": name}))
	out = {"call": first, "exists": reply(t.get(method("category_exists"), params={"category_name": name}))}
	t.post(method("delete_category"), data={"category_name": name})
	return out


@http_scenario("transactions")
def error_rolls_back(t):
	name = f"http-{t.tag}-err"
	first = reply(t.post(method("insert_then_throw"), data={"category_name": name}), keys=("exc_type",))
	return {"call": first, "exists": reply(t.get(method("category_exists"), params={"category_name": name}))}


@http_scenario("transactions")
def get_with_commit_flag_commits(t):
	name = f"http-{t.tag}-getcommit"
	first = reply(t.get(method("insert_category_get_commit"), params={"category_name": name}))
	out = {"call": first, "exists": reply(t.get(method("category_exists"), params={"category_name": name}))}
	t.post(method("delete_category"), data={"category_name": name})
	return out


# ---------------------------------------------------------------- authentication, guests, sessions, CSRF


@http_scenario("auth")
def whoami_token(t):
	return reply(t.get(method("whoami")))


@http_scenario("auth")
def whoami_basic(t):
	return reply(t.get(method("whoami"), auth="basic:manager"))


@http_scenario("auth")
def whoami_session(t):
	return reply(t.get(method("whoami"), auth="session:reader"))


@http_scenario("auth")
def guest_on_private_method(t):
	return reply(t.get(method("whoami"), auth=None))


@http_scenario("auth")
def guest_html_sanitised(t):
	return reply(
		t.get(method("guest_echo"), auth=None, params={"text": "<b onclick='x()'>hi</b><script>x()</script>"})
	)


@http_scenario("auth")
def user_html_not_sanitised(t):
	return reply(t.get(method("guest_echo"), params={"text": "<b>hi</b><script>x()</script>"}))


@http_scenario("auth")
def bad_token(t):
	return reply(
		t.get(method("whoami"), auth=None, headers={"Authorization": "token nokey:nosecret"}),
		keys=("exc_type",),
	)


@http_scenario("auth")
def wrong_secret(t):
	key = t.users["manager"]["api_key"]
	return reply(
		t.get(method("whoami"), auth=None, headers={"Authorization": f"token {key}:wrong"}),
		keys=("exc_type",),
	)


@http_scenario("auth")
def login_reply(t):
	u = t.users["reader"]
	r = t.post("/api/method/login", auth=None, data={"usr": u["user"], "pwd": u["password"]})
	out = reply(r)
	out["cookies"] = sorted(r.cookies.keys())
	return out


@http_scenario("auth")
def login_json_body(t):
	u = t.users["reader"]
	return reply(t.post("/api/method/login", auth=None, json={"usr": u["user"], "pwd": u["password"]}))


@http_scenario("auth")
def login_wrong_password(t):
	u = t.users["reader"]
	return reply(t.post("/api/method/login", auth=None, data={"usr": u["user"], "pwd": "wrong"}))


@http_scenario("auth")
def login_unknown_user(t):
	return reply(t.post("/api/method/login", auth=None, data={"usr": "nobody@probe.example", "pwd": "x"}))


@http_scenario("auth")
def logout_then_call(t):
	s = requests.Session()
	u = t.users["plain"]
	base, host = t.base_url, {"Host": t.host, "Accept": "application/json"}
	s.post(
		base + "/api/method/login", data={"usr": u["user"], "pwd": u["password"]}, headers=host, timeout=30
	)
	before = reply(s.get(base + method("whoami"), headers=host, timeout=30))
	out = reply(s.post(base + "/api/method/logout", headers=host, timeout=30))
	after = reply(s.get(base + method("whoami"), headers=host, timeout=30), keys=("exc_type",))
	return {"before": before, "logout": out, "after": after}


@http_scenario("auth")
def session_post_without_csrf(t):
	return reply(t.post(method("echo"), auth="session:reader", data={"a": "1"}), keys=("exc_type", "message"))


@http_scenario("auth")
def logged_user_method(t):
	return reply(t.get("/api/method/frappe.auth.get_logged_user", auth="session:reader"))


@http_scenario("auth")
def logged_user_token(t):
	return reply(t.get("/api/method/frappe.auth.get_logged_user"))


# ---------------------------------------------------------------- /api/resource


def _doc_body(r):
	"""A document reply with its volatile keys reduced to their types."""
	out = reply(r)
	body = out.get("body")
	if isinstance(body, dict) and isinstance(body.get("data"), dict):
		data = dict(body["data"])
		out["body"] = {"data": data}
	return out


def _make_record(t, **values):
	r = t.post(
		"/api/resource/Probe Record",
		json={"title": f"r-{t.tag}", "items": [{"item_name": "a", "qty": 2, "rate": 1.5}], **values},
	)
	return r.json()["data"]["name"]


@http_scenario("resource")
def resource_create(t):
	return _doc_body(
		t.post(
			"/api/resource/Probe Record",
			json={
				"title": f"c-{t.tag}",
				"int_field": "4",
				"currency_field": 2.5,
				"date_field": "2024-01-05",
				"datetime_field": "2024-01-05 10:30:00",
				"time_field": "10:30:00",
				"items": [{"item_name": "a", "qty": 2, "rate": 1.5}],
			},
		)
	)


@http_scenario("resource")
def resource_read(t):
	name = _make_record(t, int_field=3, datetime_field="2024-01-05 10:30:00", time_field="10:30:00")
	return _doc_body(t.get(f"/api/resource/Probe Record/{name}"))


@http_scenario("resource")
def resource_read_missing(t):
	return reply(t.get(f"/api/resource/Probe Record/nope-{t.tag}"))


@http_scenario("resource")
def resource_update(t):
	name = _make_record(t)
	return _doc_body(t.put(f"/api/resource/Probe Record/{name}", json={"int_field": 9, "title": "updated"}))


@http_scenario("resource")
def resource_delete(t):
	name = _make_record(t)
	r = reply(t.delete(f"/api/resource/Probe Record/{name}"))
	return {"delete": r, "read": reply(t.get(f"/api/resource/Probe Record/{name}"), keys=("exc_type",))}


@http_scenario("resource")
def resource_list_default(t):
	_make_record(t)
	r = t.get("/api/resource/Probe Record", params={"filters": json.dumps([["title", "=", f"r-{t.tag}"]])})
	return reply(r)


@http_scenario("resource")
def resource_list_fields_order(t):
	for i in (1, 2, 3):
		_make_record(t, int_field=i, title=f"l-{t.tag}")
	r = t.get(
		"/api/resource/Probe Record",
		params={
			"filters": json.dumps({"title": f"l-{t.tag}"}),
			"fields": json.dumps(["int_field", "currency_field", "date_field"]),
			"order_by": "int_field desc",
			"limit_page_length": 2,
		},
	)
	return reply(r)


@http_scenario("resource")
def resource_list_as_dict_false(t):
	_make_record(t, int_field=5, title=f"d-{t.tag}")
	r = t.get(
		"/api/resource/Probe Record",
		params={
			"filters": json.dumps({"title": f"d-{t.tag}"}),
			"fields": json.dumps(["int_field"]),
			"as_dict": 0,
		},
	)
	return reply(r)


@http_scenario("resource")
def resource_list_bad_filters(t):
	return reply(t.get("/api/resource/Probe Record", params={"filters": "{bad"}), keys=("exc_type",))


@http_scenario("resource")
def resource_create_invalid(t):
	return reply(t.post("/api/resource/Probe Strict", json={"short": "x"}))


@http_scenario("resource")
def resource_single(t):
	r = reply(t.get("/api/resource/Probe Settings/Probe Settings"))
	data = (r.get("body") or {}).get("data")
	if isinstance(data, dict):
		r["body"]["data"] = {
			k: v
			for k, v in data.items()
			if k in ("name", "doctype", "enabled", "threshold", "fee", "label", "docstatus")
		}
	return r


@http_scenario("resource")
def resource_unknown_doctype(t):
	return reply(t.get("/api/resource/No Such DocType"), keys=("exc_type",))


@http_scenario("resource_permissions")
def reader_lists(t):
	_make_record(t, title=f"p-{t.tag}")
	r = t.get(
		"/api/resource/Probe Record", auth="reader", params={"filters": json.dumps({"title": f"p-{t.tag}"})}
	)
	out = reply(r)
	return out


@http_scenario("resource_permissions")
def reader_reads(t):
	name = _make_record(t)
	r = reply(t.get(f"/api/resource/Probe Record/{name}", auth="reader"))
	if isinstance(r.get("body"), dict) and isinstance(r["body"].get("data"), dict):
		r["body"] = {"data_name_ok": r["body"]["data"].get("name") == name}
	return r


@http_scenario("resource_permissions")
def reader_creates(t):
	return reply(
		t.post("/api/resource/Probe Record", auth="reader", json={"title": "x"}),
		keys=("exc_type", "_error_message"),
	)


@http_scenario("resource_permissions")
def reader_updates(t):
	name = _make_record(t)
	return reply(
		t.put(f"/api/resource/Probe Record/{name}", auth="reader", json={"title": "x"}), keys=("exc_type",)
	)


@http_scenario("resource_permissions")
def reader_deletes(t):
	name = _make_record(t)
	return reply(t.delete(f"/api/resource/Probe Record/{name}", auth="reader"), keys=("exc_type",))


@http_scenario("resource_permissions")
def plain_lists(t):
	return reply(t.get("/api/resource/Probe Record", auth="plain"), keys=("exc_type", "_error_message"))


@http_scenario("resource_permissions")
def plain_reads(t):
	name = _make_record(t)
	return reply(t.get(f"/api/resource/Probe Record/{name}", auth="plain"), keys=("exc_type",))


@http_scenario("resource_permissions")
def guest_lists(t):
	return reply(t.get("/api/resource/Probe Record", auth=None), keys=("exc_type",))


@http_scenario("resource_permissions")
def guest_reads(t):
	name = _make_record(t)
	return reply(t.get(f"/api/resource/Probe Record/{name}", auth=None), keys=("exc_type",))


# ---------------------------------------------------------------- /api/v2


@http_scenario("v2")
def v2_method(t):
	return reply(t.get("/api/v2/method/conformance_probe.api.echo", params={"a": "v2"}))


@http_scenario("v2")
def v2_method_error(t):
	return reply(t.get("/api/v2/method/conformance_probe.api.throw_plain"))


@http_scenario("v2")
def v2_document_read(t):
	name = _make_record(t, int_field=2)
	r = reply(t.get(f"/api/v2/document/Probe Record/{name}"))
	data = (r.get("body") or {}).get("data")
	if isinstance(data, dict):
		r["body"]["data"] = {k: data.get(k) for k in ("int_field", "doctype", "docstatus", "title")}
	return r


@http_scenario("v2")
def v2_document_list(t):
	_make_record(t, title=f"v2-{t.tag}")
	return reply(
		t.get(
			"/api/v2/document/Probe Record",
			params={"filters": json.dumps({"title": f"v2-{t.tag}"}), "fields": json.dumps(["title"])},
		)
	)


@http_scenario("v2")
def v2_ping(t):
	return reply(t.get("/api/v2/method/ping", auth=None))


# ---------------------------------------------------------------- misc


@http_scenario("misc")
def not_found_path(t):
	r = t.get("/api/nothing-here")
	return {"status": r.status_code}


@http_scenario("misc")
def get_doc_via_client(t):
	name = _make_record(t, int_field=6)
	r = reply(
		t.get(
			"/api/method/frappe.client.get_value",
			params={
				"doctype": "Probe Record",
				"filters": json.dumps({"name": name}),
				"fieldname": "int_field",
			},
		)
	)
	return r


def run_all(target, only=()):
	results = {}
	repl = {target.tag: "<tag>"}
	for area, name, fn in HTTP_SCENARIOS:
		if only and name not in only:
			continue
		entry = {"area": area}
		try:
			entry["result"] = typed.encode(fn(target), repl)
		except Exception as e:
			entry["raised"] = typed.describe_exception(e, repl)
		results[name] = entry
	return results
