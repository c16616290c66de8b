"""[post_model_sync, last] The upgrade holds what it promises, or the migrate stops here, saying what does
not (restore the backup, fix, migrate again; every upgrade patch is safe to run again):

- every ledger row and every driver has a balance period;
- every driver's balance equals the ledger's total for its open period (reconciliation would find nothing);
- the managers' role is spelled as ours, and nothing still names the original's spelling;
- the original's DocTypes are ours now (module TukTuk Legacy), so Frappe keeps them and their rows."""

import frappe

from tuktuk_management.money import to_money
from tuktuk_management.patches.v2_0.original_app import is_original_site, report
from tuktuk_management.reconciliation import balances_against_ledger

ORIGINAL_DOCTYPES = (
	"Driver Deposit Transaction",
	"Failed Transaction Log",
	"Terminated TukTuk Driver",
	"TukTuk Daily Report",
	"TukTuk Day Off Schedule",
	"TukTuk Petty Cash",
	"TukTuk Rental",
	"TukTuk Roster Period",
	"TukTuk Substitute Assignment",
	"TukTuk Substitute Driver",
	"TukTuk Weekly Report",
)


def execute():
	if not is_original_site():
		return
	problems = []
	rows = frappe.db.count("TukTuk Transaction", {"balance_period": ("is", "not set")})
	if rows:
		problems.append(f"{rows} ledger rows without a balance period")
	drivers = frappe.db.count("TukTuk Driver", {"balance_period": ("is", "not set")})
	if drivers:
		problems.append(f"{drivers} drivers without a balance period")
	for row in balances_against_ledger():
		if to_money(row.balance) != to_money(row.calculated):
			problems.append(
				f"{row.name}: balance {row.balance} but ledger {row.calculated} for {row.balance_period}"
			)
	if not frappe.db.sql("select 1 from `tabRole` where binary name='TukTuk Manager'"):
		problems.append("role TukTuk Manager missing")
	left = frappe.db.sql("select count(*) from `tabHas Role` where binary role='Tuktuk Manager'")[0][0]
	if left:
		problems.append(f"{left} role assignments still name 'Tuktuk Manager'")
	for doctype in ORIGINAL_DOCTYPES:
		if frappe.db.get_value("DocType", doctype, "module") != "TukTuk Legacy":
			problems.append(f"DocType {doctype} is not in module TukTuk Legacy")
	if problems:
		frappe.throw(
			"The upgrade from the original app did not hold: " + "; ".join(problems),
			title="Upgrade check failed",
		)
	report("checked", {"ok": True})
