"""A separate process for the reconciliation race tests (started by test_reconciliation_races.py).

    python reconciliation_worker.py pay   SITES_PATH SITE DRIVER COUNT AMOUNT PREFIX
    python reconciliation_worker.py close SITES_PATH SITE DATE

``pay`` credits COUNT payments through the real crediting code (``credit_payment``: lock, split, ledger row,
atomic UPDATE, commit). ``close`` runs the daily close for DATE. Each prints one JSON line of figures.
(The fixer racing payments works over HTTP on any target: http_fixer.py.)
"""

import json
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


def close(sites_path, site, date):
	frappe = connect(sites_path, site)
	from tuktuk_management.daily_close import run_daily_close

	summary = run_daily_close(date=date)
	frappe.destroy()
	return {"closed": summary.drivers_closed}


if __name__ == "__main__":
	role, *args = sys.argv[1:]
	print(json.dumps({"pay": pay, "close": close}[role](*args)), flush=True)
