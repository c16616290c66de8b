import frappe

EVENTS = []


def after_install():
	frappe.db.set_default("lite_fixture_installed", "yes")


def before_migrate():
	frappe.db.set_default(
		"lite_fixture_migrations", str(int(frappe.db.get_default("lite_fixture_migrations") or 0) + 1)
	)


def after_migrate():
	# runs after the schema sync: the hook sees the synced tables
	assert frappe.db.has_column("LF Item", "title")
	frappe.db.set_default("lite_fixture_after_migrate", frappe.db.get_default("lite_fixture_migrations"))


def log_event(doc, method):
	EVENTS.append(f"doc_events:{method}")


def log_star(doc, method):
	if doc.doctype == "LF Item":
		EVENTS.append(f"doc_events*:{method}")
