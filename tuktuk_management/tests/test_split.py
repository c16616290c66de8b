from decimal import Decimal

from frappe.tests.utils import FrappeTestCase

from tuktuk_management.money import D, parse_amount, to_money
from tuktuk_management.split import (
	compute_split,
	deposit_split,
	effective_daily_target,
	effective_fare_percentage,
	target_sharing_enabled,
)


class TestSplitTable(FrappeTestCase):
	"""The split is exact to the cent: share rounded half up, contribution = amount - share, and 100% to the
	driver once the target is met with sharing on."""

	# amount, balance, target, fare %, sharing, expected share, expected contribution
	CASES = [
		("100", "0", "3000", "50", True, "50.00", "50.00"),  # target not met: fare split
		("100", "3000", "3000", "50", True, "100.00", "0.00"),  # met exactly, sharing on: all to driver
		("100", "3500", "3000", "50", True, "100.00", "0.00"),  # above target
		("100", "3000", "3000", "50", False, "50.00", "50.00"),  # met, sharing off: still split
		("100", "2999.99", "3000", "50", True, "50.00", "50.00"),  # one cent short is not met
		("10", "0", "3000", "33", True, "3.30", "6.70"),
		("99.99", "0", "3000", "50", True, "50.00", "49.99"),  # 49.995 rounds half up
		("0.01", "0", "3000", "50", True, "0.01", "0.00"),  # 0.005 rounds half up
		("0.03", "0", "3000", "50", True, "0.02", "0.01"),
		("150", "0", "3000", "1", True, "1.50", "148.50"),
		("77.77", "0", "3000", "100", True, "77.77", "0.00"),
		("333.33", "0", "3000", "33.33", True, "111.10", "222.23"),  # 111.098889 -> 111.10
		("250000", "0", "3000", "50", True, "125000.00", "125000.00"),
		("1", "0", "0", "50", True, "1.00", "0.00"),  # a zero target is always met
	]

	def test_split_table(self):
		for amount, balance, target, fare, sharing, share, contribution in self.CASES:
			with self.subTest(amount=amount, balance=balance, fare=fare, sharing=sharing):
				split = compute_split(amount, balance, target, fare, sharing)
				self.assertEqual(split.driver_share, Decimal(share))
				self.assertEqual(split.target_contribution, Decimal(contribution))
				self.assertEqual(split.driver_share + split.target_contribution, to_money(amount))

	def test_share_plus_contribution_is_amount_for_every_cent_and_fare(self):
		for cents in list(range(1, 400)) + [99999, 100001, 123457]:
			amount = Decimal(cents) / 100
			for fare in ("1", "12.5", "33", "33.33", "49.99", "50", "66.67", "99", "100"):
				split = compute_split(amount, 0, 3000, fare, True)
				self.assertEqual(split.driver_share + split.target_contribution, amount)
				self.assertEqual(split.driver_share, split.driver_share.quantize(Decimal("0.01")))
				self.assertGreaterEqual(split.target_contribution, 0)

	def test_fare_percentage_out_of_range(self):
		for fare in ("0", "0.5", "100.01", "-5"):
			with self.subTest(fare=fare), self.assertRaises(ValueError):
				compute_split("100", 0, 3000, fare, True)

	def test_deposit_puts_everything_on_the_balance(self):
		split = deposit_split("123.45")
		self.assertEqual(
			(split.driver_share, split.target_contribution), (Decimal("0.00"), Decimal("123.45"))
		)

	def test_overrides(self):
		self.assertEqual(effective_fare_percentage(0, 50), 50)
		self.assertEqual(effective_fare_percentage(None, 50), 50)
		self.assertEqual(effective_fare_percentage(70, 50), 70)
		self.assertEqual(effective_daily_target(0, 3000), Decimal("3000.00"))
		self.assertEqual(effective_daily_target(1500.5, 3000), Decimal("1500.50"))
		self.assertTrue(target_sharing_enabled("Follow Global", 1))
		self.assertFalse(target_sharing_enabled("Follow Global", 0))
		self.assertFalse(target_sharing_enabled("", 0))
		self.assertTrue(target_sharing_enabled("Enable", 0))
		self.assertFalse(target_sharing_enabled("Disable", 1))


class TestMoney(FrappeTestCase):
	"""Money converts floats through str and validates untrusted amounts strictly."""

	def test_floats_go_through_str(self):
		self.assertEqual(D(0.1) + D(0.2), Decimal("0.3"))
		self.assertEqual(to_money(2.675), Decimal("2.68"))  # binary 2.67499.. would round down
		self.assertEqual(to_money(None), Decimal("0.00"))

	def test_parse_amount_rejects_bad_input(self):
		for bad in (None, "", "abc", "NaN", "Infinity", "-1", "0", "0.00", "1.005", True, [], "1e400"):
			with self.subTest(value=bad), self.assertRaises(ValueError):
				parse_amount(bad, maximum=Decimal("250000"))
		with self.assertRaises(ValueError):
			parse_amount("250000.01", maximum=Decimal("250000"))
		self.assertEqual(parse_amount("100"), Decimal("100.00"))
		self.assertEqual(parse_amount(" 12.5 "), Decimal("12.50"))
		self.assertEqual(parse_amount(7), Decimal("7.00"))
