"""Whitelisted methods that exercise frappe_lite's request cycle (used by tests/http)."""

import frappe


@frappe.whitelist(allow_guest=True)
def whoami():
	return {"user": frappe.session.user, "roles": sorted(frappe.get_roles())}


@frappe.whitelist()
def whoami_user():
	return frappe.session.user


@frappe.whitelist()
def manager_only():
	frappe.only_for("HTTP Manager")
	return "manager ok"


@frappe.whitelist(allow_guest=True)
def echo():
	return {key: value for key, value in frappe.form_dict.items()}


@frappe.whitelist(allow_guest=True)
def add(a, b=0):
	return {"sum": int(a) + int(b)}


@frappe.whitelist(allow_guest=True)
def with_kwargs(a=None, **kwargs):
	return {"a": a, "kwargs": kwargs}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def post_only():
	return "posted"


def not_whitelisted():
	return "never"


@frappe.whitelist(allow_guest=True)
def returns_none():
	return None


@frappe.whitelist(allow_guest=True)
def returns_empty_list():
	return []


@frappe.whitelist(allow_guest=True)
def custom_response():
	frappe.response["ResultCode"] = 0
	frappe.response["ResultDesc"] = "Accepted"
	frappe.response["http_status_code"] = 201


@frappe.whitelist(allow_guest=True)
def typed_values():
	import datetime
	from decimal import Decimal

	return {
		"date": datetime.date(2026, 1, 2),
		"datetime": datetime.datetime(2026, 1, 2, 3, 4, 5),
		"decimal": Decimal("12.50"),
		"time": datetime.timedelta(hours=6, minutes=30),
	}


@frappe.whitelist(allow_guest=True)
def raise_error(kind):
	if kind == "validation":
		frappe.throw("Amount must be positive")
	if kind == "permission":
		frappe.throw("Not for you", frappe.PermissionError)
	if kind == "missing":
		frappe.get_doc("HTTP Note", "no-such-note")
	if kind == "duplicate":
		frappe.get_doc({"doctype": "HTTP Note", "title": "dup"}).insert(ignore_permissions=True)
		frappe.get_doc({"doctype": "HTTP Note", "title": "dup"}).insert(ignore_permissions=True)
	if kind == "auth":
		raise frappe.AuthenticationError
	if kind == "plain":
		raise Exception("boom")
	if kind == "url":  # an error quoting the request's URL (secrets in its query string included)
		raise Exception(f"failed on {frappe.request.url}")
	return "no error"


@frappe.whitelist(allow_guest=True)
def create_note(title, fail=0):
	frappe.get_doc({"doctype": "HTTP Note", "title": title, "amount": 10}).insert(ignore_permissions=True)
	if int(fail):
		frappe.throw("failed after insert")
	return title


@frappe.whitelist(allow_guest=True)
def create_note_and_commit(title):
	frappe.get_doc({"doctype": "HTTP Note", "title": title}).insert(ignore_permissions=True)
	frappe.db.commit()
	return title


@frappe.whitelist()
def download_csv():
	frappe.response["result"] = "title,amount\nfirst,10\n"
	frappe.response["doctype"] = "HTTP Note Export"
	frappe.response["type"] = "csv"


@frappe.whitelist()
def download_file():
	frappe.response["filename"] = "statement.txt"
	frappe.response["filecontent"] = "line one\nline two\n"
	frappe.response["type"] = "download"


@frappe.whitelist(allow_guest=True)
def download_binary():
	frappe.response["filename"] = "blob.bin"
	frappe.response["filecontent"] = bytes(range(8))
	frappe.response["type"] = "binary"


@frappe.whitelist(allow_guest=True, methods=["POST"])
def request_info():
	return {
		"method": frappe.request.method,
		"header": frappe.request.headers.get("X-Test-Header"),
		"remote_addr": frappe.request.remote_addr,
		"body": frappe.request.get_data(as_text=True),
	}


@frappe.whitelist(allow_guest=True)
def override_target():
	return "overridden"


@frappe.whitelist(allow_guest=True)
def overridden():
	return "original"


@frappe.whitelist(allow_guest=True)
def typed(count: int, ratio: float = 1.0, flag: bool = False, label: str | None = None):
	"""Annotated arguments are validated and cast by pydantic during a request (Frappe v15)."""
	return {
		"count": count,
		"ratio": ratio,
		"flag": flag,
		"label": label,
		"types": [type(count).__name__, type(ratio).__name__],
	}
