"""The base class of the TukTuk Legacy DocTypes: the original app's records, kept as read-only history.

Nobody but Administrator may write them (their DocTypes grant read, report, export and print only), and
nothing in the app creates them. A legacy record may name a record the original app itself deleted (it
archived a driver by deleting its TukTuk Driver and copying it to Terminated TukTuk Driver, so a rental or a
roster day still names the old driver ID): its links are kept as the original wrote them, and saving such a
record again must not fail on them."""

from frappe.model.document import Document


class LegacyDocument(Document):
	def __init__(self, *args, **kwargs):
		super().__init__(*args, **kwargs)
		# History is kept as written: a link to a record the original app deleted does not block a save.
		self.flags.ignore_links = True
