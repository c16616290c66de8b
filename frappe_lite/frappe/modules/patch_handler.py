# Patches, following frappe/modules/patch_handler.py (v15): `<app>/patches.txt` lists dotted modules whose
# `execute()` runs once per site; the raw `tabPatch Log` table records what ran.
import frappe


def get_patches_from_app(app):
	"""The patches listed in the app's patches.txt (comments and [section] lines skipped)."""
	path = frappe.get_app_path(app, "patches.txt")
	try:
		with open(path) as f:
			lines = [line.strip() for line in f.read().splitlines()]
	except FileNotFoundError:
		return []
	return [line for line in lines if line and not line.startswith(("#", "["))]


def executed(patchmodule):
	return bool(frappe.db.sql("select `name` from `tabPatch Log` where `name`=%s", (patchmodule[:140],)))


def update_patch_log(patchmodule):
	frappe.db.sql(
		"insert into `tabPatch Log` (`name`, `patch`, `creation`) values (%s, %s, %s)",
		(patchmodule[:140], patchmodule, frappe.utils.now()),
	)


def run_all_for(app):
	"""Run the app's patches that have not run yet, each committed with its log row."""
	for patch in get_patches_from_app(app):
		if executed(patch):
			continue
		frappe.get_attr(patch.split()[0] + ".execute")()
		update_patch_log(patch)
		frappe.db.commit()


def set_all_patches_as_completed(app):
	"""A fresh install starts with every patch of the app marked as run (installer.install_app)."""
	for patch in get_patches_from_app(app):
		if not executed(patch):
			update_patch_log(patch)
