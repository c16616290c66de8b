# Comment, following frappe/core/doctype/comment/comment.py (v15): the commenter defaults to the session
# user, and a comment of type "Comment" is mirrored (truncated) in its document's `_comments` column.
# The content is sanitised as v15 does (bleach, always). Left out: @mention notifications, realtime updates.
import json

import frappe
from frappe.model.document import Document


class Comment(Document):
	def validate(self):
		if not self.comment_email:
			self.comment_email = frappe.session.user
		self.content = frappe.utils.sanitize_html(self.content, always_sanitize=True)

	def on_update(self):
		update_comment_in_doc(self)

	def on_trash(self):
		self.remove_comment_from_cache()

	def remove_comment_from_cache(self):
		_comments = get_comments_from_parent(self)
		for c in list(_comments):
			if c.get("name") == self.name:
				_comments.remove(c)
		update_comments_in_parent(self.reference_doctype, self.reference_name, _comments)


def on_doctype_update():
	frappe.db.add_index("Comment", ["reference_doctype", "reference_name"])


def update_comment_in_doc(doc):
	"""`_comments` of the referenced document: [{"comment": text (truncated to 100), "by": user, "name":
	comment name}], the last 100 comments of type "Comment"."""
	if doc.doctype == "Comment" and doc.comment_type != "Comment":
		return

	def get_truncated(content):
		return (content[:97] + "...") if len(content) > 100 else content

	if doc.reference_doctype and doc.reference_name and doc.content:
		_comments = get_comments_from_parent(doc)
		updated = False
		for c in _comments:
			if c.get("name") == doc.name:
				c["comment"] = get_truncated(doc.content)
				updated = True
		if not updated:
			_comments.append(
				{
					"comment": get_truncated(doc.content),
					"by": getattr(doc, "comment_email", None) or doc.owner,
					"name": doc.name,
				}
			)
		update_comments_in_parent(doc.reference_doctype, doc.reference_name, _comments)


def get_comments_from_parent(doc):
	try:
		_comments = frappe.db.get_value(doc.reference_doctype, doc.reference_name, "_comments") or "[]"
	except Exception as e:
		if frappe.db.is_table_missing(e) or frappe.db.is_missing_column(e):
			_comments = "[]"
		else:
			raise
	try:
		return json.loads(_comments)
	except ValueError:
		return []


def update_comments_in_parent(reference_doctype, reference_name, _comments):
	"""Write `_comments` with plain SQL, so the document's `modified` stays as it is."""
	if (
		not reference_doctype
		or not reference_name
		or frappe.db.get_value("DocType", reference_doctype, "issingle")
	):
		return
	try:
		frappe.db.sql(
			f"update `tab{reference_doctype}` set `_comments`=%s where name=%s",
			(json.dumps(_comments[-100:]), reference_name),
		)
	except Exception as e:
		if frappe.db.is_missing_column(e) and getattr(frappe.local, "request", None):
			pass
		else:
			raise
