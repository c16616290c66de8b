# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt
"""TukTuk Daily Report: a DocType of the original tuktuk_management, kept read-only so upgraded sites keep reaching its
rows (docs/upgrading.md). No business logic: the original's features behind it are retired."""

from tuktuk_management.tuktuk_legacy.legacy_document import LegacyDocument


class TukTukDailyReport(LegacyDocument):
	pass
