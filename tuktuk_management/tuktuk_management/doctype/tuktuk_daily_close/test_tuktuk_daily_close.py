# Copyright (c) 2026, TukTuk Management Developers
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management import records
from tuktuk_management.tests.utils import make_driver


class TestTukTukDailyClose(FrappeTestCase):
	"""TukTuk Daily Close records are plain audit rows linked to a driver."""

	def test_insert(self):
		driver = make_driver(vehicle=None)
		doc = records.insert({"doctype": "TukTuk Daily Close", "driver": driver.name})
		self.assertTrue(frappe.db.exists("TukTuk Daily Close", doc.name))
