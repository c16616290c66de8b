"""Whitelisted methods the HTTP scenarios call: each shows one part of Frappe's request and error contract."""

import datetime
from decimal import Decimal

import frappe


@frappe.whitelist(allow_guest=True)
def ping():
	return "pong"


@frappe.whitelist()
def whoami():
	return {
		"user": frappe.session.user,
		"roles": sorted(r for r in frappe.get_roles() if r.startswith("Probe") or r == "System Manager"),
	}


@frappe.whitelist(allow_guest=True)
def guest_echo(text=None):
	return {"user": frappe.session.user, "text": text}


@frappe.whitelist()
def echo(a=None, b=None):
	return {"a": a, "b": b}


@frappe.whitelist()
def echo_kwargs(**kwargs):
	return {k: kwargs[k] for k in sorted(kwargs)}


@frappe.whitelist()
def typed():
	return {
		"date": datetime.date(2024, 1, 5),
		"datetime": datetime.datetime(2024, 1, 5, 10, 30, 15, 123456),
		"time": datetime.timedelta(hours=6, minutes=5),
		"decimal": Decimal("12.50"),
		"float": 1.25,
		"int": 3,
		"none": None,
		"bool": True,
		"list": [1, "a"],
	}


@frappe.whitelist()
def returns_none():
	return None


@frappe.whitelist()
def returns_zero():
	return 0


@frappe.whitelist()
def throw_validation():
	frappe.throw(frappe._("Bad {0} given").format(frappe.bold("value")), title="Probe Failed")


@frappe.whitelist()
def throw_plain():
	frappe.throw("Plain failure")


@frappe.whitelist()
def raise_permission():
	raise frappe.PermissionError


@frappe.whitelist()
def throw_permission():
	frappe.throw("Not for you", frappe.PermissionError)


@frappe.whitelist()
def raise_missing():
	frappe.get_doc("Probe Category", "does-not-exist")


@frappe.whitelist()
def raise_key_error():
	return {}["missing"]


@frappe.whitelist()
def raise_duplicate():
	raise frappe.DuplicateEntryError("Probe Category", "dup")


@frappe.whitelist()
def msgprint_then_return():
	frappe.msgprint("First note")
	frappe.msgprint("Second note", title="Heads up", indicator="orange")
	return 1


@frappe.whitelist()
def msgprint_then_throw():
	frappe.msgprint("Before failing")
	frappe.throw("Then failed")


@frappe.whitelist(methods=["POST"])
def post_only():
	return "posted"


@frappe.whitelist(methods=["GET"])
def get_only():
	return "got"


@frappe.whitelist()
def overridden():
	return "original"


@frappe.whitelist()
def override_target():
	return "override"


def not_whitelisted():
	return "secret"


@frappe.whitelist()
def set_status():
	frappe.response["http_status_code"] = 201
	return "created"


@frappe.whitelist()
def insert_category(category_name):
	doc = frappe.get_doc({"doctype": "Probe Category", "category_name": category_name}).insert()
	return doc.name


@frappe.whitelist()
def insert_then_throw(category_name):
	frappe.get_doc({"doctype": "Probe Category", "category_name": category_name}).insert()
	frappe.throw("after insert")


@frappe.whitelist()
def category_exists(category_name):
	return bool(frappe.db.exists("Probe Category", category_name))


@frappe.whitelist()
def delete_category(category_name):
	frappe.delete_doc("Probe Category", category_name, ignore_missing=True)
	frappe.db.commit()


@frappe.whitelist()
def typed_args(count: int, ratio: float | None = None):
	return {"count": count, "count_type": type(count).__name__, "ratio": ratio}


@frappe.whitelist()
def response_keys():
	frappe.response["extra"] = "x"
	return "m"


@frappe.whitelist()
def insert_category_get_commit(category_name):
	"""A GET that asks to be committed (frappe.local.flags.commit), as the app's door does."""
	frappe.local.flags.commit = True
	return frappe.get_doc({"doctype": "Probe Category", "category_name": category_name}).insert().name
