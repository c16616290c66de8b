# Role-based permissions from DocPerm rows, following frappe/permissions.py (v15), permlevel 0 only.
import frappe

AUTOMATIC_ROLES = ("Administrator", "Guest", "All", "Desk User")
# DocPerm field defaults (core/doctype/docperm/docperm.json), used when a JSON row leaves a right out.
_DOCPERM_DEFAULTS = {
	"read": 1,
	"write": 1,
	"create": 1,
	"delete": 1,
	"submit": 0,
	"cancel": 0,
	"amend": 0,
	"report": 1,
	"export": 1,
	"import": 0,
	"share": 1,
	"print": 1,
	"email": 1,
	"select": 0,
}


def get_roles(user=None, with_standard=True):
	"""Roles of `user` (default: session user). Administrator has every role; Guest only Guest."""
	user = user or frappe.session.user
	try:
		cache = frappe.local.user_roles_cache
	except AttributeError:
		cache = frappe.local.user_roles_cache = {}
	if user in cache:
		return cache[user]
	if user == "Guest":
		roles = ["Guest"]
	elif user == "Administrator":
		roles = frappe.get_all("Role", pluck="name") + ["Administrator"]
		roles = list(dict.fromkeys(roles + ["All", "Guest"]))
	else:
		roles = frappe.db.sql_list(
			"select `role` from `tabHas Role` where `parent`=%s and `parenttype`='User' and `role` not in ('All', 'Guest')",
			(user,),
		)
		roles = roles + ["All", "Guest"]
		if frappe.db.get_value("User", user, "user_type") == "System User":
			roles.append("Desk User")
	cache[user] = roles
	return roles


def clear_roles_cache():
	try:
		frappe.local.user_roles_cache = {}
	except Exception:
		pass


def get_doctype_roles(doctype, access_type="read"):
	meta = frappe.get_meta(doctype)
	return [p.role for p in meta.permissions if _right(p, access_type) and not p.get("permlevel")]


def _right(perm, ptype):
	if ptype == "select":
		return perm.get("select", 0) or perm.get("read", _DOCPERM_DEFAULTS["read"])
	return perm.get(ptype, _DOCPERM_DEFAULTS.get(ptype, 0))


def has_permission(
	doctype, ptype="read", doc=None, user=None, print_logs=False, raise_exception=True, parent_doctype=None
):
	"""True if one of the user's roles has `ptype` on `doctype` (if_owner rows only for the doc's owner).

	As v15 (`print_has_permission_check_logs`): with `raise_exception` (the default), a refusal of the session
	user's own permission is explained by one message joining the reasons collected on the way."""
	self_check = not user or user == frappe.session.user
	if raise_exception:
		frappe.flags.has_permission_check_logs = []
	result = _has_permission(doctype, ptype, doc, user or frappe.session.user)
	if not result and self_check and raise_exception:
		frappe.msgprint("<br>".join(frappe.flags.get("has_permission_check_logs") or []))
	if raise_exception:
		frappe.flags.pop("has_permission_check_logs", None)
	return result


def push_perm_check_log(log):
	if frappe.flags.get("has_permission_check_logs") is None:
		return
	frappe.flags.has_permission_check_logs.append(log)


def _role_permission(meta, roles, ptype, doc, user):
	for perm in meta.permissions:
		if perm.get("permlevel"):
			continue
		if perm.get("role") not in roles or not _right(perm, ptype):
			continue
		if perm.get("if_owner") and doc is not None and getattr(doc, "owner", None) != user:
			continue
		return True
	return False


def _has_permission(doctype, ptype, doc, user):
	if user == "Administrator":
		return True
	meta = frappe.get_meta(doctype)
	roles = set(get_roles(user))
	if isinstance(doc, str):
		doc = frappe.get_doc(doctype, doc)
	_ = frappe._
	if doc is not None:
		perm = _role_permission(meta, roles, ptype, doc, user)
		if not perm:
			msg = _("User {0} does not have access to this document").format(frappe.bold(user))
			if frappe.has_permission(doc.doctype):
				msg += f": {_(doc.doctype)} - {doc.name}"
			push_perm_check_log(msg)
		return perm
	if ptype == "submit" and not meta.is_submittable:
		push_perm_check_log(_("Document Type is not submittable"))
		return False
	perm = _role_permission(meta, roles, ptype, None, user)
	if not perm:
		push_perm_check_log(
			_("User {0} does not have doctype access via role permission for document {1}").format(
				frappe.bold(user), frappe.bold(_(doctype))
			)
		)
	return perm
