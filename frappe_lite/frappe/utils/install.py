# What installing Frappe itself puts in a new site, following frappe/utils/install.py (v15)
# install_basic_docs / after_install: the standard roles, Administrator and Guest, Administrator's
# password, and System Settings (time zone; scheduler off, as on a new bench site).
import frappe
from frappe.utils.password import update_password

STANDARD_ROLES = ("Administrator", "System Manager", "Guest", "All", "Desk User")
DEFAULT_TIME_ZONE = "Africa/Nairobi"


def install_basic_docs(admin_password="admin", time_zone=DEFAULT_TIME_ZONE):
	db = frappe.db
	for role in STANDARD_ROLES:
		if not db.exists("Role", role):
			frappe.get_doc(
				{"doctype": "Role", "role_name": role, "desk_access": 0 if role == "Guest" else 1}
			).insert(ignore_permissions=True)
	for name, email, first in (
		("Administrator", "admin@example.com", "Administrator"),
		("Guest", "guest@example.com", "Guest"),
	):
		if not db.exists("User", name):
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": first,
					"enabled": 1,
					"user_type": "System User",
				}
			)
			if name == "Administrator":
				user.append("roles", {"role": "Administrator"})
				user.append("roles", {"role": "System Manager"})
			else:
				user.append("roles", {"role": "Guest"})
			user.insert(ignore_permissions=True, set_name=name)
	settings = frappe.get_single("System Settings")
	settings.time_zone = time_zone
	settings.enable_scheduler = 0
	settings.flags.ignore_permissions = True
	settings.save()
	frappe.local.system_timezone = None
	db.commit()
	update_password("Administrator", admin_password)
