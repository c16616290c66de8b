"""/api/method over real HTTP: form_dict, argument filtering, responses, errors and transactions,
as Frappe v15's app.py / handler.py / utils/response.py behave."""

import json

import pytest
import requests
from http_helpers import METHOD, server_messages, token_header, unique


def call(site, name, method="GET", **kwargs):
	return requests.request(method, site.url(METHOD + name), timeout=10, **kwargs)


class TestResponses:
	def test_return_value_goes_under_message(self, http_site):
		r = call(http_site, "add", params={"a": "2", "b": "3"})
		assert r.status_code == 200
		assert r.headers["Content-Type"].startswith("application/json")
		assert r.json() == {"message": {"sum": 5}}

	def test_none_gives_no_message_key_and_empty_list_is_kept(self, http_site):
		assert call(http_site, "returns_none").json() == {}
		assert call(http_site, "returns_empty_list").json() == {"message": []}

	def test_frappe_response_keys_and_status_code(self, http_site):
		r = call(http_site, "custom_response", method="POST")
		assert r.status_code == 201
		assert r.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}

	def test_json_handler_types(self, http_site):
		assert call(http_site, "typed_values").json()["message"] == {
			"date": "2026-01-02",
			"datetime": "2026-01-02 03:04:05",
			"decimal": 12.5,
			"time": "6:30:00",
		}

	def test_v1_prefix_and_ping(self, http_site):
		assert requests.get(http_site.url("/api/v1" + METHOD[4:] + "add?a=1"), timeout=10).json() == {
			"message": {"sum": 1}
		}
		assert requests.get(http_site.url("/api/method/ping"), timeout=10).json() == {"message": "pong"}

	def test_request_headers_remote_addr_and_raw_body(self, http_site):
		r = call(http_site, "request_info", method="POST", data="raw=1&x=2", headers={"X-Test-Header": "hi"})
		assert r.json()["message"] == {
			"method": "POST",
			"header": "hi",
			"remote_addr": "127.0.0.1",
			"body": "raw=1&x=2",
		}

	def test_override_whitelisted_methods_hook(self, http_site):
		assert call(http_site, "overridden").json() == {"message": "overridden"}


class TestFormDict:
	def test_query_string(self, http_site):
		body = call(http_site, "echo", params={"a": "1", "_": "cache-buster"}).json()["message"]
		assert body == {"a": "1", "cmd": "http_fixture.api.echo"}

	def test_form_body_merges_with_query_string(self, http_site):
		body = call(http_site, "echo", method="POST", params={"q": "1"}, data={"f": "2"}).json()["message"]
		assert body == {"q": "1", "f": "2", "cmd": "http_fixture.api.echo"}

	def test_json_body_replaces_query_string(self, http_site):
		body = call(http_site, "echo", method="POST", params={"q": "1"}, json={"n": 5, "nested": {"x": [1]}})
		assert body.json()["message"] == {"n": 5, "nested": {"x": [1]}, "cmd": "http_fixture.api.echo"}

	def test_json_list_becomes_data(self, http_site):
		body = call(http_site, "echo", method="POST", json=[1, 2]).json()["message"]
		assert body == {"data": [1, 2], "cmd": "http_fixture.api.echo"}

	def test_undeclared_arguments_are_dropped_unless_kwargs(self, http_site):
		assert call(http_site, "add", params={"a": "1", "b": "2", "junk": "x"}).json() == {
			"message": {"sum": 3}
		}
		r = call(http_site, "with_kwargs", params={"a": "1", "extra": "e"}).json()["message"]
		assert r == {"a": "1", "kwargs": {"extra": "e", "cmd": "http_fixture.api.with_kwargs"}}

	def test_type_hints_cast_and_check_arguments(self, http_site):
		ok = call(http_site, "typed", params={"count": "3", "ratio": "2.5", "flag": "1"}).json()["message"]
		assert ok == {"count": 3, "ratio": 2.5, "flag": True, "label": None, "types": ["int", "float"]}
		r = call(http_site, "typed", params={"count": "three"})
		assert r.status_code == 417 and r.json()["exc_type"] == "FrappeTypeError"
		assert "Argument 'count'" in r.json()["exception"]
		assert call(http_site, "typed", method="POST", json={"count": 2, "label": 5}).status_code == 417

	def test_missing_required_argument_is_a_server_error(self, http_site):
		r = call(http_site, "add", params={"b": "2"})
		assert r.status_code == 500
		assert r.json()["exc_type"] == "TypeError"


class TestErrors:
	@pytest.mark.parametrize(
		"kind,status,exc_type",
		[
			("validation", 417, "ValidationError"),
			("permission", 403, "PermissionError"),
			("missing", 404, "DoesNotExistError"),
			("duplicate", 409, "DuplicateEntryError"),
			("auth", 401, "AuthenticationError"),
			("plain", 500, "Exception"),
		],
	)
	def test_status_code_and_body(self, http_site, kind, status, exc_type):
		r = call(http_site, "raise_error", method="POST", json={"kind": kind})
		assert r.status_code == status, r.text
		body = r.json()
		assert body["exc_type"] == exc_type
		assert "message" not in body
		if status != 404:
			# allow_error_traceback defaults to on, as in Frappe's System Settings
			assert body["exception"].startswith(("frappe.exceptions.", "Exception"))
			assert isinstance(json.loads(body["exc"]), list)

	def test_throw_message_in_server_messages(self, http_site):
		body = call(http_site, "raise_error", params={"kind": "validation"}).json()
		messages = server_messages(body)
		assert messages[0]["message"] == "Amount must be positive"
		assert messages[0]["raise_exception"] == 1

	def test_not_whitelisted_is_403(self, http_site):
		r = call(http_site, "not_whitelisted")
		assert r.status_code == 403
		assert r.json()["exc_type"] == "PermissionError"

	def test_wrong_http_verb_is_403(self, http_site):
		r = call(http_site, "post_only")
		assert r.status_code == 403
		assert r.json()["exc_type"] == "PermissionError"
		assert call(http_site, "post_only", method="POST").json() == {"message": "posted"}

	def test_unknown_method_is_417(self, http_site):
		r = call(http_site, "no_such_function")
		assert r.status_code == 417
		assert "Failed to get method" in server_messages(r.json())[0]["message"]

	def test_unknown_api_route_is_404(self, http_site):
		r = requests.get(http_site.url("/api/nothing/here"), timeout=10)
		assert r.status_code == 404
		assert r.json()["exc_type"] == "DoesNotExistError"

	def test_malformed_json_body_is_a_server_error(self, http_site):
		# as Frappe: make_form_dict's json.loads raises before any validation
		r = call(
			http_site, "echo", method="POST", data="{not json", headers={"Content-Type": "application/json"}
		)
		assert r.status_code == 500
		assert r.json()["exc_type"] == "JSONDecodeError"

	def test_traceback_hidden_when_site_config_disables_it(self, http_site):
		http_site.update_config(allow_error_traceback=0)
		try:
			body = call(http_site, "raise_error", params={"kind": "plain"}).json()
			assert body["exc_type"] == "Exception"
			assert "exception" not in body and "exc" not in body
		finally:
			http_site.update_config(allow_error_traceback=None)


class TestTransactions:
	def test_post_commits(self, http_site):
		title = unique()
		assert call(http_site, "create_note", method="POST", json={"title": title}).status_code == 200
		assert http_site.note_exists(title)

	def test_get_rolls_back(self, http_site):
		title = unique()
		assert call(http_site, "create_note", params={"title": title}).json() == {"message": title}
		assert not http_site.note_exists(title)

	def test_get_keeps_what_the_method_committed(self, http_site):
		title = unique()
		assert call(http_site, "create_note_and_commit", params={"title": title}).status_code == 200
		assert http_site.note_exists(title)

	def test_error_rolls_back_post(self, http_site):
		title = unique()
		r = call(http_site, "create_note", method="POST", json={"title": title, "fail": 1})
		assert r.status_code == 417
		assert not http_site.note_exists(title)


class TestDownloads:
	def test_csv(self, http_site, manager):
		r = call(http_site, "download_csv", headers=token_header(manager))
		assert r.status_code == 200
		assert r.headers["Content-Type"].startswith("text/csv")
		assert 'filename="HTTP Note Export.csv"' in r.headers["Content-Disposition"]
		assert r.text == "title,amount\nfirst,10\n"

	def test_download(self, http_site, manager):
		r = call(http_site, "download_file", headers=token_header(manager))
		assert r.headers["Content-Type"].startswith("text/plain")
		assert r.headers["Content-Disposition"].startswith("attachment")
		assert r.text == "line one\nline two\n"

	def test_binary(self, http_site):
		r = call(http_site, "download_binary")
		assert r.headers["Content-Type"] == "application/octet-stream"
		assert r.content == bytes(range(8))

	def test_guest_cannot_download(self, http_site):
		assert call(http_site, "download_csv").status_code == 403
