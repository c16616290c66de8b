import frappe

EVENTS = []


def after_install():
	frappe.db.set_default("lite_fixture_installed", "yes")


def log_event(doc, method):
	EVENTS.append(f"doc_events:{method}")


def log_star(doc, method):
	if doc.doctype == "LF Item":
		EVENTS.append(f"doc_events*:{method}")
