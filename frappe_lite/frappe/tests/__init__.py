# frappe.tests, as Frappe v15's package: the testing API lives in frappe.tests.utils.
import frappe

global_test_dependencies = ["User"]


def update_system_settings(args, commit=False):
	doc = frappe.get_doc("System Settings")
	doc.update(args)
	doc.flags.ignore_mandatory = 1
	doc.save()
	if commit:
		# the caller asked for the settings to outlive its transaction
		frappe.db.commit()


def get_system_setting(key):
	return frappe.db.get_single_value("System Settings", key)
