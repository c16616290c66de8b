"""Run by build.sh with the BENCH env's python, in sites/ (never imported by the checkout's tests).

    python site_setup.py prepare SITE            before install-app: what the setup wizard would have set
    python site_setup.py app-installed SITE      prints 1 if tuktuk_management is installed on SITE, else 0
    python site_setup.py finish SITE ...         after install-app/migrate: manager user + API keys, the
                                                 reference driver DRV-112001, scheduler on; prints JSON facts

Idempotent: what exists is kept (an existing API secret is read back, not regenerated)."""

import json
import sys

import frappe

MANAGER_ROLE = "TukTuk Manager"


def connect(site):
	frappe.init(site=site, sites_path=".")
	frappe.connect()


def prepare(site):
	"""A site made without the setup wizard has setup_complete unset (Desk then redirects every page to the
	wizard) and no time zone or currency: set what the wizard would."""
	connect(site)
	ss = frappe.get_single("System Settings")
	ss.update(
		{
			"country": "Kenya",
			"time_zone": "Africa/Nairobi",
			"language": ss.language or "en",
			"setup_complete": 1,
		}
	)
	ss.flags.ignore_mandatory = True
	ss.save(ignore_permissions=True)
	if frappe.db.exists("Currency", "KES"):
		frappe.db.set_value("Currency", "KES", "enabled", 1)
	frappe.db.set_default("currency", "KES")
	ensure_wizard_user()
	frappe.db.set_default("desktop:home_page", "workspace")
	for user in ("Administrator", "Guest"):
		frappe.db.set_value("User", user, "time_zone", "Africa/Nairobi")
	frappe.db.commit()
	print(f"{site}: setup_complete=1, time_zone=Africa/Nairobi, currency=KES")


def ensure_wizard_user():
	"""The setup wizard makes its first user a System Manager. Without one, Frappe makes the first System User
	inserted on a setup-complete site a System Manager (User.add_system_manager_role: "there must be atleast
	one System Manager"), which a site that went through the wizard never does."""
	email = "owner@tuktuk.realbench"
	if frappe.db.exists("User", email):
		return
	user = frappe.new_doc("User")
	user.update({"email": email, "first_name": "Site", "last_name": "Owner", "user_type": "System User"})
	user.append_roles("System Manager")
	user.flags.no_welcome_mail = True
	user.insert(ignore_permissions=True)


def app_installed(site):
	connect(site)
	print(1 if "tuktuk_management" in frappe.get_installed_apps() else 0)


def ensure_manager(email, password):
	from frappe.utils.password import get_decrypted_password, update_password

	if not frappe.db.exists("User", email):
		user = frappe.new_doc("User")
		user.update(
			{"email": email, "first_name": "Realbench", "last_name": "Manager", "user_type": "System User"}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	if MANAGER_ROLE not in [r.role for r in user.roles]:
		user.append_roles(MANAGER_ROLE)
	user.enabled = 1
	user.time_zone = "Africa/Nairobi"
	user.save(ignore_permissions=True)
	update_password(email, password)
	secret = None
	if user.api_key:
		secret = get_decrypted_password("User", email, "api_secret", raise_exception=False)
	if not (user.api_key and secret):
		user.api_key = user.api_key or frappe.generate_hash(length=15)
		secret = frappe.generate_hash(length=15)
		user.api_secret = secret
		user.save(ignore_permissions=True)
	return user.api_key, secret


def ensure_reference_driver():
	"""DRV-112001, the driver the reference document's console lines use: made through the app's normal path
	(a TukTuk Driver insert; the DocType names it format:DRV-112{###}, so the site's first driver is it)."""
	name = "DRV-112001"
	if not frappe.db.exists("TukTuk Driver", name):
		doc = frappe.get_doc(
			{
				"doctype": "TukTuk Driver",
				"driver_first_name": "Reference",
				"driver_last_name": "Driver",
				"mpesa_number": "254712112001",
			}
		).insert()
		if doc.name != name:
			raise SystemExit(
				f"the reference driver was named {doc.name}, not {name}: this site had drivers before; "
				"rebuild the site (REALBENCH_FRESH_SITE=1 make realbench)"
			)
	return name


def finish(site, manager_email, manager_password):
	connect(site)
	frappe.set_user("Administrator")
	api_key, api_secret = ensure_manager(manager_email, manager_password)
	driver = ensure_reference_driver()
	frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
	frappe.db.commit()
	print(
		json.dumps(
			{
				"manager": {
					"user": manager_email,
					"password": manager_password,
					"api_key": api_key,
					"api_secret": api_secret,
				},
				"reference_driver": driver,
				"frappe_version": frappe.__version__,
			}
		)
	)


if __name__ == "__main__":
	command, site, *rest = sys.argv[1:]
	try:
		{"prepare": prepare, "app-installed": app_installed, "finish": finish}[command](site, *rest)
	finally:
		if getattr(frappe.local, "db", None):
			frappe.destroy()
