# Backups, following frappe/utils/backups.py (v15) `new_backup` and the restore half of
# frappe/commands/site.py: a consistent copy of the site's database, written by its dialect
# (SQLite's online backup API, or mysqldump), and the way back.
import datetime
import os

import frappe


def new_backup(backup_path=None):
	"""A consistent, restorable copy of the connected site's database; returns the file path."""
	stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S_%f")
	folder = backup_path or frappe.get_site_path("private", "backups")
	os.makedirs(folder, exist_ok=True)
	frappe.db.commit()
	return frappe.db.dialect.backup(frappe.local.conf, folder, f"{stamp}-{frappe.local.site}")


def restore_backup(path):
	"""Replace the connected site's database with a backup made by `new_backup`, and reconnect."""
	if not os.path.exists(path):
		raise frappe.ValidationError(f"Backup file {path} does not exist")
	frappe.db.close()
	try:
		frappe.db.dialect.restore(frappe.local.conf, path)
	finally:
		frappe.db.connect()
