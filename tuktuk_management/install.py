"""Install hooks: seed TukTuk Settings and generate the per-site callback secret."""

import secrets

import frappe

from tuktuk_management.settings import DEFAULTS, SETTINGS


def after_install():
	seed_settings()


def after_migrate():
	seed_settings()


def seed_settings():
	"""Fill every unset TukTuk Settings value with its default and make sure a callback secret exists.
	Values an operator has set are never touched."""
	doc = frappe.get_single(SETTINGS)
	for fieldname, default in DEFAULTS.items():
		if doc.get(fieldname) in (None, ""):
			doc.set(fieldname, default)
	if not doc.get_password("callback_secret", raise_exception=False):
		# Hex: the secret rides in the callback URLs, and M-Pesa refuses URLs containing words like "exe",
		# "cmd" or "sql" (about 1 urlsafe token in 250 would); hex digits can never spell one.
		doc.callback_secret = secrets.token_hex(32)
	doc.flags.ignore_permissions = True
	doc.save()
	# Boundary: install-time configuration is complete.
	frappe.db.commit()
