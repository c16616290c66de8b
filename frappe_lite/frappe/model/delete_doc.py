# frappe.delete_doc, following frappe/model/delete_doc.py (v15). For each name: passwords dropped, the row
# locked without waiting, permission and "not submitted" checked, on_trash then on_change, the link checks
# (unless force), the rows deleted (the document's and its child rows), after_delete, and after the
# commit the rows that only refer to it (Comment, Version) are deleted.
# Left out: DocType documents, attachments, Deleted Document archiving, naming-series reverts, feed and
# realtime updates (frappe_lite has none of these).
import frappe
from frappe import _
from frappe.model.docstatus import DocStatus
from frappe.model.dynamic_links import get_dynamic_link_map
from frappe.model.rename_doc import get_link_fields
from frappe.utils.password import delete_all_passwords_for


def delete_doc(
	doctype=None,
	name=None,
	force=0,
	ignore_doctypes=None,
	for_reload=False,
	ignore_permissions=False,
	flags=None,
	ignore_on_trash=False,
	ignore_missing=True,
	delete_permanently=False,
):
	"""Delete a document (or a list of names) unless it is submitted or other documents link to it."""
	if not ignore_doctypes:
		ignore_doctypes = []
	if not doctype:
		doctype = frappe.form_dict.get("dt")
		name = frappe.form_dict.get("dn")

	names = [name] if isinstance(name, str | int) else name
	for name in names or []:
		# already deleted..?
		if not frappe.db.exists(doctype, name):
			if not ignore_missing:
				raise frappe.DoesNotExistError
			return False

		delete_all_passwords_for(doctype, name)

		# lock the row without waiting for another writer
		try:
			frappe.db.get_value(doctype, name, for_update=True, wait=False)
		except frappe.QueryTimeoutError:
			frappe.throw(
				_(
					"This document can not be deleted right now as it's being modified by another user. Please try again after some time."
				),
				exc=frappe.QueryTimeoutError,
			)
		doc = frappe.get_doc(doctype, name)

		if not for_reload:
			update_flags(doc, flags, ignore_permissions)
			check_permission_and_not_submitted(doc)

			if not ignore_on_trash:
				doc.run_method("on_trash")
				doc.flags.in_delete = True
				doc.run_method("on_change")

			if not force:
				try:
					check_if_doc_is_linked(doc)
					check_if_doc_is_dynamically_linked(doc)
				except frappe.LinkExistsError as e:
					if doc.meta.has_field("enabled") or doc.meta.has_field("disabled"):
						frappe.throw(
							_("You can disable this {0} instead of deleting it.").format(_(doctype)),
							frappe.LinkExistsError,
						)
					else:
						raise e

		delete_from_table(doctype, name, ignore_doctypes, doc)
		doc.run_method("after_delete")

		if not for_reload:
			# after the commit, as Frappe: every linked document was checked above
			frappe.enqueue(
				"frappe.model.delete_doc.delete_dynamic_links",
				doctype=doc.doctype,
				name=doc.name,
				now=frappe.flags.in_test,
				enqueue_after_commit=True,
			)

		frappe.clear_document_cache(doctype, name)


def delete_from_table(doctype, name, ignore_doctypes, doc):
	if doctype != "DocType" and doctype == name:
		frappe.db.delete("Singles", {"doctype": name})
	else:
		frappe.db.delete(doctype, {"name": name})
	child_doctypes = {df.options for df in doc.meta.get_table_fields()}
	for child_doctype in child_doctypes - set(ignore_doctypes):
		frappe.db.delete(child_doctype, {"parenttype": doctype, "parent": name})


def update_flags(doc, flags=None, ignore_permissions=False):
	if ignore_permissions:
		flags = flags or {}
		flags["ignore_permissions"] = ignore_permissions
	if flags:
		doc.flags.update(flags)


def check_permission_and_not_submitted(doc):
	if (
		not doc.flags.ignore_permissions
		and frappe.session.user != "Administrator"
		and not doc.has_permission("delete")
	):
		frappe.msgprint(
			_("User not allowed to delete {0}: {1}").format(doc.doctype, doc.name),
			raise_exception=frappe.PermissionError,
		)
	if doc.meta.is_submittable and doc.docstatus.is_submitted():
		frappe.msgprint(
			_("{0} {1}: Submitted Record cannot be deleted. You must {2} Cancel {3} it first.").format(
				_(doc.doctype),
				doc.name,
				"<a href='https://docs.erpnext.com//docs/user/manual/en/setting-up/articles/delete-submitted-document' target='_blank'>",
				"</a>",
			),
			raise_exception=True,
		)


def check_if_doc_is_linked(doc, method="Delete"):
	"""Raise LinkExistsError if a Link field of another document (a child row's counts for its parent)
	or of a Single holds this document's name."""
	ignored_doctypes = set()
	if method == "Cancel" and (doc_ignore_flags := doc.get("ignore_linked_doctypes")):
		ignored_doctypes.update(doc_ignore_flags)
	if method == "Delete":
		ignored_doctypes.update(frappe.get_hooks("ignore_links_on_delete"))

	for lf in get_link_fields(doc.doctype):
		link_dt, link_field, issingle = lf["parent"], lf["fieldname"], lf["issingle"]
		if link_dt in ignored_doctypes or (link_field == "amended_from" and method == "Cancel"):
			continue
		try:
			meta = frappe.get_meta(link_dt)
		except frappe.DoesNotExistError:
			frappe.clear_last_message()
			continue

		if issingle:
			if frappe.db.get_single_value(link_dt, link_field) == doc.name:
				raise_link_exists_exception(doc, link_dt, link_dt)
			continue

		fields = ["name", "docstatus"]
		if meta.istable:
			fields.extend(["parent", "parenttype"])

		for item in frappe.db.get_values(link_dt, {link_field: doc.name}, fields, as_dict=True):
			# available only in child table cases
			item_parent = getattr(item, "parent", None)
			linked_parent_doctype = item.parenttype if item_parent else link_dt
			if linked_parent_doctype in ignored_doctypes:
				continue
			if method != "Delete" and (method != "Cancel" or not DocStatus(item.docstatus).is_submitted()):
				continue
			elif link_dt == doc.doctype and (item_parent or item.name) == doc.name:
				# linked to itself
				continue
			else:
				raise_link_exists_exception(doc, linked_parent_doctype, item_parent or item.name)


def check_if_doc_is_dynamically_linked(doc, method="Delete"):
	"""Raise LinkExistsError if a Dynamic Link field of another document refers to this document."""
	ignore_links_on_delete = frappe.get_hooks("ignore_links_on_delete")
	for df in get_dynamic_link_map().get(doc.doctype, []):
		ignore_linked_doctypes = doc.get("ignore_linked_doctypes") or []
		if df.parent in ignore_links_on_delete or (
			df.parent in ignore_linked_doctypes and method == "Cancel"
		):
			continue

		meta = frappe.get_meta(df.parent)
		if meta.issingle:
			refdoc = frappe.db.get_singles_dict(df.parent)
			if (
				refdoc.get(df.options) == doc.doctype
				and refdoc.get(df.fieldname) == doc.name
				and (
					(method == "Delete" and not DocStatus(refdoc.docstatus).is_cancelled())
					or (method == "Cancel" and DocStatus(refdoc.docstatus).is_submitted())
				)
			):
				raise_link_exists_exception(doc, df.parent, df.parent)
		else:
			table = ", `parent`, `parenttype`, `idx`" if meta.istable else ""
			for refdoc in frappe.db.sql(
				f"select `name`, `docstatus`{table} from `tab{df.parent}` where `{df.options}`=%s and `{df.fieldname}`=%s",
				(doc.doctype, doc.name),
				as_dict=True,
			):
				if (method == "Delete" and not DocStatus(refdoc.docstatus).is_cancelled()) or (
					method == "Cancel" and DocStatus(refdoc.docstatus).is_submitted()
				):
					reference_doctype = refdoc.parenttype if meta.istable else df.parent
					reference_docname = refdoc.parent if meta.istable else refdoc.name
					if reference_doctype in ignore_links_on_delete or (
						reference_doctype in ignore_linked_doctypes and method == "Cancel"
					):
						continue
					at_position = f"at Row: {refdoc.idx}" if meta.istable else ""
					raise_link_exists_exception(doc, reference_doctype, reference_docname, at_position)


def raise_link_exists_exception(doc, reference_doctype, reference_docname, row=""):
	doc_link = f'<a href="/app/Form/{doc.doctype}/{doc.name}">{doc.name}</a>'
	reference_link = f'<a href="/app/Form/{reference_doctype}/{reference_docname}">{reference_docname}</a>'
	# a Single is named once in the message
	if reference_doctype == reference_docname:
		reference_doctype = ""
	frappe.throw(
		_("Cannot delete or cancel because {0} {1} is linked with {2} {3} {4}").format(
			_(doc.doctype), doc_link, _(reference_doctype), reference_link, row
		),
		frappe.LinkExistsError,
	)


def delete_dynamic_links(doctype, name):
	"""Delete the rows that only refer to a deleted document (Frappe: ToDo, DocShare, Version, Comment, ...;
	frappe_lite has Version and Comment)."""
	delete_references("Version", doctype, name, "ref_doctype", "docname")
	delete_references("Comment", doctype, name)


def delete_references(
	doctype,
	reference_doctype,
	reference_name,
	reference_doctype_field="reference_doctype",
	reference_name_field="reference_name",
):
	frappe.db.delete(
		doctype, {reference_doctype_field: reference_doctype, reference_name_field: reference_name}
	)
