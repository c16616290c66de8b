import frappe


def execute():
	frappe.db.set_default("lite_fixture_patch_ran", "yes")
