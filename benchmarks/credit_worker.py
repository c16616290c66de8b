"""One crediting process of the contention benchmark (bench_crediting spawns N of them).

    python -m benchmarks.credit_worker SITES_PATH SITE MODE DRIVER PREFIX COUNT

Connects, warms up, prints "ready", waits for a line on stdin (so every process starts together, with its
import and connection time left out), credits COUNT payments to DRIVER and prints a JSON summary.
MODE "app" uses the app's locked unit of work (tuktuk_management.crediting.credit_payment); MODE "baseline"
is the baseline's read-modify-save (reference/balance_fix_summary.md, "OLD CODE"): the driver loaded without
a lock before the transaction, the ledger row inserted, ``current_balance += contribution; save()``.
MODE "set_value" is the same read-modify-write with the balance written by frappe.db.set_value: no save, so
no timestamp check, the plain lost update of the reference's race table."""

import json
import sys
import time
import traceback
from decimal import Decimal

from tests.helpers.daraja import amount_for, contribution


def credit_app(frappe, driver, amount, trans_id):
	from tuktuk_management.c2b import C2BPayment
	from tuktuk_management.crediting import credit_payment

	result = credit_payment(C2BPayment(trans_id, amount, msisdn="254708374149", driver=driver))
	return result.status == "Processed"


def credit_baseline(frappe, driver_name, amount, trans_id, set_value=False):
	"""The baseline's shape: unlocked read, ledger row, read-modify-save, commit. ``set_value``: the same
	but the new balance written with frappe.db.set_value (no save, so no timestamp check either)."""
	from frappe.utils import now_datetime

	from tuktuk_management.split import (
		compute_split,
		effective_daily_target,
		effective_fare_percentage,
		target_sharing_enabled,
	)
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	settings = get_settings()
	driver = frappe.get_doc("TukTuk Driver", driver_name)  # OLD CODE: no lock, loaded before the writes
	split = compute_split(
		amount,
		driver.current_balance,
		effective_daily_target(driver.daily_target, settings.global_target),
		effective_fare_percentage(driver.fare_percentage, settings.global_fare),
		target_sharing_enabled(driver.target_sharing_override, settings.target_sharing),
	)
	frappe.get_doc(
		{
			"doctype": "TukTuk Transaction",
			"transaction_id": trans_id,
			"transaction_type": "Payment",
			"tuktuk": driver.assigned_tuktuk,
			"driver": driver.name,
			"amount": split.amount,
			"driver_share": split.driver_share,
			"target_contribution": split.target_contribution,
			"customer_phone": "254708374149",
			"timestamp": now_datetime(),
			"payment_status": "Completed",
			"balance_period": driver.balance_period or settings.business_date(),
		}
	).insert(ignore_permissions=True)
	new_balance = Decimal(str(driver.current_balance or 0)) + split.target_contribution
	if set_value:
		frappe.db.set_value("TukTuk Driver", driver.name, "current_balance", new_balance)
	else:
		driver.current_balance = new_balance
		driver.save(ignore_permissions=True)
	frappe.db.commit()
	return True


def unprotect_balance():
	"""The baseline's controller let ``save()`` write current_balance; the app's ledger puts the stored balance
	back (ledger.guard_driver_form). Switched off in this process only, to run the OLD CODE as it ran."""
	from tuktuk_management import ledger

	original = ledger.guard_driver_form

	def baseline_guard(doc):
		if doc.is_new():
			original(doc)

	ledger.guard_driver_form = baseline_guard


def main(sites_path, site, mode, driver, prefix, count):
	import frappe

	count = int(count)
	frappe.init(site, sites_path, force=True)
	frappe.connect()
	credit = {
		"app": credit_app,
		"baseline": credit_baseline,
		"set_value": lambda *a: credit_baseline(*a, set_value=True),
	}[mode]
	if mode == "baseline":
		unprotect_balance()
	# warm up: imports, meta and settings caches (not a credit)
	frappe.get_doc("TukTuk Driver", driver)
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	get_settings()
	frappe.db.rollback()
	print("ready", flush=True)
	sys.stdin.readline()

	summary = {"sent": 0, "ok": 0, "errors": 0, "error_kinds": {}, "sent_total": "0", "ok_total": "0"}
	sent_total = ok_total = Decimal(0)
	latencies = []
	started = time.time()
	for i in range(count):
		amount = amount_for(prefix, i)
		share = contribution(amount)
		summary["sent"] += 1
		sent_total += share
		t0 = time.perf_counter()
		try:
			if credit(frappe, driver, amount, f"{prefix}{i:05d}"):
				summary["ok"] += 1
				ok_total += share
		except Exception as e:
			frappe.db.rollback()
			summary["errors"] += 1
			kind = type(e).__name__
			summary["error_kinds"][kind] = summary["error_kinds"].get(kind, 0) + 1
			if kind not in ("TimestampMismatchError",) and summary["errors"] <= 3:
				traceback.print_exc(file=sys.stderr)
		latencies.append(time.perf_counter() - t0)
	summary.update(
		started=started,
		finished=time.time(),
		sent_total=str(sent_total),
		ok_total=str(ok_total),
		latencies=latencies,
	)
	frappe.destroy()
	print(json.dumps(summary), flush=True)


if __name__ == "__main__":
	main(*sys.argv[1:7])
