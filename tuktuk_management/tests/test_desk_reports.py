"""The workspace's numbers and the Script Reports, computed on whatever database runs the tests (SQLite and
MariaDB under frappe_lite, MariaDB on a bench): seeded through the real crediting code, checked by value."""

from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_to_date, now_datetime

from tuktuk_management import c2b, dashboard, records
from tuktuk_management.api import dashboard as cards
from tuktuk_management.tests.reconciliation_utils import corrupt_balance
from tuktuk_management.tests.utils import make_driver, make_payment, unique
from tuktuk_management.tuktuk_management.report.daily_targets import daily_targets
from tuktuk_management.tuktuk_management.report.driver_statement import driver_statement
from tuktuk_management.tuktuk_management.report.payouts_needing_attention import payouts_needing_attention
from tuktuk_management.tuktuk_management.report.uncaptured_payments import uncaptured_payments

PAYOUT = "TukTuk Payout"


def payout(status, minutes_ago=0, **fields):
	driver = make_driver()
	doc = records.insert(  # as the outbox would (only it creates payouts)
		{
			"doctype": PAYOUT,
			"driver": driver.name,
			"amount": "75",
			"phone": "254708374149",
			"status": status,
			**fields,
		}
	)
	when = add_to_date(now_datetime(), minutes=-minutes_ago)
	frappe.db.set_value(PAYOUT, doc.name, {"creation": when, "last_attempt_at": when}, update_modified=False)
	return doc.name


class TestWorkspaceNumbers(FrappeTestCase):
	def test_payments_today_count_and_kes(self):
		before = dashboard.payments_on()
		driver = make_driver()
		make_payment(driver, "200")
		make_payment(driver, "50.50")
		after = dashboard.payments_on()
		self.assertEqual(after.count - before.count, 2)
		self.assertEqual(after.total - before.total, Decimal("250.50"))
		self.assertEqual(cards.payments_today_card()["value"], after.count)
		self.assertEqual(cards.kes_today_card(), f"KES {after.total:,.2f}")
		hours = dashboard.payments_by_hour()
		self.assertEqual(len(hours), 24)
		self.assertEqual(sum(n for _, n, _ in hours), after.count)

	def test_uncaptured_waiting(self):
		before = cards.uncaptured_card()["value"]
		trans_id = unique("UNC", 8)
		result = c2b.add_missed_transaction(trans_id, "130", account=unique("NOWHERE", 6))
		self.assertEqual(result["status"], "Uncaptured")
		self.assertEqual(cards.uncaptured_card()["value"], before + 1)
		columns, rows = uncaptured_payments.execute({})
		row = next(r for r in rows if r["trans_id"] == trans_id)
		self.assertEqual(
			(row["amount"], row["currency"], row["status"]), (Decimal("130.00"), "KES", "Uncaptured")
		)
		self.assertIn("currency", [c["fieldname"] for c in columns])

	def test_payouts_needing_attention(self):
		failed, unknown = payout("Failed"), payout("Unknown")
		stale_sent, fresh_sent = payout("Sent", minutes_ago=90), payout("Sent")
		stale_queue, held, paid = payout("Queued", minutes_ago=90), payout("On Hold"), payout("Paid")
		rows = {r.name: r for r in dashboard.payouts_needing_attention()}
		for name in (failed, unknown, stale_sent, stale_queue, held):
			self.assertIn(name, rows)
		for name in (fresh_sent, paid):
			self.assertNotIn(name, rows)
		self.assertIn("Queued too long", rows[stale_queue].reason)
		in_doubt = {failed, unknown, stale_sent}
		self.assertEqual(
			dashboard.failed_or_in_doubt_count(),
			sum(1 for r in rows.values() if r.status in ("Failed", "Unknown", "Sent")),
		)
		self.assertGreaterEqual(cards.payouts_attention_card()["value"], len(in_doubt))
		columns, data, _message, chart = payouts_needing_attention.execute({})
		self.assertEqual({r["payout"] for r in data}, set(rows))
		self.assertEqual(sum(chart["data"]["datasets"][0]["values"]), len(data))

	def test_drivers_with_discrepancy(self):
		driver = make_driver()
		make_payment(driver, "100")
		self.assertNotIn(driver.name, [r.name for r in dashboard.discrepant_drivers()])
		corrupt_balance(driver.name, "3")
		found = {r.name: r for r in dashboard.discrepant_drivers()}
		self.assertEqual(found[driver.name].discrepancy, Decimal("3.00"))
		card = cards.discrepancies_card()
		self.assertEqual(card["value"], len(found))
		self.assertEqual(card["route_options"], {"only_discrepancies": 1})

	def test_cards_refuse_non_managers(self):
		frappe.set_user("Guest")
		try:
			for card in (cards.payments_today_card, cards.kes_today_card, cards.uncaptured_card):
				with self.assertRaises(frappe.PermissionError):
					card()
		finally:
			frappe.set_user("Administrator")


class TestReports(FrappeTestCase):
	def test_driver_statement_running_balance_ends_at_the_balance(self):
		driver = make_driver()
		for amount in ("200", "100", "60"):
			make_payment(driver, amount)
		columns, rows, message = driver_statement.execute({"driver": driver.name})
		balance = Decimal(str(frappe.db.get_value("TukTuk Driver", driver.name, "current_balance")))
		self.assertEqual(len(rows), 3)
		self.assertEqual(rows[-1]["running_balance"], balance)
		self.assertEqual(sum(r["target_contribution"] for r in rows), balance)
		self.assertTrue(all(r["currency"] == "KES" for r in rows))
		self.assertIn("3 transactions", message)
		self.assertEqual(driver_statement.execute({}), (driver_statement.get_columns(), []))

	def test_daily_targets_open_day(self):
		driver = make_driver(daily_target=100)
		make_payment(driver, "100")
		_columns, rows, _message, chart = daily_targets.execute({"driver": driver.name})
		self.assertEqual(len(rows), 1)
		row = rows[0]
		contributed = Decimal(str(frappe.db.get_value("TukTuk Driver", driver.name, "current_balance")))
		self.assertEqual((row["earned"], row["contributed"]), (Decimal("100.00"), contributed))
		self.assertEqual(row["target"], Decimal("100.00"))
		self.assertEqual(row["outcome"], "Met" if contributed >= 100 else "Open")
		self.assertEqual(row["left"], max(Decimal("100.00") - contributed, Decimal("0.00")))
		self.assertTrue(chart["data"]["labels"])

	def test_daily_targets_closed_day_comes_from_its_close(self):
		from frappe.utils import add_days, getdate

		from tuktuk_management import ledger

		driver = make_driver(daily_target=1000)
		make_payment(driver, "300")
		period = getdate(frappe.db.get_value("TukTuk Driver", driver.name, "balance_period"))
		closed = ledger.close_period(driver.name, add_days(period, 1), Decimal("1000"))
		self.assertFalse(closed.target_met)
		_columns, rows, _message, chart = daily_targets.execute(
			{"driver": driver.name, "from_date": period, "to_date": add_days(period, 1)}
		)
		self.assertEqual(len(rows), 1)
		self.assertEqual(rows[0]["balance_period"], period)
		self.assertEqual(rows[0]["outcome"], "Missed")
		self.assertEqual(rows[0]["target"], Decimal("1000.00"))
		self.assertEqual(rows[0]["left"], Decimal("1000.00") - rows[0]["contributed"])
		self.assertEqual(chart["data"]["datasets"][1]["values"], [1])
