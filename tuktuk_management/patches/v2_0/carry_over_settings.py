"""[post_model_sync] The original's settings, carried into ours (field map: docs/upgrading.md).

- consumer key: the original kept it encrypted as ``mpesa_api_key``; ours is the plain ``mpesa_consumer_key``;
- consumer secret: ``mpesa_api_secret`` -> ``mpesa_consumer_secret`` (re-encrypted under its new name);
- initiator name: a Password in the original (its ``tabSingles`` value is only asterisks), plain Data in
  ours: decrypted into the field, its ``__Auth`` row removed (TukTuk Legacy Settings keeps a copy);
- security credential, initiator password, paybill, targets, fare, hours, target sharing, last reset date:
  same fields, kept as they are;
- the original called Safaricom's production API (hard-coded), registered C2B URLs with v2: so
  ``mpesa_environment`` = production and ``c2b_register_version`` = v2 (ours would default to sandbox/v1);
- the original paid every share at once whatever ``b2c_enabled``/``instant_payouts_enabled`` said (it never
  read them; both default 0): both are switched on when the credentials to pay are all there, else payouts
  wait On Hold and an Error Log says what is missing;
- ``site_url`` (where M-Pesa calls back): this site's URL, when not set.
Only fields still empty in ours are filled (a re-run changes nothing), and nothing is saved through the
document (a save would validate and rewrite the whole Single): values are written one by one."""

import frappe
from frappe.utils import get_url
from frappe.utils.password import get_decrypted_password, remove_encrypted_password, set_encrypted_password

from tuktuk_management.patches.v2_0.original_app import SETTINGS, is_original_site, report

PLACEHOLDERS = {"your_api_key_here", "your_api_secret_here"}


def _original_secret(field):
	value = get_decrypted_password(SETTINGS, SETTINGS, field, raise_exception=False)
	return None if not value or value in PLACEHOLDERS else value


def _set(field, value, done):
	if value in (None, ""):
		return
	current = frappe.db.get_single_value(SETTINGS, field)
	if current not in (None, ""):
		return
	frappe.db.set_single_value(SETTINGS, field, value)
	done[field] = value


def _set_password(field, value, done):
	if not value or get_decrypted_password(SETTINGS, SETTINGS, field, raise_exception=False):
		return
	set_encrypted_password(SETTINGS, SETTINGS, value, field)
	frappe.db.set_single_value(SETTINGS, field, "*" * len(value))
	done[field] = "(encrypted)"


def execute():
	if not is_original_site():
		return
	done = {}
	_set("mpesa_consumer_key", _original_secret("mpesa_api_key"), done)
	_set_password("mpesa_consumer_secret", _original_secret("mpesa_api_secret"), done)
	initiator = get_decrypted_password(SETTINGS, SETTINGS, "mpesa_initiator_name", raise_exception=False)
	stored = frappe.db.get_single_value(SETTINGS, "mpesa_initiator_name") or ""
	if initiator and (not stored or set(stored) == {"*"}):
		frappe.db.set_single_value(SETTINGS, "mpesa_initiator_name", initiator)
		done["mpesa_initiator_name"] = initiator
	if initiator:
		remove_encrypted_password(SETTINGS, SETTINGS, "mpesa_initiator_name")
	_set("mpesa_environment", "production", done)
	_set("c2b_register_version", "v2", done)
	_set("site_url", get_url().rstrip("/"), done)

	missing = [
		label
		for label, present in (
			("consumer key", frappe.db.get_single_value(SETTINGS, "mpesa_consumer_key")),
			(
				"consumer secret",
				get_decrypted_password(SETTINGS, SETTINGS, "mpesa_consumer_secret", raise_exception=False),
			),
			("initiator name", frappe.db.get_single_value(SETTINGS, "mpesa_initiator_name")),
			(
				"security credential or initiator password",
				get_decrypted_password(SETTINGS, SETTINGS, "mpesa_security_credential", raise_exception=False)
				or get_decrypted_password(
					SETTINGS, SETTINGS, "mpesa_initiator_password", raise_exception=False
				),
			),
			("paybill", frappe.db.get_single_value(SETTINGS, "mpesa_paybill")),
		)
		if not present
	]
	if missing:
		frappe.log_error(
			title="Upgrade: Payouts Held",
			message="The original app paid drivers at once; this site cannot until TukTuk Settings has: "
			+ ", ".join(missing)
			+ ". Until then every payout waits On Hold (release them with Release Held Payouts).",
		)
	else:
		for field in ("b2c_enabled", "instant_payouts_enabled"):
			frappe.db.set_single_value(SETTINGS, field, 1)
			done[field] = 1
	report("settings", {"carried_over": done, "payouts_held_for_missing": missing})
