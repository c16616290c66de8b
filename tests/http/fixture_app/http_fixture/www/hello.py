import frappe

no_cache = 1


def get_context(context):
	context.name = frappe.form_dict.name or "world"
	context.note_count = frappe.db.count("HTTP Note")
