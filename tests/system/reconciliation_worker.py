"""A separate process for the reconciliation race tests (started by test_reconciliation_races.py).

    python reconciliation_worker.py pay   SITES_PATH SITE DRIVER COUNT AMOUNT PREFIX
    python reconciliation_worker.py fix   SITES_PATH SITE DRIVER STOP_FILE
    python reconciliation_worker.py close SITES_PATH SITE DATE

``pay`` credits COUNT payments through the real crediting code (``credit_payment``: lock, split, ledger row,
atomic UPDATE, commit). ``fix`` loops until STOP_FILE exists: corrupt the driver's balance (a committed lost
update, as the baseline suffered), then reconcile with auto-fix (screen, then lock, recompute, set, commit);
it always ends on a fix. ``close`` runs the daily close for DATE. Each prints one JSON line of figures.
"""

import json
import os
import sys
import time


def connect(sites_path, site):
	import frappe

	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	return frappe


def pay(sites_path, site, driver, count, amount, prefix):
	frappe = connect(sites_path, site)
	from tuktuk_management.c2b import C2BPayment
	from tuktuk_management.crediting import credit_payment

	credited = duplicates = 0
	for i in range(int(count)):
		result = credit_payment(C2BPayment(f"{prefix}{i:05d}", amount, driver=driver))
		credited += result.status == "Processed"
		duplicates += result.status == "Duplicate"
		time.sleep(0.001)  # a breath between units: SQLite's write lock is not fair, the fixer must get turns
	frappe.destroy()
	return {"sent": int(count), "credited": credited, "duplicates": duplicates}


def fix(sites_path, site, driver, stop_file):
	frappe = connect(sites_path, site)
	from tuktuk_management import reconciliation

	rounds = fixes = 0
	while True:
		stopping = os.path.exists(stop_file)
		if not stopping:
			frappe.db.sql(
				"UPDATE `tabTukTuk Driver` SET current_balance = current_balance + 7 WHERE name = %s",
				(driver,),
			)
			frappe.db.commit()
		summary = reconciliation.reconcile_all_drivers_balances(
			auto_fix=True, commit=True, drivers=[driver], source="Manual"
		)
		frappe.db.commit()
		rounds += 1
		fixes += summary.drivers_fixed
		if stopping:
			break
		time.sleep(0.005)
	frappe.destroy()
	return {"rounds": rounds, "fixes": fixes}


def close(sites_path, site, date):
	frappe = connect(sites_path, site)
	from tuktuk_management.daily_close import run_daily_close

	summary = run_daily_close(date=date)
	frappe.destroy()
	return {"closed": summary.drivers_closed}


if __name__ == "__main__":
	role, *args = sys.argv[1:]
	print(json.dumps({"pay": pay, "fix": fix, "close": close}[role](*args)), flush=True)
