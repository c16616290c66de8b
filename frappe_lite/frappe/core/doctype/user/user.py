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
		self.check_roles_added()
		self.set_system_user()

	def check_roles_added(self):
		"""As v15: a new System User without roles gets an orange "No Roles Specified" message."""
		if self.user_type != "System User" or self.get("roles") or not self.is_new():
			return
		frappe.msgprint(
			frappe._("Newly created user {0} has no roles enabled.").format(frappe.bold(self.name)),
			title=frappe._("No Roles Specified"),
			indicator="orange",
			primary_action={
				"label": frappe._("Add Roles"),
				"client_action": "frappe.set_route",
				"args": ["Form", self.doctype, self.name],
			},
		)

	def set_system_user(self):
		"""As v15 (without User Type documents): Administrator is a System User, Guest a Website User, anyone
		else a System User only when one of their roles has desk access."""
		fixed = {"Administrator": "System User", "Guest": "Website User"}
		if self.name in fixed:
			self.user_type = fixed[self.name]
		else:
			self.user_type = "System User" if self.has_desk_access() else "Website User"

	def has_desk_access(self):
		roles = [d.role for d in self.get("roles") or []]
		if not roles:
			return False
		return bool(frappe.db.count("Role", {"desk_access": 1, "name": ["in", roles]}))

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
