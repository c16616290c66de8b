# Documents, following frappe/model/document.py (v15): the same constructor forms, the same hook order on
# insert/save, the same validations and exceptions. Field access and row values: model/base_document.py.
import datetime

import frappe
from frappe import _
from frappe.model.base_document import BaseDocument, get_controller, register_default_controller  # noqa: F401
from frappe.model.docstatus import DocStatus
from frappe.utils.data import cstr, get_datetime, now
from frappe.utils.password import get_decrypted_password, set_encrypted_password


class Document(BaseDocument):
	"""A Frappe document: `Document("DT", name)`, `Document({...})` or `Document(doctype="DT", **fields)`."""

	def __init__(self, *args, **kwargs):
		self.doctype = None
		self.name = None
		self.flags = frappe._dict()
		if args and args[0]:
			if isinstance(args[0], str):
				self.doctype = args[0]
				self.flags.for_update = kwargs.get("for_update")
				if len(args) == 1:
					self.name = self.doctype
				elif isinstance(args[1], dict):
					name = frappe.db.get_value(args[0], args[1], "name", order_by=None)
					if name is None:
						frappe.throw(
							_("{0} {1} not found").format(_(args[0]), args[1]), frappe.DoesNotExistError
						)
					self.name = name
				else:
					self.name = args[1]
				self.load_from_db()
				return
			if isinstance(args[0], dict):
				kwargs = dict(args[0])
		if kwargs:
			kwargs.pop("for_update", None)
			super().__init__(kwargs)
			self.init_child_tables()
			self.init_valid_columns()
			return
		raise ValueError("Illegal arguments")

	@property
	def is_locked(self):
		return False

	def load_from_db(self):
		meta = self.meta
		if meta.issingle:
			# tabSingles text as stored (Frappe does not cast it here), numbers fixed below; a Single never
			# saved is a new document's values (defaults, and the current time in every Time field)
			d = frappe.db.get_singles_dict(self.doctype, for_update=self.flags.for_update)
			if not d:
				d = frappe.new_doc(self.doctype, as_dict=True)
				d["name"] = self.doctype
				del d["__islocal"]
			self.flags.ignore_children = True
			BaseDocument.__init__(self, d)
			self.flags.pop("ignore_children", None)
			self.init_valid_columns()
			self._fix_numeric_types()
		else:
			d = frappe.db.get_value(
				self.doctype, self.name, "*", as_dict=1, for_update=self.flags.for_update, order_by=None
			)
			if not d:
				frappe.throw(
					_("{0} {1} not found").format(_(self.doctype), self.name), frappe.DoesNotExistError
				)
			self.__dict__.update(d)
		self.doctype = meta.name
		for df in meta.get_table_fields():
			if meta.issingle:
				children = []
			else:
				query = f"select * from `tab{df.options}` where `parent`=%s and `parenttype`=%s and `parentfield`=%s order by `idx` asc"
				if self.flags.for_update:
					query += " for update"
				children = frappe.db.sql(query, (self.name, self.doctype, df.fieldname), as_dict=True)
			self.set(df.fieldname, children)
		if hasattr(self, "__setup__"):
			self.__setup__()
		self._original_modified = self.modified

	def reload(self):
		self.load_from_db()
		return self

	# ---- hooks ------------------------------------------------------------------------------------
	def run_method(self, method, *args, **kwargs):
		"""Controller method, then doc_events handlers for this DocType and "*" (Document.hook)."""
		out = None
		fn = getattr(self, method, None)
		if fn and callable(fn):
			out = fn(*args, **kwargs)
		for handler in _doc_event_handlers(self.doctype, method):
			value = frappe.get_attr(handler)(self, method, *args, **kwargs)
			if isinstance(out, dict) and isinstance(value, dict):
				out.update(value)
			elif value is not None:
				out = value
		return out

	def run_before_save_methods(self):
		"""v15: validate/before_save on save, validate/before_submit on submit, before_cancel on cancel,
		before_update_after_submit on an update after submit."""
		action = getattr(self, "_action", "save")
		if action in ("save", "submit"):
			self.run_method("before_validate")
		if self.flags.ignore_validate:
			return
		if action == "save":
			self.run_method("validate")
			self.run_method("before_save")
		elif action == "submit":
			self.run_method("validate")
			self.run_method("before_submit")
		elif action == "cancel":
			self.run_method("before_cancel")
		elif action == "update_after_submit":
			self.run_method("before_update_after_submit")

	# ---- permissions ------------------------------------------------------------------------------
	def check_permission(self, permtype="read", permlevel=None):
		if self.flags.ignore_permissions or frappe.flags.in_install:
			return
		if not self.has_permission(permtype):
			self.raise_no_permission_to(permtype)

	def has_permission(self, permtype="read", verbose=False, user=None):
		from frappe.permissions import has_permission

		return has_permission(self.doctype, permtype, self, user=user)

	def raise_no_permission_to(self, perm_type):
		frappe.flags.error_message = (
			_("Insufficient Permission for {0}").format(self.doctype) + f" ({frappe.bold(_(perm_type))})"
		)
		raise frappe.PermissionError

	# ---- insert / save ----------------------------------------------------------------------------
	def _set_defaults(self):
		"""A new document takes a new document's values wherever it holds None; so do new child rows."""
		if frappe.flags.in_import:
			return
		if self.is_new():
			self.update_if_missing(frappe.new_doc(self.doctype, as_dict=True))
		for df in self.meta.get_table_fields():
			new_row = frappe.new_doc(df.options, parent_doc=self, parentfield=df.fieldname, as_dict=True)
			for d in self.get(df.fieldname) or []:
				if d.is_new():
					d.update_if_missing(new_row)

	def set_docstatus(self):
		for d in self.get_all_children():
			d.docstatus = self.docstatus

	def set_user_and_timestamp(self):
		self._original_modified = self.modified
		self.modified = now()
		self.modified_by = frappe.session.user
		if self.is_new() or not self.creation:
			self.creation = self.modified
			self.owner = self.owner or self.modified_by
		for d in self.get_all_children():
			d.modified = self.modified
			d.modified_by = self.modified_by
			if not d.owner:
				d.owner = self.owner
			if not d.creation:
				d.creation = self.creation

	def insert(
		self,
		ignore_permissions=None,
		ignore_links=None,
		ignore_if_duplicate=False,
		ignore_mandatory=None,
		set_name=None,
		set_child_names=True,
	):
		"""Insert with Frappe v15's order: defaults → timestamps → permission → before_insert → naming →
		before_validate/validate/before_save → mandatory/select/length → INSERT → after_insert/on_update → on_change."""
		if self.flags.in_print:
			return self
		self.flags.notifications_executed = []
		if ignore_permissions is not None:
			self.flags.ignore_permissions = ignore_permissions
		if ignore_links is not None:
			self.flags.ignore_links = ignore_links
		if ignore_mandatory is not None:
			self.flags.ignore_mandatory = ignore_mandatory
		self.set("__islocal", True)
		self._action = "save"
		self._set_defaults()
		self.set_user_and_timestamp()
		self.docstatus = 0
		self.set_docstatus()
		self._validate_links()
		self.check_permission("create")
		self.run_method("before_insert")
		if set_name:
			self.name = set_name
			self._name_set_by_caller = True
		elif self.get("__newname"):
			self.name = self.get("__newname")
			self._name_set_by_caller = True
		from frappe.model.naming import set_new_name

		set_new_name(self)
		self._name_set_by_caller = False
		self._set_child_parent_links(set_child_names)
		self.run_before_save_methods()
		self._validate()
		self.flags.in_insert = True
		frappe.flags.currently_saving = (frappe.flags.currently_saving or []) + [(self.doctype, self.name)]
		try:
			if self.meta.issingle:
				self.update_single(self.get_valid_dict())
			else:
				self.db_insert(ignore_if_duplicate=ignore_if_duplicate)
				for d in self.get_all_children():
					d.db_insert()
		finally:
			frappe.flags.currently_saving = [
				x for x in frappe.flags.currently_saving if x != (self.doctype, self.name)
			]
		self.run_method("after_insert")
		self.flags.in_insert = True
		self.run_post_save_methods()
		self.flags.in_insert = False
		self.__dict__.pop("__islocal", None)
		self.__dict__.pop("__unsaved", None)
		self._original_modified = self.modified
		return self

	def _set_child_parent_links(self, set_child_names=True):
		for d in self.get_all_children():
			d.parent = self.name
			d.parenttype = self.doctype
			if set_child_names and not d.name:
				from frappe.model.naming import make_autoname

				d.name = make_autoname("hash", d.doctype)

	def save(self, *args, **kwargs):
		return self._save(*args, **kwargs)

	def _save(self, ignore_permissions=None, ignore_version=None):
		if self.flags.in_print:
			return self
		self.flags.notifications_executed = []
		if ignore_permissions is not None:
			self.flags.ignore_permissions = ignore_permissions
		self.flags.ignore_version = frappe.flags.in_test if ignore_version is None else ignore_version
		if self.get("__islocal") or not self.get("name"):
			return self.insert()
		self._set_defaults()
		self.check_permission("write")
		self.set_user_and_timestamp()
		self.check_if_latest()
		self._validate_links()
		self._set_child_parent_links()
		self.run_before_save_methods()
		self._validate()
		frappe.flags.currently_saving = (frappe.flags.currently_saving or []) + [(self.doctype, self.name)]
		try:
			if self.meta.issingle:
				self.update_single(self.get_valid_dict())
			else:
				self.db_update()
				self.update_children()
		finally:
			frappe.flags.currently_saving = [
				x for x in frappe.flags.currently_saving if x != (self.doctype, self.name)
			]
		self.run_post_save_methods()
		self._original_modified = self.modified
		return self

	def update_single(self, d):
		frappe.db.sql("delete from `tabSingles` where `doctype`=%s", (self.doctype,))
		for field, value in d.items():
			if field == "doctype" or value is None:
				continue
			frappe.db.sql(
				"insert into `tabSingles` (`doctype`, `field`, `value`) values (%s, %s, %s)",
				(self.doctype, field, _single_text(value)),
			)
		frappe.db.value_cache = {k: v for k, v in frappe.db.value_cache.items() if k[0] != self.doctype}

	def update_children(self):
		for df in self.meta.get_table_fields():
			rows = self.get(df.fieldname) or []
			names = []
			for d in rows:
				d.parent, d.parenttype, d.parentfield = self.name, self.doctype, df.fieldname
				if not d.name or d.get("__islocal"):
					d.db_insert()
				else:
					d.db_update()
				names.append(d.name)
			if names:
				frappe.db.sql(
					"delete from `tab{}` where `parent`=%s and `parenttype`=%s and `parentfield`=%s and `name` not in ({})".format(
						df.options, ", ".join(["%s"] * len(names))
					),
					(self.name, self.doctype, df.fieldname, *names),
				)
			else:
				frappe.db.sql(
					f"delete from `tab{df.options}` where `parent`=%s and `parenttype`=%s and `parentfield`=%s",
					(self.name, self.doctype, df.fieldname),
				)

	def _validate(self):
		"""BaseDocument checks, run after the controller's validate (as Frappe does): mandatory, selects,
		non-negative, length; then passwords."""
		if getattr(self, "_action", None) == "update_after_submit":
			self.validate_update_after_submit()
		self._validate_mandatory()
		self._validate_selects()
		self._validate_non_negative()
		self._validate_length()
		self._sanitize_content()
		self._save_passwords()
		for d in self.get_all_children():
			d._validate_selects()
			d._validate_non_negative()
			d._validate_length()
			d._sanitize_content()
			d._save_passwords()

	def _validate_mandatory(self):
		if self.flags.ignore_mandatory:
			return
		missing = self._get_missing_mandatory_fields()
		for d in self.get_all_children():
			missing.extend(d._get_missing_mandatory_fields())
		if not missing:
			return
		for _fieldname, msg in missing:
			frappe.msgprint(msg)
		raise frappe.MandatoryError(
			"[{doctype}, {name}]: {fields}".format(
				fields=", ".join(each[0] for each in missing), doctype=self.doctype, name=self.name
			)
		)

	def _save_passwords(self):
		if self.flags.ignore_save_passwords is True:
			return
		for df in self.meta.get_password_fields():
			value = self.get(df.fieldname)
			if value and not is_dummy_password(value):
				set_encrypted_password(self.doctype, self.name, value, df.fieldname)
				self.set(df.fieldname, "*" * len(value))

	def get_password(self, fieldname="password", raise_exception=True):
		value = self.get(fieldname)
		if value and not is_dummy_password(value):
			return value
		return get_decrypted_password(self.doctype, self.name, fieldname, raise_exception=raise_exception)

	def check_if_latest(self):
		"""Locks the row (get_doc for_update) and refuses a save over a newer version (TimestampMismatchError);
		then, as v15, checks the docstatus transition from the stored one (which sets `_action`)."""
		self._action = "save"
		if self.get("__islocal") or not self.get("name") or self.meta.issingle:
			if self.meta.issingle and not self.get("__islocal"):
				self.load_doc_before_save()
			return
		self.load_doc_before_save()
		previous = self._doc_before_save
		if previous is None:
			frappe.throw(_("Record does not exist"))
		if self._original_modified and get_datetime(previous.modified) != get_datetime(
			self._original_modified
		):
			frappe.msgprint(
				_("Error: Document has been modified after you have opened it")
				+ (f" ({previous.modified}, {self.modified}). ")
				+ _("Please refresh to get the latest document."),
				raise_exception=frappe.TimestampMismatchError,
			)
		self.check_docstatus_transition(previous.docstatus)

	def check_docstatus_transition(self, to_docstatus):
		"""v15's valid transitions, from the stored docstatus `to_docstatus` to this document's: draft → draft
		(save), draft → submitted (submit), submitted → submitted (update after submit), submitted →
		cancelled (cancel)."""
		if not self.docstatus:
			self.docstatus = DocStatus.draft()
		if to_docstatus == DocStatus.draft():
			if self.docstatus.is_draft():
				self._action = "save"
			elif self.docstatus.is_submitted():
				self._action = "submit"
				self.check_permission("submit")
			elif self.docstatus.is_cancelled():
				raise frappe.DocstatusTransitionError(
					_("Cannot change docstatus from 0 (Draft) to 2 (Cancelled)")
				)
			else:
				raise frappe.ValidationError(_("Invalid docstatus"), self.docstatus)
		elif to_docstatus == DocStatus.submitted():
			if self.docstatus.is_submitted():
				self._action = "update_after_submit"
				self.check_permission("submit")
			elif self.docstatus.is_cancelled():
				self._action = "cancel"
				self.check_permission("cancel")
			elif self.docstatus.is_draft():
				raise frappe.DocstatusTransitionError(
					_("Cannot change docstatus from 1 (Submitted) to 0 (Draft)")
				)
			else:
				raise frappe.ValidationError(_("Invalid docstatus"), self.docstatus)
		elif to_docstatus == DocStatus.cancelled():
			raise frappe.ValidationError(_("Cannot edit cancelled document"))

	def rename(self, name: str, merge=False, force=False, validate_rename=True):
		"""Rename this document to `name` (frappe.rename_doc), then reload it (v15)."""
		from frappe.model.rename_doc import rename_doc

		self.name = rename_doc(doc=self, new=name, merge=merge, force=force, validate=validate_rename)
		self.reload()

	def submit(self):
		"""Submit the document: docstatus 1, then save (v15)."""
		self.docstatus = DocStatus.submitted()
		return self.save()

	def cancel(self):
		"""Cancel the document: docstatus 2, then save (v15)."""
		self.docstatus = DocStatus.cancelled()
		return self.save()

	def validate_update_after_submit(self):
		if self.flags.ignore_validate_update_after_submit:
			return
		self._validate_update_after_submit()
		for d in self.get_all_children():
			if d.is_new() and self.meta.get_field(d.parentfield).allow_on_submit:
				continue
			d._validate_update_after_submit()

	def load_doc_before_save(self, *, raise_exception=False):
		self._doc_before_save = None
		if self.get("__islocal"):
			return
		try:
			self._doc_before_save = frappe.get_doc(self.doctype, self.name, for_update=True)
		except frappe.DoesNotExistError:
			if raise_exception:
				raise
			frappe.clear_last_message()

	def get_doc_before_save(self):
		return getattr(self, "_doc_before_save", None)

	def has_value_changed(self, fieldname):
		previous = self.get_doc_before_save()
		if not previous:
			return True
		return previous.get(fieldname) != self.get(fieldname)

	def run_post_save_methods(self):
		action = getattr(self, "_action", "save")
		if action == "save" or self.flags.in_insert:
			self.run_method("on_update")
		elif action == "submit":
			self.run_method("on_update")
			self.run_method("on_submit")
		elif action == "cancel":
			self.run_method("on_cancel")
		elif action == "update_after_submit":
			self.run_method("on_update_after_submit")
		frappe.clear_document_cache(self.doctype, self.name)
		self.save_version()
		self.run_method("on_change")

	def save_version(self):
		"""A Version row with the diff against the document before this save (Version.update_version_info):
		none on insert, none when nothing changed, none in tests unless asked (save(ignore_version=False))."""
		if (
			not self.meta.track_changes
			or self.doctype == "Version"
			or self.flags.ignore_version
			or frappe.flags.in_install
			or (not self.get_doc_before_save() and frappe.flags.in_patch)
		):
			return
		version = frappe.new_doc("Version")
		if version.update_version_info(self.get_doc_before_save(), self):
			version.insert(ignore_permissions=True)

	# ---- other operations ---------------------------------------------------------------------------
	def db_set(self, fieldname, value=None, update_modified=True, notify=False, commit=False):
		"""Set and write without validation; stamps modified unless mid-save or update_modified=False."""
		if isinstance(fieldname, dict):
			self.update(fieldname)
		else:
			self.set(fieldname, value)
		if update_modified and (self.doctype, self.name) not in (frappe.flags.currently_saving or []):
			self.set("modified", now())
			self.set("modified_by", frappe.session.user)
		self.load_doc_before_save()
		self.run_method("before_change")
		frappe.db.set_value(
			self.doctype,
			self.name,
			fieldname,
			value,
			self.modified,
			self.modified_by,
			update_modified=update_modified,
		)
		self.run_method("on_change")
		if commit:
			frappe.db.commit()

	def add_comment(self, comment_type="Comment", text=None, comment_email=None, comment_by=None):
		"""A Comment on this document (inserted with ignore_permissions); returns it."""
		out = frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": comment_type,
				"comment_email": comment_email or frappe.session.user,
				"comment_by": comment_by,
				"reference_doctype": self.doctype,
				"reference_name": self.name,
				"content": text or comment_type,
			}
		).insert(ignore_permissions=True)
		return out

	def log_error(self, title=None, message=None):
		return frappe.log_error(
			title=title, message=message, reference_doctype=self.doctype, reference_name=self.name
		)

	def delete(self, ignore_permissions=False, force=False, *, delete_permanently=False):
		frappe.delete_doc(
			self.doctype,
			self.name,
			ignore_permissions=ignore_permissions,
			force=force,
			delete_permanently=delete_permanently,
		)

	def lock(self, timeout=None):
		pass

	def unlock(self):
		pass

	def get_title(self):
		title_field = self.meta.get("title_field") or "name"
		return self.get(title_field)

	def __repr__(self):
		return f"<{self.doctype}: {self.name}>"


register_default_controller(Document)


def _single_text(value):
	"""A value as MariaDB keeps it in tabSingles' text column when PyMySQL sends it (Frappe's update_single
	passes values as they are): a float as its shortest text ("3000", "1.5"), a bool as 1/0, a timedelta
	as HH:MM:SS[.ffffff]."""
	if isinstance(value, bool):
		return str(int(value))
	if isinstance(value, float):
		return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
	if isinstance(value, datetime.timedelta):
		seconds = int(value.total_seconds())
		text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
		return f"{text}.{value.microseconds:06d}" if value.microseconds else text
	if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
		return str(value)
	return cstr(value)


def is_dummy_password(pwd):
	return "".join(set(cstr(pwd))) == "*"


def _doc_event_handlers(doctype, method):
	events = frappe.get_hooks("doc_events", {})
	handlers = []
	for key, methods in events.items():
		match = key == "*" or key == doctype or (isinstance(key, tuple) and doctype in key)
		if match and method in methods:
			value = methods[method]
			handlers.extend(value if isinstance(value, list) else [value])
	return handlers
