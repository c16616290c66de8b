# User controller (subset of frappe/core/doctype/user/user.py): email is the name; roles via Has Role.
import frappe
from frappe.model.document import Document

STANDARD_USERS = ("Guest", "Administrator")


class User(Document):
	def autoname(self):
		if self.name not in STANDARD_USERS:
			self.email = (self.email or "").strip().lower()
			self.name = self.email

	def validate(self):
		self.full_name = " ".join(filter(None, [self.first_name, self.last_name]))
		if self.name in STANDARD_USERS and self.has_value_changed("enabled") and not self.enabled:
			frappe.throw(frappe._("{0} cannot be disabled").format(self.name))

	def on_update(self):
		from frappe.permissions import clear_roles_cache

		clear_roles_cache()

	def add_roles(self, *roles):
		existing = {d.role for d in self.get("roles")}
		for role in roles:
			if role not in existing:
				self.append("roles", {"role": role})
		self.save()

	def remove_roles(self, *roles):
		self.set("roles", [d for d in self.get("roles") if d.role not in roles])
		self.save()
