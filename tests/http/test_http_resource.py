"""/api/resource/<DocType>: list and read with DocPerm checks, and the write verbs (Frappe v15 api/v1.py)."""

import json

import pytest
import requests
from http_helpers import token_header, unique

NOTES = "/api/resource/HTTP Note"


@pytest.fixture(scope="module")
def notes(http_site):
	"""Three notes committed for this module (titles share a unique prefix)."""
	prefix = unique("list")
	titles = [f"{prefix}-{i}" for i in range(3)]
	with http_site.connect() as frappe:
		for i, title in enumerate(titles):
			frappe.get_doc(
				{"doctype": "HTTP Note", "title": title, "amount": 10 * (i + 1), "status": "Open"}
			).insert(ignore_permissions=True)
		frappe.db.commit()
	return prefix, titles


def get(site, path, user=None, **params):
	headers = token_header(user) if user else {}
	return requests.get(site.url(path), params=params, headers=headers, timeout=10)


class TestList:
	def test_reader_lists_with_fields_filters_order_and_limit(self, http_site, reader, notes):
		prefix, titles = notes
		r = get(
			http_site,
			NOTES,
			reader,
			fields=json.dumps(["name", "amount"]),
			filters=json.dumps({"title": ["like", f"{prefix}%"]}),
			order_by="amount desc",
			limit_page_length=2,
		)
		assert r.status_code == 200, r.text
		assert r.json() == {
			"data": [{"name": titles[2], "amount": 30.0}, {"name": titles[1], "amount": 20.0}]
		}

	def test_filters_as_list_and_limit_alias(self, http_site, reader, notes):
		prefix, titles = notes
		r = get(
			http_site,
			NOTES,
			reader,
			filters=json.dumps([["title", "like", f"{prefix}%"], ["amount", ">", 15]]),
			limit=1,
		)
		assert len(r.json()["data"]) == 1

	def test_default_is_names_only(self, http_site, manager, notes):
		prefix, titles = notes
		data = get(http_site, NOTES, manager, filters=json.dumps({"title": ["like", f"{prefix}%"]})).json()[
			"data"
		]
		assert sorted(data, key=lambda d: d["name"]) == [{"name": t} for t in titles]

	def test_default_limit_is_20(self, http_site, manager, notes):
		with http_site.connect() as frappe:
			for _ in range(21 - frappe.db.count("HTTP Note")):
				frappe.get_doc({"doctype": "HTTP Note", "title": unique("bulk")}).insert(
					ignore_permissions=True
				)
			frappe.db.commit()
		assert len(get(http_site, NOTES, manager).json()["data"]) == 20

	def test_user_without_role_is_403(self, http_site, plain):
		r = get(http_site, NOTES, plain)
		assert r.status_code == 403
		assert r.json()["exc_type"] == "PermissionError"
		# as Frappe v15's frappe.has_permission(throw=True) behind DatabaseQuery (checked on a real bench by
		# tests/conformance: resource_permissions/plain_lists)
		assert r.json()["_error_message"] == "No permission for HTTP Note"

	def test_guest_is_403(self, http_site):
		assert get(http_site, NOTES).status_code == 403

	def test_bad_filters_json_is_a_500_json_decode_error(self, http_site, reader):
		# as v15 (checked on a real bench by tests/conformance: resource/resource_list_bad_filters)
		r = get(http_site, NOTES, reader, filters="{bad")
		assert r.status_code == 500 and r.json()["exc_type"] == "JSONDecodeError"

	def test_unknown_doctype_is_404(self, http_site, manager):
		assert get(http_site, "/api/resource/No Such Type", manager).status_code in (404, 417)


class TestRead:
	def test_reader_reads_one(self, http_site, reader, notes):
		_, titles = notes
		r = get(http_site, f"{NOTES}/{titles[0]}", reader)
		assert r.status_code == 200
		data = r.json()["data"]
		assert data["name"] == titles[0] and data["doctype"] == "HTTP Note" and data["amount"] == 10.0

	def test_missing_is_404(self, http_site, reader):
		r = get(http_site, f"{NOTES}/does-not-exist", reader)
		assert r.status_code == 404
		assert r.json()["exc_type"] == "DoesNotExistError"

	def test_no_role_is_403(self, http_site, plain, notes):
		_, titles = notes
		assert get(http_site, f"{NOTES}/{titles[0]}", plain).status_code == 403


class TestWrite:
	def test_create_update_delete_as_manager(self, http_site, manager):
		title = unique("rest")
		r = requests.post(
			http_site.url(NOTES),
			json={"title": title, "amount": 5},
			headers=token_header(manager),
			timeout=10,
		)
		assert r.status_code == 200, r.text
		assert r.json()["data"]["name"] == title
		assert http_site.note_exists(title)

		r = requests.put(
			http_site.url(f"{NOTES}/{title}"),
			json={"status": "Closed"},
			headers=token_header(manager),
			timeout=10,
		)
		assert r.json()["data"]["status"] == "Closed"

		r = requests.delete(http_site.url(f"{NOTES}/{title}"), headers=token_header(manager), timeout=10)
		assert r.status_code == 202
		assert r.json() == {"data": "ok"}
		assert not http_site.note_exists(title)

	def test_delete_of_a_linked_note_is_417(self, http_site, manager):
		"""v15 delete_doc refuses while another document links to it: LinkExistsError, 417, Frappe's message."""
		first, second = unique("linked"), unique("linking")
		for title, follows in ((first, None), (second, first)):
			r = requests.post(
				http_site.url(NOTES),
				json={"title": title, "follows": follows},
				headers=token_header(manager),
				timeout=10,
			)
			assert r.status_code == 200, r.text
		r = requests.delete(http_site.url(f"{NOTES}/{first}"), headers=token_header(manager), timeout=10)
		assert r.status_code == 417, r.text
		body = r.json()
		assert body["exc_type"] == "LinkExistsError"
		message = json.loads(json.loads(body["_server_messages"])[0])["message"]
		assert message == (
			f'Cannot delete or cancel because HTTP Note <a href="/app/Form/HTTP Note/{first}">{first}</a>'
			f' is linked with HTTP Note <a href="/app/Form/HTTP Note/{second}">{second}</a> '
		)
		assert http_site.note_exists(first)  # the failed request rolled back
		for title in (second, first):
			r = requests.delete(http_site.url(f"{NOTES}/{title}"), headers=token_header(manager), timeout=10)
			assert r.status_code == 202, r.text

	def test_reader_cannot_create(self, http_site, reader):
		title = unique("rest")
		r = requests.post(
			http_site.url(NOTES), json={"title": title}, headers=token_header(reader), timeout=10
		)
		assert r.status_code == 403
		assert r.json()["_error_message"] == "Insufficient Permission for HTTP Note (<strong>create</strong>)"
		assert not http_site.note_exists(title)

	def test_reader_cannot_update_or_delete(self, http_site, reader, notes):
		# DocPerm write/delete honoured on PUT and DELETE as v15 does (api/v1.py update_doc -> doc.save ->
		# check_permission("write"); delete_doc -> check_permission_and_not_submitted): 403, nothing changes.
		_prefix, titles = notes
		title = titles[0]
		r = requests.put(
			http_site.url(f"{NOTES}/{title}"), json={"amount": 999}, headers=token_header(reader), timeout=10
		)
		assert r.status_code == 403, r.text
		assert r.json()["_error_message"] == "Insufficient Permission for HTTP Note (<strong>write</strong>)"
		r = requests.delete(http_site.url(f"{NOTES}/{title}"), headers=token_header(reader), timeout=10)
		assert r.status_code == 403, r.text
		assert http_site.note_exists(title)
		with http_site.connect() as frappe:
			assert frappe.db.get_value("HTTP Note", title, "amount") == 10
