"""Every amount Desk shows is in Kenyan shillings, whatever the site's default currency (kes.py says how)."""

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management.kes import CURRENCY, in_kes, kes, money_column
from tuktuk_management.tests.reconciliation_utils import make_driver

APP_DOCTYPES = (
	"TukTuk Driver",
	"TukTuk Vehicle",
	"TukTuk Transaction",
	"TukTuk Payout",
	"TukTuk Callback",
	"TukTuk Balance Reconciliation",
	"TukTuk Daily Close",
	"TukTuk Settings",
)


class TestAmountsInKes(FrappeTestCase):
	def test_every_currency_field_names_the_kes_field(self):
		for doctype in APP_DOCTYPES:
			meta = frappe.get_meta(doctype)
			money = [df for df in meta.fields if df.fieldtype == "Currency"]
			self.assertTrue(money, doctype)
			for df in money:
				self.assertEqual(df.options, "currency", f"{doctype}.{df.fieldname}")
			self.assertEqual(meta.get_field("currency").default, CURRENCY, doctype)

	def test_a_new_driver_is_in_kes(self):
		driver = make_driver()
		self.assertEqual(frappe.db.get_value("TukTuk Driver", driver, "currency"), "KES")

	def test_report_helpers(self):
		self.assertEqual(money_column("x", "X")["options"], "currency")
		self.assertEqual(in_kes([{"a": 1}]), [{"a": 1, "currency": "KES"}])
		self.assertEqual(kes("1234.5"), "KES 1,234.50")
		self.assertEqual(kes(-3), "KES -3.00")
