"""Install hooks: seed TukTuk Settings from its DocType's defaults and generate the per-site callback secret."""

import secrets

import frappe
from frappe.utils.password import get_decrypted_password, set_encrypted_password

from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import SETTINGS


def after_install():
	seed_settings(installing=True)


def after_migrate():
	seed_settings()


def seed_settings(installing: bool = False):
	"""Fill every unset TukTuk Settings value with its default from the DocType JSON and make sure a callback
	secret exists. Values an operator has set are never touched.

	Frappe v15 builds a Single with ``frappe.new_doc``, which sets every Time field to the current time
	whatever its default (frappe/model/create_new.py ``set_dynamic_default_values``), and ``install_app``
	saves every Single that way (installer.py ``post_install`` -> ``init_singles``) BEFORE the app's
	``after_install`` runs. So at install (``installing``), and for a Single never saved at all, the Time
	defaults (the business day's start and end) are written explicitly.

	Values are written one by one, not by saving the document: an install or a migrate must never fail on
	the settings' validation (an upgraded site may hold settings an operator still has to complete; the
	health check reports those), and a save would rewrite the whole Single."""
	# What is set is read from the table itself, never from a cached document: a cached copy can hold
	# values the table no longer has, and seeding would then skip them.
	stored = frappe.db.get_singles_dict(SETTINGS)
	never_saved = installing or not stored
	values = {}
	for df in frappe.get_meta(SETTINGS).fields:
		default = df.get("default")
		if default in (None, ""):
			continue
		if stored.get(df.fieldname) in (None, "") or (never_saved and df.fieldtype == "Time"):
			values[df.fieldname] = typed_default(df.fieldtype, default)
	if values:
		frappe.db.set_single_value(SETTINGS, values)
	if not get_decrypted_password(SETTINGS, SETTINGS, "callback_secret", raise_exception=False):
		# Hex: the secret rides in the callback URLs, and M-Pesa refuses URLs containing words like "exe",
		# "cmd" or "sql" (about 1 urlsafe token in 250 would); hex digits can never spell one.
		secret = secrets.token_hex(32)
		# As Document._save_passwords stores a Password field: encrypted in __Auth, asterisks in the Single.
		set_encrypted_password(SETTINGS, SETTINGS, secret, "callback_secret")
		frappe.db.set_single_value(SETTINGS, "callback_secret", "*" * len(secret))
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	# Boundary: install-time configuration is complete.
	frappe.db.commit()


def typed_default(fieldtype: str, default):
	"""A JSON default (always text) as the field's value type: validation compares numbers, and a Single that
	lacks a field (one added since the site last saved it, or a site upgraded from the original app) gets
	its default here, not from ``frappe.new_doc``."""
	if fieldtype in ("Int", "Check"):
		return int(default)
	if fieldtype in ("Currency", "Float", "Percent"):
		return float(default)
	return default
