"""[pre_model_sync] Keep the original's settings that our TukTuk Settings has no field for, before anything
saves TukTuk Settings.

Saving a Single deletes all its ``tabSingles`` rows and writes back only the fields of its current DocType,
so the first save after the migrate (our ``after_migrate`` seeds defaults) would erase the original's SMS,
telematics, rental and bonus settings. They are copied, as they are, to TukTuk Legacy Settings (same field
names): plain values from ``tabSingles``, Password fields as their encrypted ``__Auth`` rows (the site's
encryption key still opens them). The M-Pesa credentials our settings store under other names (consumer
key and secret, initiator name) are copied too: carry_over_settings moves them after the sync."""

import frappe

from tuktuk_management.patches.v2_0.original_app import LEGACY_SETTINGS, SETTINGS, is_original_site, report

PLAIN = (
	"global_rental_initial",
	"global_rental_hourly",
	"bonus_enabled",
	"bonus_amount",
	"enable_sms_notifications",
	"enable_email_notifications",
	"sms_provider",
	"textsms_partner_id",
	"textsms_sender_id",
	"africastalking_username",
	"africastalking_sender_id",
	"telematics_api_url",
	"update_interval",
)
PASSWORDS = (
	"mpesa_api_key",
	"mpesa_api_secret",
	"mpesa_initiator_name",
	"textbee_api_key",
	"textsms_api_key",
	"africastalking_api_key",
	"telematics_api_key",
	"telematics_api_secret",
)


def execute():
	if not is_original_site():
		return
	kept = []
	for field in PLAIN + PASSWORDS:
		row = frappe.db.sql("select value from `tabSingles` where doctype=%s and field=%s", (SETTINGS, field))
		if not row:
			continue
		frappe.db.sql("delete from `tabSingles` where doctype=%s and field=%s", (LEGACY_SETTINGS, field))
		frappe.db.sql(
			"insert into `tabSingles` (doctype, field, value) values (%s, %s, %s)",
			(LEGACY_SETTINGS, field, row[0][0]),
		)
		kept.append(field)
	secrets = []
	for field in PASSWORDS:
		auth = frappe.db.sql(
			"select password, encrypted from `__Auth` where doctype=%s and name=%s and fieldname=%s",
			(SETTINGS, SETTINGS, field),
		)
		if not auth:
			continue
		frappe.db.sql(
			"delete from `__Auth` where doctype=%s and name=%s and fieldname=%s",
			(LEGACY_SETTINGS, LEGACY_SETTINGS, field),
		)
		frappe.db.sql(
			"insert into `__Auth` (doctype, name, fieldname, password, encrypted) values (%s, %s, %s, %s, %s)",
			(LEGACY_SETTINGS, LEGACY_SETTINGS, field, auth[0][0], auth[0][1]),
		)
		secrets.append(field)
	report("original_settings_kept", {"values": kept, "encrypted": secrets})
