# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt
"""TukTuk Legacy Settings: the original app's settings this app has no field for (kept as they were, Password
fields still encrypted with the site's key) and the record of the upgrade (tuktuk_management/patches/v2_0)."""

from frappe.model.document import Document

LEGACY_SETTINGS = "TukTuk Legacy Settings"


class TukTukLegacySettings(Document):
	pass
