from frappe.tests.utils import FrappeTestCase

from tuktuk_management.phone import InvalidMSISDN, is_masked_msisdn, normalise_msisdn


class TestPhone(FrappeTestCase):
	"""M-Pesa numbers normalise to 2547XXXXXXXX / 2541XXXXXXXX; anything else is refused."""

	def test_normalise(self):
		for given, expected in (
			("0712345678", "254712345678"),
			("0112345678", "254112345678"),
			("712345678", "254712345678"),
			("+254 712 345 678", "254712345678"),
			("254-712-345-678", "254712345678"),
			("254112345678", "254112345678"),
			(254712345678, "254712345678"),
		):
			with self.subTest(given=given):
				self.assertEqual(normalise_msisdn(given), expected)

	def test_invalid(self):
		for bad in (
			None,
			"",
			"12345",
			"0812345678",
			"255712345678",
			"07123456789",
			"abc0712345678",
			"2547123456",
		):
			with self.subTest(bad=bad), self.assertRaises(InvalidMSISDN):
				normalise_msisdn(bad)

	def test_masked(self):
		self.assertTrue(is_masked_msisdn("2547 ***** 126"))
		self.assertTrue(is_masked_msisdn("a" * 64))
		self.assertFalse(is_masked_msisdn("254712345678"))
