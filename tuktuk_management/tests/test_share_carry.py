from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from tuktuk_management.money import to_money
from tuktuk_management.payouts.outbox import whole_shilling_payout
from tuktuk_management.tests.utils import make_driver, make_payment, settings_changed


def carry(driver) -> Decimal:
	return to_money(frappe.db.get_value("TukTuk Driver", driver.name, "share_carry"))


def payouts_of(driver):
	return frappe.get_all(
		"TukTuk Payout",
		filters={"driver": driver.name},
		fields=["amount", "share", "carry_in", "carry_out"],
		order_by="creation asc",
	)


def shares_of(driver) -> Decimal:
	rows = frappe.get_all("TukTuk Transaction", filters={"driver": driver.name}, pluck="driver_share")
	return sum((to_money(v) for v in rows), Decimal("0"))


class TestWholeShillingPayouts(FrappeTestCase):
	"""B2C pays whole shillings, so the cents of a share are carried to the driver's next payout: the driver
	is paid exactly the sum of their shares, never less, and every cent is on a payout row or the driver."""

	def test_pure_rule(self):
		cases = [
			("50.50", "0", ("50", "0.50")),
			("50.50", "0.50", ("51", "0")),
			("0.40", "0.30", ("0", "0.70")),
			("99.99", "0.99", ("100", "0.98")),
			("150", "0", ("150", "0")),
		]
		for share, carried_in, (amount, carried_out) in cases:
			got = whole_shilling_payout(Decimal(share), Decimal(carried_in))
			self.assertEqual(got, (Decimal(amount), Decimal(carried_out)), (share, carried_in))
			self.assertEqual(got[0] + got[1], Decimal(share) + Decimal(carried_in))

	def test_cents_are_carried_and_paid_with_the_next_payout(self):
		with settings_changed(enable_target_sharing=0):
			driver = make_driver(fare_percentage=50)
			make_payment(driver, 101)  # share 50.50: 50 now, 0.50 carried
			self.assertEqual(carry(driver), Decimal("0.50"))
			make_payment(driver, 101)  # 50.50 + 0.50 = 51
			make_payment(driver, 1)  # share 0.50: under a shilling, nothing to send yet
			make_payment(driver, 33)  # 16.50 + 0.50 = 17
		rows = payouts_of(driver)
		self.assertEqual([to_money(r.amount) for r in rows], [Decimal("50"), Decimal("51"), Decimal("17")])
		self.assertEqual([to_money(r.carry_out) for r in rows], [Decimal("0.50"), Decimal("0"), Decimal("0")])
		self.assertEqual(carry(driver), Decimal("0"))
		paid = sum((to_money(r.amount) for r in rows), Decimal("0"))
		self.assertEqual(paid + carry(driver), shares_of(driver))
		# the payment whose whole share was carried has a ledger row but no payout
		self.assertEqual(
			frappe.db.count("TukTuk Transaction", {"driver": driver.name, "payout": ("is", "not set")}), 1
		)

	def test_a_form_save_cannot_touch_the_carry(self):
		with settings_changed(enable_target_sharing=0):
			driver = make_driver(fare_percentage=50)
			make_payment(driver, 101)
		stale = frappe.get_doc("TukTuk Driver", driver.name)
		stale.share_carry = 99
		stale.driver_last_name = "Renamed"
		stale.save()
		self.assertEqual(carry(driver), Decimal("0.50"))
